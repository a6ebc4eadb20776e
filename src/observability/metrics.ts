import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { ErrorType } from "../errors.js";
import type { BreakerStateName } from "../resilience/breaker.js";

export type HealthStatus = "healthy" | "degraded" | "unhealthy";

/** What the server reports about itself. One call is counted once, whichever transport carried it. */
export interface Metrics {
  callStarted(tool: string): void;
  callEnded(tool: string, errorType: ErrorType | null, seconds: number): void;
  breakerState(tool: string, state: BreakerStateName): void;
  breakerTransition(tool: string, from: BreakerStateName, to: BreakerStateName): void;
  healthStatus(status: HealthStatus): void;
  configReload(result: "success" | "failure"): void;
  sandboxMode(mode: string): void;
  readonly contentType: string;
  render(): Promise<string>;
}

const POLICY_DENIALS: readonly ErrorType[] = ["validation_error", "scope_denied", "flag_denied"];
const BREAKER_VALUE: Record<BreakerStateName, number> = { closed: 0, open: 1, "half-open": 2 };
const HEALTH_VALUE: Record<HealthStatus, number> = { healthy: 0, degraded: 1, unhealthy: 2 };
// Scans take from under a second to an hour.
const SECONDS_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600];

/** Prometheus metrics of CONTRACT.md on the server's own registry (never prom-client's global one). */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const make = <T>(build: (registers: Registry[]) => T): T => build([registry]);
  const executions = make(
    (registers) =>
      new Counter({
        name: "mcp_tool_execution_total",
        help: "Tool calls by outcome",
        labelNames: ["tool", "status", "error_type"],
        registers,
      }),
  );
  const duration = make(
    (registers) =>
      new Histogram({
        name: "mcp_tool_execution_seconds",
        help: "Tool call duration",
        labelNames: ["tool"],
        buckets: SECONDS_BUCKETS,
        registers,
      }),
  );
  const active = make(
    (registers) =>
      new Gauge({ name: "mcp_tool_active", help: "Tool calls in progress", labelNames: ["tool"], registers }),
  );
  const errors = make(
    (registers) =>
      new Counter({
        name: "mcp_tool_errors_total",
        help: "Failed tool calls",
        labelNames: ["tool", "error_type"],
        registers,
      }),
  );
  const breakerState = make(
    (registers) =>
      new Gauge({
        name: "mcp_circuit_breaker_state",
        help: "0 closed, 1 open, 2 half-open",
        labelNames: ["tool"],
        registers,
      }),
  );
  const transitions = make(
    (registers) =>
      new Counter({
        name: "mcp_circuit_breaker_transitions_total",
        help: "Circuit breaker state changes",
        labelNames: ["tool", "from_state", "to_state"],
        registers,
      }),
  );
  const denials = make(
    (registers) =>
      new Counter({
        name: "mcp_policy_denials_total",
        help: "Calls refused by policy",
        labelNames: ["tool", "reason"],
        registers,
      }),
  );
  const health = make(
    (registers) =>
      new Gauge({ name: "mcp_health_status", help: "0 healthy, 1 degraded, 2 unhealthy", registers }),
  );
  const reloads = make(
    (registers) =>
      new Counter({
        name: "mcp_config_reload_total",
        help: "Config reloads by result",
        labelNames: ["result"],
        registers,
      }),
  );
  const sandbox = make(
    (registers) =>
      new Gauge({
        name: "mcp_sandbox_mode",
        help: "1 for the sandbox mode in use",
        labelNames: ["mode"],
        registers,
      }),
  );
  // A render is reused for up to a second while none of the server's own metrics changed (every method
  // below bumps `version`): a burst of scrapes costs one render, mostly prom-client's event-loop histogram;
  // process metrics (CPU, memory, lag) are samples anyway. A change shows in the very next scrape.
  let version = 0;
  let rendered: { text: string; version: number; at: number } | undefined;
  return {
    callStarted: (tool) => {
      version++;
      active.inc({ tool });
    },
    callEnded: (tool, errorType, seconds) => {
      version++;
      active.dec({ tool });
      executions.inc({
        tool,
        status: errorType === null ? "success" : "failure",
        error_type: errorType ?? "none",
      });
      duration.observe({ tool }, seconds);
      if (errorType !== null) errors.inc({ tool, error_type: errorType });
      if (errorType !== null && POLICY_DENIALS.includes(errorType)) denials.inc({ tool, reason: errorType });
    },
    breakerState: (tool, state) => {
      version++;
      breakerState.set({ tool }, BREAKER_VALUE[state]);
    },
    breakerTransition: (tool, from, to) => {
      version++;
      transitions.inc({ tool, from_state: from, to_state: to });
      breakerState.set({ tool }, BREAKER_VALUE[to]);
    },
    healthStatus: (status) => {
      version++;
      health.set(HEALTH_VALUE[status]);
    },
    configReload: (result) => {
      version++;
      reloads.inc({ result });
    },
    sandboxMode: (mode) => {
      version++;
      sandbox.reset();
      sandbox.set({ mode }, 1);
    },
    contentType: registry.contentType,
    render: async () => {
      const now = Date.now();
      if (rendered?.version === version && now - rendered.at < 1000) return rendered.text;
      const at = version;
      const text = await registry.metrics();
      rendered = { text, version: at, at: now };
      return text;
    },
  };
}

/** metrics.enabled: false. Same shape, so callers never test for a missing metrics object. */
export const noMetrics: Metrics = {
  callStarted: () => undefined,
  callEnded: () => undefined,
  breakerState: () => undefined,
  breakerTransition: () => undefined,
  healthStatus: () => undefined,
  configReload: () => undefined,
  sandboxMode: () => undefined,
  contentType: "text/plain; version=0.0.4; charset=utf-8",
  render: () => Promise.resolve("# metrics.enabled is false\n"),
};
