import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Limiter, LimiterFull, LimiterTimeout } from "../../src/resilience/limiter.js";
import { invokeTool } from "../../src/pipeline.js";
import { fixtureTool } from "../fixture-tool.js";
import { makeDeps } from "../helpers.js";

describe("limiter", () => {
  it("queues up to its bound, times out waiters, and drops cancelled ones at once", async () => {
    const limiter = new Limiter(1, 2);
    const release = await limiter.acquire();
    const timedOut = limiter.acquire(undefined, 50);
    const controller = new AbortController();
    const cancelled = limiter.acquire(controller.signal);
    await assert.rejects(limiter.acquire(), LimiterFull);
    controller.abort();
    await assert.rejects(cancelled, /aborted/);
    assert.equal(limiter.queued, 1);
    await assert.rejects(timedOut, LimiterTimeout);
    assert.equal(limiter.queued, 0);
    release();
    assert.equal(limiter.active, 0);
    const again = await limiter.acquire();
    again();
  });
});

describe("queued calls through the pipeline", () => {
  it("a call that waits past tool.queue_timeout is resource_exhausted; a cancelled one leaves the queue", async () => {
    const tool = fixtureTool("outcome.sh");
    const deps = makeDeps(
      {
        MCP_SECURITY_ALLOWED_TARGETS: "loopback",
        MCP_TOOL_DEFAULT_CONCURRENCY: "1",
        MCP_TOOL_QUEUE_TIMEOUT: "1",
        MCP_TOOL_KILL_GRACE_PERIOD: "1",
      },
      { tools: [tool] },
    );
    const call = (behaviour: string, signal?: AbortSignal, timeout_sec?: number) =>
      invokeTool(tool, { target: "127.0.0.1", behaviour, ...(timeout_sec ? { timeout_sec } : {}) }, deps, {
        via: "test",
        ...(signal ? { signal } : {}),
      });
    const running = call("hang", undefined, 3);
    await new Promise((r) => setTimeout(r, 200));
    const started = Date.now();
    const waited = await call("ok");
    assert.equal(waited.fields.error_type, "resource_exhausted");
    assert.match(waited.fields.error ?? "", /within 1 s; retry/);
    assert.ok(Date.now() - started >= 900);
    const controller = new AbortController();
    const cancelled = call("ok", controller.signal);
    setTimeout(() => {
      controller.abort();
    }, 100);
    assert.equal((await cancelled).fields.error_type, "cancelled");
    assert.equal(deps.limiters.get("fixture")?.queued, 0);
    assert.equal((await running).fields.error_type, "timeout");
    assert.equal(deps.breakers.get("fixture")?.state.kind, "closed", "one timeout is below the threshold");
  });
});
