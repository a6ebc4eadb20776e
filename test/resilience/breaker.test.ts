import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CircuitBreaker, type BreakerStateName } from "../../src/resilience/breaker.js";
import { invokeTool } from "../../src/pipeline.js";
import { fixtureTool } from "../fixture-tool.js";
import { makeDeps } from "../helpers.js";

/** Read through a function so TypeScript does not narrow the state across calls that change it. */
function kindOf(breaker: CircuitBreaker): BreakerStateName {
  return breaker.state.kind;
}

function clockedBreaker(random = 0) {
  let now = 1_000_000;
  const transitions: string[] = [];
  const breaker = new CircuitBreaker({
    failureThreshold: 3,
    recoveryMs: 10_000,
    maxRecoveryMs: 30_000,
    now: () => now,
    random: () => random,
    onTransition: (from: BreakerStateName, to: BreakerStateName) => transitions.push(`${from}->${to}`),
  });
  return {
    breaker,
    transitions,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe("circuit breaker (fake clock)", () => {
  it("closed -> open -> half-open -> closed", () => {
    const { breaker, transitions, advance } = clockedBreaker();
    breaker.failure();
    breaker.failure();
    assert.equal(kindOf(breaker), "closed");
    breaker.failure();
    assert.equal(kindOf(breaker), "open");
    const refused = breaker.enter();
    assert.deepEqual(refused, { admitted: false, retryAfterMs: 10_000 });
    advance(9_999);
    assert.equal(breaker.enter().admitted, false);
    advance(1);
    assert.deepEqual(breaker.enter(), { admitted: true, probe: true });
    assert.equal(kindOf(breaker), "half-open");
    assert.equal(breaker.enter().admitted, false, "one probe at a time");
    breaker.success();
    assert.equal(kindOf(breaker), "closed");
    assert.deepEqual(transitions, ["closed->open", "open->half-open", "half-open->closed"]);
  });

  it("half-open -> open again with the recovery time x1.5, capped", () => {
    const { breaker, advance } = clockedBreaker();
    for (let i = 0; i < 3; i++) breaker.failure();
    const waits: number[] = [];
    for (let round = 0; round < 4; round++) {
      const state = breaker.state;
      assert.ok(state.kind === "open");
      waits.push(state.timeoutMs);
      advance(state.timeoutMs);
      assert.equal(breaker.enter().admitted, true);
      breaker.failure();
    }
    assert.deepEqual(waits, [10_000, 15_000, 22_500, 30_000]);
  });

  it("a success resets the failure count; an abandoned probe frees the half-open slot", () => {
    const { breaker, advance } = clockedBreaker();
    breaker.failure();
    breaker.failure();
    breaker.success();
    breaker.failure();
    breaker.failure();
    assert.equal(kindOf(breaker), "closed");
    breaker.failure();
    advance(10_000);
    assert.equal(breaker.enter().admitted, true);
    breaker.abandon();
    assert.equal(breaker.enter().admitted, true, "the next call may probe");
  });

  it("adds up to 10% jitter to the recovery time", () => {
    const { breaker } = clockedBreaker(1);
    for (let i = 0; i < 3; i++) breaker.failure();
    const refused = breaker.enter();
    assert.deepEqual(refused, { admitted: false, retryAfterMs: 11_000 });
  });
});

describe("circuit breaker (real tool, real time)", () => {
  it("opens on crashes and failed exits, not on refusals; recovers through a half-open probe", async () => {
    const tool = fixtureTool("outcome.sh");
    const deps = makeDeps(
      {
        MCP_SECURITY_ALLOWED_TARGETS: "loopback",
        MCP_CIRCUIT_BREAKER_FAILURE_THRESHOLD: "2",
        MCP_CIRCUIT_BREAKER_RECOVERY_TIMEOUT: "1",
      },
      { tools: [tool] },
    );
    const call = (behaviour: string, target = "127.0.0.1") =>
      invokeTool(tool, { target, behaviour }, deps, { via: "test" });
    // Policy refusals never count.
    for (let i = 0; i < 3; i++)
      assert.equal((await call("ok", "10.0.0.1")).fields.error_type, "scope_denied");
    assert.equal((await call("crash")).fields.error_type, "execution_error");
    assert.equal((await call("exit:3")).fields.error_type, "execution_error");
    const open = await call("ok");
    assert.equal(open.fields.error_type, "circuit_breaker_open");
    assert.match(open.fields.error ?? "", /retry_after [12] s/);
    await new Promise((r) => setTimeout(r, 1200));
    assert.equal((await call("ok")).fields.error_type, null, "the half-open probe went through");
    assert.equal(deps.breakers.get("fixture")?.state.kind, "closed");
  });
});
