import type { LoadedConfig } from "./config/load.js";
import type { Config } from "./config/schema.js";
import { cachedFindBinary } from "./exec/binaries.js";
import { probeSandbox, probeSandboxAsync, type SandboxStatus } from "./exec/bwrap.js";
import { binaryHasNetRaw, hasNetRaw } from "./exec/privileges.js";
import { ProcessReaper } from "./exec/reaper.js";
import { EventEmitter } from "node:events";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { AuditLog, defaultAuditPath, noAudit, type AuditSink } from "./observability/audit.js";
import { createLogger, type Logger } from "./observability/log.js";
import { createMetrics, noMetrics, type Metrics } from "./observability/metrics.js";
import { systemResolver } from "./policy/resolve.js";
import type { Scope } from "./policy/scope.js";
import type { Resolver } from "./policy/target.js";
import { CircuitBreaker } from "./resilience/breaker.js";
import { Limiter } from "./resilience/limiter.js";
import { TOOLS } from "./tools/index.js";
import type { ToolName } from "./tools/names.js";
import { loadScriptCatalog, type ScriptCatalog } from "./tools/nmap-scripts.js";
import { findList, findWordlist, SHIPPED_CREDENTIAL_DIR } from "./tools/wordlists.js";
import { JobManager } from "./jobs/manager.js";
import { JobStore } from "./jobs/store.js";
import type { AnyToolSpec, Catalogs } from "./tools/spec.js";

/** Everything the pipeline needs, built once and passed down; nothing lives in module globals. */
export interface Deps {
  readonly config: Readonly<Config>;
  readonly scope: Scope;
  readonly log: Logger;
  readonly resolver: Resolver;
  readonly reaper: ProcessReaper;
  readonly netRaw: boolean;
  /** How tools are isolated; read before the background probe ended, it probes at once (same answer). */
  readonly sandbox: SandboxStatus;
  /** The sandbox mode once the probe that start-up does not wait for has ended. */
  readonly sandboxReady: Promise<SandboxStatus>;
  readonly catalogs: Catalogs;
  readonly tools: readonly AnyToolSpec[];
  readonly limiters: ReadonlyMap<string, Limiter>;
  /** Caps calls across all tools. */
  readonly globalLimiter: Limiter;
  readonly breakers: ReadonlyMap<string, CircuitBreaker>;
  readonly findBinary: (name: string) => string | null;
  /** Whether a binary can open raw sockets by its own file capabilities. */
  readonly binaryHasNetRaw: (binary: string) => Promise<boolean>;
  readonly metrics: Metrics;
  readonly audit: AuditSink;
  /** "tool" events (call started / ended) for live views such as the HTTP /events stream. */
  readonly events: EventEmitter;
  /** Every call that runs is a job: scan_start/scan_result, scan:// resources, and the raw output's pages. */
  readonly jobs: JobManager;
}

/**
 * Builds the deps for a config. Stateful parts (reaper, limiters, breakers, metrics, audit) come from
 * `overrides` when given, which is how a config reload keeps running calls, breaker state and counters.
 */
export function createDeps(loaded: LoadedConfig, overrides: Partial<Deps> = {}): Deps {
  const { config } = loaded;
  const tools = overrides.tools ?? TOOLS;
  const netRaw = overrides.netRaw ?? hasNetRaw();
  const log = overrides.log ?? createLogger(config.logging.level);
  const metrics = overrides.metrics ?? (config.metrics.enabled ? createMetrics() : noMetrics);
  const sandbox = sandboxProbe(overrides.sandbox, netRaw, metrics);
  const limiters =
    overrides.limiters ??
    new Map(
      tools.map((spec) => [
        spec.name,
        new Limiter(toolSetting(config, spec.name, "concurrency"), config.tool.queue_size),
      ]),
    );
  const breakers =
    overrides.breakers ??
    new Map(
      tools.map((spec) => {
        metrics.breakerState(spec.name, "closed");
        const breaker = new CircuitBreaker({
          failureThreshold: config.circuit_breaker.failure_threshold,
          recoveryMs: config.circuit_breaker.recovery_timeout * 1000,
          maxRecoveryMs: config.circuit_breaker.max_recovery_timeout * 1000,
          onTransition: (from, to) => {
            metrics.breakerTransition(spec.name, from, to);
            log.warn({ tool: spec.name, from_state: from, to_state: to }, `circuit breaker ${from} -> ${to}`);
          },
        });
        return [spec.name, breaker] as const;
      }),
    );
  return {
    config,
    scope: loaded.scope,
    tools,
    netRaw,
    log,
    metrics,
    get sandbox() {
      return sandbox.current();
    },
    sandboxReady: sandbox.ready,
    limiters,
    breakers,
    resolver: overrides.resolver ?? systemResolver(config.security.resolve_timeout * 1000),
    reaper: overrides.reaper ?? new ProcessReaper(),
    globalLimiter:
      overrides.globalLimiter ??
      new Limiter(config.tool.global_concurrency, config.tool.queue_size * tools.length),
    catalogs: overrides.catalogs ?? {
      nmapScripts: once(loadNmapScripts),
      wordlist: (name) =>
        findWordlist(name, config.tool.gobuster.wordlist_dirs, config.tool.gobuster.max_wordlist_bytes),
      credentials: (name) =>
        findList(name, {
          what: "credential list",
          dirs: [SHIPPED_CREDENTIAL_DIR, ...config.tool.hydra.wordlist_dirs],
          maxBytes: config.tool.hydra.max_wordlist_bytes,
          maxBytesKey: "tool.hydra.max_wordlist_bytes",
        }),
    },
    findBinary: overrides.findBinary ?? cachedFindBinary(),
    binaryHasNetRaw: overrides.binaryHasNetRaw ?? ((binary) => Promise.resolve(binaryHasNetRaw(binary))),
    events: overrides.events ?? new EventEmitter(),
    audit:
      overrides.audit ??
      (config.audit.enabled
        ? new AuditLog(config.audit.path ?? defaultAuditPath(process.env, homedir()), config.audit.max_size)
        : noAudit),
    jobs:
      overrides.jobs ??
      new JobManager(new JobStore(config.jobs.dir ?? defaultJobsDir(config, process.env, homedir())), () => ({
        maxJobs: config.jobs.max_jobs,
        maxTotalBytes: config.jobs.max_total_bytes,
        maxAgeSeconds: config.jobs.max_age,
      })),
  };
}

/** Beside the audit log: `jobs/` in audit.path's directory, else `$XDG_STATE_HOME/security-mcp/jobs`. */
function defaultJobsDir(config: Readonly<Config>, env: NodeJS.ProcessEnv, home: string): string {
  return join(dirname(config.audit.path ?? defaultAuditPath(env, home)), "jobs");
}

function loadNmapScripts(): ScriptCatalog | Error {
  try {
    return loadScriptCatalog();
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

function once<T>(load: () => T): () => T {
  let loaded: { value: T } | undefined;
  return () => (loaded ??= { value: load() }).value;
}

/** tool.<name>.timeout / concurrency, falling back to tool.default_*. */
export function toolSetting(
  config: Readonly<Config>,
  name: ToolName,
  key: "timeout" | "concurrency",
): number {
  // Optional chaining: test fixtures register tools that have no config section.
  const own = config.tool[name] as { timeout?: number; concurrency?: number } | undefined;
  const value = own?.[key];
  if (value !== undefined) return value;
  return key === "timeout" ? config.tool.default_timeout : config.tool.default_concurrency;
}

export function maxNetworkPrefix(config: Readonly<Config>, spec: AnyToolSpec): number {
  const own = config.tool[spec.name] as { max_network_prefix?: number } | undefined;
  return own?.max_network_prefix ?? spec.target.maxNetworkPrefix;
}

export function isEnabled(config: Readonly<Config>, name: string): boolean {
  const { include, exclude } = config.tool;
  if (include.length > 0 && !(include as readonly string[]).includes(name)) return false;
  return !(exclude as readonly string[]).includes(name);
}

/**
 * The sandbox mode, probed in the background so start-up does not wait for two bwrap runs. Whoever needs
 * it before that probe ends (a tool call in the first milliseconds) runs the same probe at once.
 */
function sandboxProbe(
  known: SandboxStatus | undefined,
  netRaw: boolean,
  metrics: Metrics,
): { current: () => SandboxStatus; ready: Promise<SandboxStatus> } {
  let status: SandboxStatus | undefined;
  const settle = (found: SandboxStatus): SandboxStatus => {
    if (status === undefined) {
      status = found;
      metrics.sandboxMode(found.mode);
    }
    return status;
  };
  const current = (): SandboxStatus => status ?? settle(probeSandbox(netRaw));
  if (known !== undefined) return { current: () => settle(known), ready: Promise.resolve(settle(known)) };
  return { current, ready: probeSandboxAsync(netRaw).then(settle, current) };
}
