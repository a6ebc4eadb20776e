import type { LoadedConfig } from "./config/load.js";
import { createDeps, isEnabled, toolSetting, type Deps } from "./deps.js";

/**
 * The current deps of a long-running server. A reload builds new deps from a freshly validated config and
 * carries over what has state (running calls, breakers, counters, the audit chain); each call takes one
 * snapshot, so it sees one config from start to end. A config that fails validation changes nothing.
 */
export class Runtime {
  #deps: Deps;
  #reloadError: string | null = null;
  readonly #listeners: ((previous: Deps, next: Deps) => void)[] = [];

  constructor(
    initial: Deps,
    private readonly load: () => LoadedConfig,
  ) {
    this.#deps = initial;
  }

  get deps(): Deps {
    return this.#deps;
  }

  /** Why the last reload was refused, or null when the config in use is the last one read. */
  get reloadError(): string | null {
    return this.#reloadError;
  }

  onChange(listener: (previous: Deps, next: Deps) => void): void {
    this.#listeners.push(listener);
  }

  reload(reason: string): boolean {
    const previous = this.#deps;
    let loaded: LoadedConfig;
    try {
      loaded = this.load();
    } catch (error) {
      this.#reloadError = error instanceof Error ? error.message : String(error);
      previous.metrics.configReload("failure");
      previous.log.error(
        { reason, error: this.#reloadError },
        "config reload refused; keeping the last good config",
      );
      return false;
    }
    const { config } = loaded;
    previous.log.level = config.logging.level;
    for (const spec of previous.tools)
      previous.limiters
        .get(spec.name)
        ?.resize(toolSetting(config, spec.name, "concurrency"), config.tool.queue_size);
    previous.globalLimiter.resize(
      config.tool.global_concurrency,
      config.tool.queue_size * previous.tools.length,
    );
    this.#deps = createDeps(loaded, {
      tools: previous.tools,
      netRaw: previous.netRaw,
      log: previous.log,
      metrics: previous.metrics,
      sandbox: previous.sandbox,
      limiters: previous.limiters,
      globalLimiter: previous.globalLimiter,
      breakers: previous.breakers,
      reaper: previous.reaper,
      findBinary: previous.findBinary,
      binaryHasNetRaw: previous.binaryHasNetRaw,
      audit: previous.audit,
    });
    this.#reloadError = null;
    previous.metrics.configReload("success");
    previous.log.info({ reason, scope: config.security.allowed_targets }, "config reloaded");
    for (const listener of this.#listeners) listener(previous, this.#deps);
    return true;
  }
}

export function enabledToolNames(deps: Deps): string {
  return deps.tools
    .filter((t) => isEnabled(deps.config, t.name))
    .map((t) => t.name)
    .join(",");
}
