import type { LoadedConfig } from "./config/load.js";
import { createDeps, isEnabled, toolSetting, type Deps } from "./deps.js";

/**
 * The current deps of a long-running server. A reload builds new deps from a freshly validated config and
 * carries over what has state (running calls, breakers, counters, the audit chain); each call takes one
 * snapshot, so it sees one config from start to end. A config that fails validation changes nothing.
 */
export class Runtime {
  #deps: Deps;
  #loaded: LoadedConfig;
  #reloadError: string | null = null;
  readonly #listeners: ((previous: Deps, next: Deps) => void)[] = [];
  /** Tools enabled or disabled at run time (REST); they outlive config reloads until the server restarts. */
  readonly #toggles = new Map<string, boolean>();

  constructor(
    initial: Deps,
    loaded: LoadedConfig,
    private readonly load: () => LoadedConfig,
  ) {
    this.#deps = initial;
    this.#loaded = loaded;
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

  /** Enables or disables a tool for every transport; connected MCP clients hear tools/list_changed. */
  setEnabled(name: string, enabled: boolean): void {
    this.#toggles.set(name, enabled);
    this.#apply(this.#loaded, `tool ${name} ${enabled ? "enabled" : "disabled"}`);
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
    this.#reloadError = null;
    previous.metrics.configReload("success");
    this.#apply(loaded, reason);
    return true;
  }

  #apply(fresh: LoadedConfig, reason: string): void {
    const previous = this.#deps;
    this.#loaded = fresh;
    const loaded = withToggles(fresh, this.#toggles);
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
      events: previous.events,
      jobs: previous.jobs,
    });
    previous.log.info({ reason, scope: config.security.allowed_targets }, "configuration applied");
    for (const listener of this.#listeners) listener(previous, this.#deps);
  }
}

/** The config with run-time tool toggles laid over tool.include / tool.exclude. */
function withToggles(loaded: LoadedConfig, toggles: ReadonlyMap<string, boolean>): LoadedConfig {
  if (toggles.size === 0) return loaded;
  const { config } = loaded;
  let include = [...config.tool.include] as string[];
  let exclude = [...config.tool.exclude] as string[];
  for (const [name, enabled] of toggles) {
    exclude = exclude.filter((n) => n !== name);
    if (enabled && include.length > 0 && !include.includes(name)) include = [...include, name];
    if (!enabled) exclude = [...exclude, name];
  }
  const tool = Object.freeze({ ...config.tool, include, exclude }) as typeof config.tool;
  return { ...loaded, config: Object.freeze({ ...config, tool }) };
}

export function enabledToolNames(deps: Deps): string {
  return deps.tools
    .filter((t) => isEnabled(deps.config, t.name))
    .map((t) => t.name)
    .join(",");
}
