import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { fixtureTool } from "../fixture-tool.js";
import { connectClient, makeDeps, processesMatching, waitFor } from "../helpers.js";
import { bigOutput, jobOf, textOf, TIMEOUT, waitForJob, type JobAnswer } from "./job-client.js";

describe("scan jobs over MCP (in memory, a fixture tool)", () => {
  let client: Client;
  let close: () => Promise<void>;
  before(async () => {
    ({ client, close } = await connectClient(makeDeps({}, { tools: [fixtureTool("job.sh")] })));
  });
  after(async () => {
    await close();
  });

  it("a job outliving a 2-second client timeout is started, polled and collected", async () => {
    const started = Date.now();
    const start = await client.callTool(
      {
        name: "scan_start",
        arguments: { tool: "fixture", arguments: { target: "127.0.0.1", behaviour: "slow" } },
      },
      undefined,
      TIMEOUT,
    );
    assert.equal(start.isError, false, textOf(start));
    const { job_id: id, status } = jobOf(start);
    assert.ok(id);
    assert.equal(status, "running");
    assert.ok(Date.now() - started < 2000, "scan_start answers at once");
    const done = await waitForJob(client, id);
    assert.equal(done.status, "completed");
    assert.ok(Date.now() - started >= 4000, "the job ran past the client's timeout");
    const result = await client.callTool(
      { name: "scan_result", arguments: { job_id: id } },
      undefined,
      TIMEOUT,
    );
    assert.equal(jobOf(result).raw?.data, "slow job finished\n");
    assert.match(textOf(result), /completed\nfixture 127\.0\.0\.1: done/);
  });

  it("scan_start refuses at once what a direct call would refuse, and keeps nothing", async () => {
    const refused = await client.callTool({
      name: "scan_start",
      arguments: { tool: "fixture", arguments: { target: "10.0.0.1", behaviour: "slow" } },
    });
    assert.equal(refused.isError, true);
    assert.equal(jobOf(refused).status, "refused");
    assert.equal(jobOf(refused).error_type, "scope_denied");
    assert.equal(jobOf(refused).job_id, null);
    const unknown = await client.callTool({ name: "scan_start", arguments: { tool: "bash", arguments: {} } });
    assert.equal(unknown.isError, true);
    assert.match(textOf(unknown), /no enabled tool named "bash"; available: fixture/);
    const list = (await client.callTool({ name: "scan_list", arguments: {} })).structuredContent as {
      jobs: JobAnswer[];
    };
    assert.ok(list.jobs.every((j) => j.status !== "refused"));
  });

  it("scan_cancel kills the job's whole process group", async () => {
    const start = await client.callTool({
      name: "scan_start",
      arguments: { tool: "fixture", arguments: { target: "127.0.0.1", behaviour: "hang" } },
    });
    const id = jobOf(start).job_id ?? "";
    assert.ok(await waitFor(() => processesMatching("job.sh", "hang").length > 0, 5000), "job never started");
    const cancelled = await client.callTool({ name: "scan_cancel", arguments: { job_id: id } });
    assert.equal(jobOf(cancelled).status, "cancelled");
    assert.equal(jobOf(cancelled).error_type, "cancelled");
    assert.ok(
      await waitFor(() => processesMatching("job.sh", "hang").length === 0, 5000),
      "the job survived",
    );
  });

  it("pages of a large raw output return every byte exactly once, as tool answers and as a resource", async () => {
    const expected = bigOutput();
    const call = await client.callTool({
      name: "fixture",
      arguments: { target: "127.0.0.1", behaviour: "big" },
    });
    assert.equal(call.isError, false, textOf(call));
    const link = (call as CallToolResult).content.find((c) => c.type === "resource_link");
    assert.ok(link?.type === "resource_link");
    assert.equal(link.size, Buffer.byteLength(expected));
    const id = /^scan:\/\/([0-9a-f-]+)\/raw$/.exec(link.uri)?.[1] ?? "";
    // The direct answer is bounded; the rest is behind the link.
    const structured = (call as CallToolResult).structuredContent as { truncated: boolean; stdout: string };
    assert.equal(structured.truncated, true);
    assert.ok(JSON.stringify(structured).length <= 32_000);

    let offset: number | null = 0;
    let joined = "";
    let pages = 0;
    while (offset !== null) {
      const page = await client.callTool({
        name: "scan_result",
        arguments: { job_id: id, offset, limit: 3999 },
      });
      const raw = jobOf(page).raw;
      assert.ok(raw);
      assert.equal(raw.offset, offset, "each page starts where the last one ended");
      assert.equal(textOf(page), raw.data);
      assert.ok(textOf(page).length <= 4000, "a page fits the summary cap");
      joined += raw.data;
      offset = raw.next_offset;
      pages++;
    }
    assert.equal(joined, expected);
    assert.ok(pages > 80);

    const resources = await client.listResources();
    assert.ok(resources.resources.some((r) => r.uri === `scan://${id}/raw`));
    const read = await client.readResource({ uri: `scan://${id}/raw` });
    const [content] = read.contents;
    assert.ok(content && "text" in content);
    assert.equal(content.text, expected);
    const second = await client.readResource({ uri: `scan://${id}/raw?offset=100000&limit=50000` });
    const [part] = second.contents;
    assert.ok(part && "text" in part);
    assert.ok(expected.includes(part.text) && Buffer.byteLength(part.text) <= 50_000);
    const summary = await client.readResource({ uri: `scan://${id}` });
    const [json] = summary.contents;
    assert.ok(json && "text" in json);
    assert.equal((JSON.parse(json.text) as { status: string }).status, "completed");
  });

  it("an unknown or malformed job id is an error that names scan_list", async () => {
    for (const job_id of ["00000000-0000-0000-0000-000000000000", "../../etc/passwd"]) {
      const result = await client.callTool({ name: "scan_status", arguments: { job_id } });
      assert.equal(result.isError, true);
      assert.match(textOf(result), /scan_list/);
    }
    await assert.rejects(client.readResource({ uri: "scan://../../etc/passwd/raw" }), /unknown resource/);
  });
});

describe("a jobs directory that cannot be written", () => {
  it("costs a direct call its link, never its result; scan_start says why it cannot start", async () => {
    // A path under a regular file can never be created.
    const { client, close } = await connectClient(
      makeDeps({ MCP_JOBS_DIR: "/dev/null/jobs" }, { tools: [fixtureTool("job.sh")] }),
    );
    try {
      const call = await client.callTool({
        name: "fixture",
        arguments: { target: "127.0.0.1", behaviour: "slow" },
      });
      assert.equal(call.isError, false, textOf(call));
      assert.ok(!(call as CallToolResult).content.some((c) => c.type === "resource_link"));
      const start = await client.callTool({
        name: "scan_start",
        arguments: { tool: "fixture", arguments: { target: "127.0.0.1", behaviour: "hang" } },
      });
      assert.equal(start.isError, true);
      assert.match(textOf(start), /could not be stored in \/dev\/null\/jobs \(jobs\.dir\)/);
      assert.ok(await waitFor(() => processesMatching("job.sh", "hang").length === 0, 5000));
    } finally {
      await close();
    }
  });
});
