import type { HealthStatus, Metrics } from "./metrics.js";

export type Priority = "critical" | "important" | "informational";

export interface CheckOutcome {
  readonly status: HealthStatus;
  readonly message: string;
}

export interface HealthCheck {
  readonly name: string;
  readonly priority: Priority;
  run(): Promise<CheckOutcome> | CheckOutcome;
}

export interface CheckResult extends CheckOutcome {
  readonly priority: Priority;
  readonly checked_at: string;
  readonly duration_ms: number;
}

export interface HealthReport {
  readonly status: HealthStatus;
  readonly timestamp: string;
  readonly checks: Readonly<Record<string, CheckResult>>;
  readonly summary: {
    readonly healthy: number;
    readonly degraded: number;
    readonly unhealthy: number;
    readonly total: number;
  };
}

/**
 * A critical check unhealthy makes the server unhealthy; an important one unhealthy makes it degraded; any
 * degraded check makes it degraded; else healthy.
 */
export function overallStatus(results: readonly CheckResult[]): HealthStatus {
  if (results.some((r) => r.priority === "critical" && r.status === "unhealthy")) return "unhealthy";
  if (results.some((r) => r.status !== "healthy")) return "degraded";
  return "healthy";
}

export const HTTP_STATUS: Record<HealthStatus, number> = { healthy: 200, degraded: 207, unhealthy: 503 };

/**
 * Runs the checks in the background every interval, each bounded by a timeout, and answers from the cache;
 * a report older than twice the interval is refreshed on read, so nobody is served stale results.
 */
export class HealthMonitor {
  #report: HealthReport | null = null;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<HealthReport> | null = null;

  constructor(
    private readonly checks: () => readonly HealthCheck[],
    private readonly options: { intervalMs: number; timeoutMs: number; metrics: Metrics },
  ) {}

  start(): void {
    void this.refresh();
    this.#timer = setInterval(() => void this.refresh(), this.options.intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  async report(): Promise<HealthReport> {
    const stale =
      this.#report === null || Date.now() - Date.parse(this.#report.timestamp) > 2 * this.options.intervalMs;
    return stale ? this.refresh() : (this.#report ?? this.refresh());
  }

  refresh(): Promise<HealthReport> {
    this.#running ??= this.#runAll().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  async #runAll(): Promise<HealthReport> {
    const checks = this.checks();
    const results = await Promise.all(checks.map((check) => this.#runOne(check)));
    const status = overallStatus(results);
    const count = (s: HealthStatus): number => results.filter((r) => r.status === s).length;
    const report: HealthReport = {
      status,
      timestamp: new Date().toISOString(),
      checks: Object.fromEntries(checks.map((c, i) => [c.name, results[i] as CheckResult])),
      summary: {
        healthy: count("healthy"),
        degraded: count("degraded"),
        unhealthy: count("unhealthy"),
        total: results.length,
      },
    };
    this.options.metrics.healthStatus(status);
    this.#report = report;
    return report;
  }

  async #runOne(check: HealthCheck): Promise<CheckResult> {
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<CheckOutcome>((resolve) => {
      timer = setTimeout(() => {
        resolve({ status: "unhealthy", message: `no answer within ${this.options.timeoutMs} ms` });
      }, this.options.timeoutMs);
    });
    let outcome: CheckOutcome;
    try {
      outcome = await Promise.race([Promise.resolve(check.run()), timeout]);
    } catch (error) {
      outcome = {
        status: "unhealthy",
        message: `check failed: ${error instanceof Error ? error.message : String(error)}`,
      };
    } finally {
      clearTimeout(timer);
    }
    return {
      ...outcome,
      priority: check.priority,
      checked_at: new Date().toISOString(),
      duration_ms: Number((performance.now() - started).toFixed(1)),
    };
  }
}
