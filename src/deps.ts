import type { LoadedConfig } from "./config/load.js";
import type { Config } from "./config/schema.js";
import { findBinary } from "./exec/binaries.js";
import { probeSandbox, type SandboxStatus } from "./exec/bwrap.js";
import { binaryHasNetRaw, hasNetRaw } from "./exec/privileges.js";
import { ProcessReaper } from "./exec/reaper.js";
import { createLogger, type Logger } from "./observability/log.js";
import { systemResolver } from "./policy/resolve.js";
import type { Scope } from "./policy/scope.js";
import type { Resolver } from "./policy/target.js";
import { CircuitBreaker } from "./resilience/breaker.js";
import { Limiter } from "./resilience/limiter.js";
import { TOOLS } from "./tools/index.js";
import type { ToolName } from "./tools/names.js";
import { loadScriptCatalog, type ScriptCatalog } from "./tools/nmap-scripts.js";
import { findWordlist } from "./tools/wordlists.js";
import type { AnyToolSpec, Catalogs } from "./tools/spec.js";

/** Everything the pipeline needs, built once and passed down; nothing lives in module globals. */
export interface Deps {
  readonly config: Readonly<Config>;
  readonly scope: Scope;
  readonly log: Logger;
  readonly resolver: Resolver;
  readonly reaper: ProcessReaper;
  readonly netRaw: boolean;
  readonly sandbox: SandboxStatus;
  readonly catalogs: Catalogs;
  readonly tools: readonly AnyToolSpec[];
  readonly limiters: ReadonlyMap<string, Limiter>;
  /** Caps calls across all tools. */
  readonly globalLimiter: Limiter;
  readonly breakers: ReadonlyMap<string, CircuitBreaker>;
  readonly findBinary: (name: string) => string | null;
  /** Whether a binary can open raw sockets by its own file capabilities. */
  readonly binaryHasNetRaw: (binary: string) => Promise<boolean>;
}

export function createDeps(loaded: LoadedConfig, overrides: Partial<Deps> = {}): Deps {
  const { config } = loaded;
  const tools = overrides.tools ?? TOOLS;
  const netRaw = overrides.netRaw ?? hasNetRaw();
  const { queue_size: queueSize } = config.tool;
  const limiters = new Map(
    tools.map((spec) => [spec.name, new Limiter(toolSetting(config, spec.name, "concurrency"), queueSize)]),
  );
  const log = overrides.log ?? createLogger(config.logging.level);
  const breakers = new Map(
    tools.map((spec) => [
      spec.name,
      new CircuitBreaker({
        failureThreshold: config.circuit_breaker.failure_threshold,
        recoveryMs: config.circuit_breaker.recovery_timeout * 1000,
        maxRecoveryMs: config.circuit_breaker.max_recovery_timeout * 1000,
        onTransition: (from, to) => {
          log.warn({ tool: spec.name, from_state: from, to_state: to }, `circuit breaker ${from} -> ${to}`);
        },
      }),
    ]),
  );
  return {
    config,
    scope: loaded.scope,
    log,
    resolver: systemResolver(config.security.resolve_timeout * 1000),
    reaper: new ProcessReaper(),
    netRaw,
    sandbox: overrides.sandbox ?? probeSandbox(netRaw),
    catalogs: {
      nmapScripts: once(loadNmapScripts),
      wordlist: (name) =>
        findWordlist(name, config.tool.gobuster.wordlist_dirs, config.tool.gobuster.max_wordlist_bytes),
    },
    tools,
    limiters,
    globalLimiter: new Limiter(config.tool.global_concurrency, queueSize * tools.length),
    breakers,
    findBinary,
    binaryHasNetRaw: (binary) => Promise.resolve(binaryHasNetRaw(binary)),
    ...overrides,
  };
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
