import type { LoadedConfig } from "./config/load.js";
import type { Config } from "./config/schema.js";
import { findBinary } from "./exec/binaries.js";
import { binaryHasNetRaw, hasNetRaw } from "./exec/privileges.js";
import { ProcessReaper } from "./exec/reaper.js";
import { createLogger, type Logger } from "./observability/log.js";
import { systemResolver } from "./policy/resolve.js";
import type { Scope } from "./policy/scope.js";
import type { Resolver } from "./policy/target.js";
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
  readonly catalogs: Catalogs;
  readonly tools: readonly AnyToolSpec[];
  readonly limiters: ReadonlyMap<string, Limiter>;
  readonly findBinary: (name: string) => string | null;
  /** Whether a binary can open raw sockets by its own file capabilities. */
  readonly binaryHasNetRaw: (binary: string) => Promise<boolean>;
}

/** Queued calls beyond the running ones; past this a call gets resource_exhausted at once. */
const MAX_QUEUED_PER_TOOL = 32;

export function createDeps(loaded: LoadedConfig, overrides: Partial<Deps> = {}): Deps {
  const { config } = loaded;
  const tools = overrides.tools ?? TOOLS;
  const limiters = new Map(
    tools.map((spec) => [
      spec.name,
      new Limiter(toolSetting(config, spec.name, "concurrency"), MAX_QUEUED_PER_TOOL),
    ]),
  );
  return {
    config,
    scope: loaded.scope,
    log: createLogger(config.logging.level),
    resolver: systemResolver(config.security.resolve_timeout * 1000),
    reaper: new ProcessReaper(),
    netRaw: hasNetRaw(),
    catalogs: {
      nmapScripts: once(loadNmapScripts),
      wordlist: (name) =>
        findWordlist(name, config.tool.gobuster.wordlist_dirs, config.tool.gobuster.max_wordlist_bytes),
    },
    tools,
    limiters,
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
  const value = config.tool[name][key];
  if (value !== undefined) return value;
  return key === "timeout" ? config.tool.default_timeout : config.tool.default_concurrency;
}

export function maxNetworkPrefix(config: Readonly<Config>, spec: AnyToolSpec): number {
  return config.tool[spec.name].max_network_prefix ?? spec.target.maxNetworkPrefix;
}

export function isEnabled(config: Readonly<Config>, name: string): boolean {
  const { include, exclude } = config.tool;
  if (include.length > 0 && !(include as readonly string[]).includes(name)) return false;
  return !(exclude as readonly string[]).includes(name);
}
