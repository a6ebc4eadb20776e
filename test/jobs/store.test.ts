import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { JobStore, SERVER_RUN, type JobRecord } from "../../src/jobs/store.js";
import { testJobsDir } from "../helpers.js";

function record(n: number, finishedMinutesAgo: number, rawBytes: number): JobRecord {
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
    tool: "nmap",
    owner: "local",
    target: "127.0.0.1",
    status: "completed",
    created_at: new Date(Date.now() - finishedMinutesAgo * 60_000 - 1000).toISOString(),
    finished_at: new Date(Date.now() - finishedMinutesAgo * 60_000).toISOString(),
    progress: null,
    summary: "done",
    result: null,
    raw_bytes: rawBytes,
    server_pid: process.pid,
    server_run: SERVER_RUN,
  };
}

describe("the job store", () => {
  it("touches the disk only when the first job is stored", () => {
    const dir = testJobsDir();
    const store = new JobStore(dir);
    assert.equal(store.get("00000000-0000-4000-8000-000000000000"), undefined);
    assert.equal(existsSync(dir), false);
    store.save(record(1, 1, 0));
    assert.equal(existsSync(join(dir, `${record(1, 1, 0).id}.json`)), true);
  });

  it("retention drops the oldest finished jobs past the count, byte and age limits", () => {
    const store = new JobStore(testJobsDir());
    for (let n = 1; n <= 6; n++) store.save(record(n, 60 - n, 100));
    assert.equal(store.prune({ maxJobs: 4, maxTotalBytes: 10_000, maxAgeSeconds: 86_400 }), 2);
    assert.deepEqual(
      store
        .all()
        .map((r) => Number(r.id.slice(-2)))
        .sort(),
      [3, 4, 5, 6],
    );
    assert.equal(store.prune({ maxJobs: 100, maxTotalBytes: 250, maxAgeSeconds: 86_400 }), 2);
    // Ages: job 5 ended 55 minutes ago, job 6 54 minutes ago.
    assert.equal(store.prune({ maxJobs: 100, maxTotalBytes: 10_000, maxAgeSeconds: 54.5 * 60 }), 1);
    assert.deepEqual(
      store.all().map((r) => Number(r.id.slice(-2))),
      [6],
    );
  });

  it("pages never split a character: an offset inside one moves back, a tiny limit still moves forward", () => {
    const store = new JobStore(testJobsDir());
    const job = record(9, 0, 0);
    store.save(job);
    store.saveRaw(job.id, "a😀b");
    const inside = store.readRaw(job.id, 2, 100);
    assert.deepEqual([inside.offset, inside.data], [1, "😀b"]);
    const tiny = store.readRaw(job.id, 1, 2);
    assert.deepEqual([tiny.data, tiny.next_offset], ["😀", 5]);
    const past = store.readRaw(job.id, 99, 10);
    assert.deepEqual(past, { offset: 6, length: 0, total_bytes: 6, next_offset: null, data: "" });
  });

  it("a job left running by an earlier server run is interrupted, even when this run got the same pid", () => {
    const dir = testJobsDir();
    const left = {
      ...record(20, 0, 0),
      status: "running" as const,
      finished_at: null,
      server_run: "earlier-run",
    };
    new JobStore(dir).save(left);
    assert.equal(new JobStore(dir).get(left.id)?.status, "interrupted");
    const mine = { ...record(21, 0, 0), status: "running" as const, finished_at: null };
    new JobStore(dir).save(mine);
    assert.equal(new JobStore(dir).get(mine.id)?.status, "running");
  });

  it("retention counts the jobs every server left in the directory, not only this one's", () => {
    const dir = testJobsDir();
    for (let run = 0; run < 3; run++) {
      const store = new JobStore(dir);
      for (let n = 1; n <= 3; n++) store.save(record(run * 10 + n, 60 - run * 10 - n, 10));
      store.prune({ maxJobs: 2, maxTotalBytes: 10_000, maxAgeSeconds: 86_400 });
    }
    assert.equal(new JobStore(dir).all().length, 2);
  });
});
