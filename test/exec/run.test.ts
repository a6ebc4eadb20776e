import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { ProcessReaper } from "../../src/exec/reaper.js";
import { runProcess, type RunRequest } from "../../src/exec/run.js";
import { limitedArgv, toolEnvironment } from "../../src/exec/sandbox.js";
import { fixture, processesMatching, waitFor } from "../helpers.js";

const reaper = new ProcessReaper();
const workdir = mkdtempSync(join(tmpdir(), "run-test-"));
after(() => {
  reaper.dispose();
  rmSync(workdir, { recursive: true, force: true });
});

function request(argv: string[], extra: Partial<RunRequest> = {}): RunRequest {
  return {
    argv,
    cwd: workdir,
    env: toolEnvironment(workdir),
    timeoutMs: 10_000,
    graceMs: 500,
    maxStdoutBytes: 64 * 1024,
    maxStderrBytes: 64 * 1024,
    ...extra,
  };
}

describe("runProcess", () => {
  it("a hung tool that ignores SIGTERM is killed with its whole group at the timeout, output kept", async () => {
    const outcome = await runProcess(
      request(["/bin/sh", fixture("hang.sh")], { timeoutMs: 500, graceMs: 300 }),
      reaper,
    );
    assert.equal(outcome.timedOut, true);
    assert.equal(outcome.cancelled, false);
    assert.equal(outcome.signal, "SIGKILL");
    assert.match(outcome.stdout, /^started \d+/);
    const pid = /started (\d+)/.exec(outcome.stdout)?.[1] ?? "";
    assert.deepEqual(processesMatching(fixture("hang.sh")), []);
    // the two `sleep 1000` grandchildren were in the group and are gone too
    assert.ok(
      await waitFor(() => processesMatching("sleep", "1000").length === 0, 2000),
      `grandchildren of ${pid} survived`,
    );
    assert.equal(reaper.size, 0);
  });

  it("an abort signal (MCP cancellation) stops the tool and says so", async () => {
    const controller = new AbortController();
    setTimeout(() => {
      controller.abort();
    }, 300);
    const outcome = await runProcess(
      request(["/bin/sh", fixture("hang.sh")], { signal: controller.signal, graceMs: 200 }),
      reaper,
    );
    assert.equal(outcome.cancelled, true);
    assert.equal(outcome.timedOut, false);
    assert.deepEqual(processesMatching(fixture("hang.sh")), []);
  });

  it("a flood on stdout is stopped at the cap and marked truncated", async () => {
    const outcome = await runProcess(
      request(["/bin/sh", fixture("flood.sh")], { maxStdoutBytes: 10_000 }),
      reaper,
    );
    assert.equal(outcome.truncatedStdout, true);
    assert.equal(outcome.truncatedStderr, false);
    assert.equal(Buffer.byteLength(outcome.stdout), 10_000);
    assert.ok(outcome.stdout.startsWith("flood-line\n"));
    assert.notEqual(outcome.returncode, 0);
  });

  it("a flood on stderr is capped the same way", async () => {
    const outcome = await runProcess(
      request(["/bin/sh", fixture("flood.sh"), "stderr"], { maxStderrBytes: 5000 }),
      reaper,
    );
    assert.equal(outcome.truncatedStderr, true);
    assert.equal(Buffer.byteLength(outcome.stderr), 5000);
  });

  it("a crash reports the signal and keeps partial output", async () => {
    const outcome = await runProcess(request(["/bin/sh", fixture("crash.sh")]), reaper);
    assert.equal(outcome.signal, "SIGSEGV");
    assert.equal(outcome.returncode, null);
    assert.equal(outcome.stdout, "partial-output\n");
  });

  it("a missing binary is a spawn error, not a throw", async () => {
    const outcome = await runProcess(request(["/nonexistent/tool"]), reaper);
    assert.match(outcome.spawnError ?? "", /ENOENT/);
  });

  it("under prlimit the tool sees a minimal environment, an empty private directory and the limits", async () => {
    process.env.SECRET_FOR_TEST = "do-not-leak";
    const tooldir = mkdtempSync(join(tmpdir(), "tool-"));
    try {
      const argv = limitedArgv(["/bin/sh", fixture("env.sh")], {
        cpuSeconds: 5,
        maxFileBytes: 1024 * 1024,
        maxOpenFiles: 256,
        maxDataBytes: 512 * 1024 * 1024,
      });
      const outcome = await runProcess(
        request(argv, { cwd: tooldir, env: toolEnvironment(tooldir) }),
        reaper,
      );
      assert.equal(outcome.returncode, 0, outcome.stderr);
      assert.doesNotMatch(outcome.stdout, /SECRET_FOR_TEST|do-not-leak/);
      assert.match(outcome.stdout, new RegExp(`cwd=${tooldir}`));
      assert.match(outcome.stdout, /files=0/);
      assert.match(outcome.stdout, /nofile=256/);
      assert.match(outcome.stdout, /core=0/);
      assert.match(outcome.stdout, /fsize=2048/); // dash counts 512-byte blocks: 1 MiB
      assert.match(outcome.stdout, /data=524288/); // KiB: 512 MiB
    } finally {
      delete process.env.SECRET_FOR_TEST;
      rmSync(tooldir, { recursive: true, force: true });
    }
  });
});
