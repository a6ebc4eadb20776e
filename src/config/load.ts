import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import { compileRules, type Scope } from "../policy/scope.js";
import { configSchema, type Config } from "./schema.js";

/** A config that cannot be used; the message names the key, the value, where it came from and what is allowed. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

export interface LoadedConfig {
  readonly config: Readonly<Config>;
  readonly scope: Scope;
  readonly file: string | undefined;
}

type Leaf = "number" | "boolean" | "list" | "string";

/** Environment names that predate the MCP_<SECTION>_<KEY> scheme and must keep working. */
const ENV_ALIASES: Record<string, string> = {
  TOOL_INCLUDE: "tool.include",
  TOOL_EXCLUDE: "tool.exclude",
  LOG_LEVEL: "logging.level",
};

/** Values never printed, not even in a config error. */
const SECRET_KEYS = new Set(["security.api_keys"]);

export function envName(key: string): string {
  return `MCP_${key.replace(/\./g, "_").toUpperCase()}`;
}

/** Loads defaults < YAML file < environment, validates, and freezes. Throws ConfigError on any bad value. */
export function loadConfig(options: {
  file?: string;
  env: NodeJS.ProcessEnv;
  overrides?: Record<string, unknown>;
}): LoadedConfig {
  const file = options.file ?? (options.env.MCP_CONFIG_FILE || undefined);
  const sources = new Map<string, string>();
  const raw: Record<string, unknown> = {};
  if (file) mergeInto(raw, readYaml(file), `file ${file}`, sources, "");
  for (const [key, leaf] of leafKeys()) {
    const alias = Object.keys(ENV_ALIASES).find((a) => ENV_ALIASES[a] === key);
    const name = options.env[envName(key)] !== undefined ? envName(key) : alias;
    const text = name === undefined ? undefined : options.env[name];
    if (name === undefined || text === undefined) continue;
    setPath(raw, key, coerce(text, leaf));
    sources.set(key, `environment ${name}`);
  }
  for (const [key, value] of Object.entries(options.overrides ?? {})) {
    if (value === undefined) continue;
    setPath(raw, key, value);
    sources.set(key, "command line");
  }
  addKeyFile(raw);
  const result = configSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(describeIssues(result.error.issues, raw, sources));
  const config = result.data;
  const scope = compileScope(config, sources);
  checkBind(config);
  return { config: deepFreeze(config), scope, file };
}

function readYaml(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigError(`config file ${file} cannot be read: ${(error as Error).message}`);
  }
  try {
    return parseYaml(text) ?? {};
  } catch (error) {
    throw new ConfigError(`config file ${file} is not valid YAML: ${(error as Error).message}`);
  }
}

function mergeInto(
  target: Record<string, unknown>,
  value: unknown,
  source: string,
  sources: Map<string, string>,
  prefix: string,
): void {
  if (!isPlainObject(value)) {
    if (prefix === "")
      throw new ConfigError(`${source} must hold a mapping of sections (server, security, tool, ...)`);
    return;
  }
  for (const [key, child] of Object.entries(value)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (isPlainObject(child)) {
      const existing = target[key];
      const nested = isPlainObject(existing) ? existing : {};
      target[key] = nested;
      mergeInto(nested, child, source, sources, path);
    } else {
      target[key] = child;
      sources.set(path, source);
    }
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function setPath(target: Record<string, unknown>, key: string, value: unknown): void {
  const parts = key.split(".");
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    node[part] = isPlainObject(next) ? next : {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1] ?? ""] = value;
}

function getPath(source: Record<string, unknown>, path: readonly PropertyKey[]): unknown {
  let node: unknown = source;
  for (const part of path) node = isPlainObject(node) ? node[String(part)] : undefined;
  return node;
}

/** Turns an environment string into the leaf's type; a string that does not fit is left for the schema to reject. */
function coerce(text: string, leaf: Leaf): unknown {
  const trimmed = text.trim();
  switch (leaf) {
    case "number":
      return /^-?[0-9]+(\.[0-9]+)?$/.test(trimmed) ? Number(trimmed) : text;
    case "boolean":
      if (/^(true|1|yes|on)$/i.test(trimmed)) return true;
      if (/^(false|0|no|off)$/i.test(trimmed)) return false;
      return text;
    case "list":
      return trimmed === ""
        ? []
        : trimmed
            .split(",")
            .map((s) => s.trim())
            .filter((s) => s !== "");
    case "string":
      return trimmed;
  }
}

type AnySchema = z.ZodType;

function unwrap(schema: AnySchema): AnySchema {
  let current = schema;
  for (;;) {
    const def = current.def as { type: string; innerType?: AnySchema };
    if (!["default", "prefault", "optional"].includes(def.type) || !def.innerType) return current;
    current = def.innerType;
  }
}

/** Every settable key (section.key, and tool.<name>.key) with its type, read from the schema itself. */
export function leafKeys(): [string, Leaf][] {
  const keys: [string, Leaf][] = [];
  const walk = (schema: AnySchema, prefix: string): void => {
    const inner = unwrap(schema);
    const type = (inner.def as { type: string }).type;
    if (type === "object") {
      const shape = (inner as z.ZodObject).shape;
      for (const [name, child] of Object.entries(shape))
        walk(child as AnySchema, prefix ? `${prefix}.${name}` : name);
      return;
    }
    const leaf: Leaf =
      type === "number" ? "number" : type === "boolean" ? "boolean" : type === "array" ? "list" : "string";
    keys.push([prefix, leaf]);
  };
  walk(configSchema, "");
  return keys;
}

function describeIssues(
  issues: readonly z.core.$ZodIssue[],
  raw: Record<string, unknown>,
  sources: Map<string, string>,
): string {
  return issues
    .map((issue) => {
      const path = issue.path.filter((p) => typeof p !== "number");
      const key = path.map(String).join(".");
      const value = SECRET_KEYS.has(path.slice(0, 2).map(String).join("."))
        ? "[redacted]"
        : getPath(raw, issue.path);
      const from = sources.get(key) ?? sources.get(path.slice(0, -1).map(String).join(".")) ?? "defaults";
      if (issue.code === "unrecognized_keys")
        return `unknown config key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => (key ? `${key}.${k}` : k)).join(", ")} (from ${from}); see README "Configuration" for the keys`;
      return `config key ${key} = ${JSON.stringify(value)} (from ${from}) is invalid: ${issue.message}`;
    })
    .join("\n");
}

function compileScope(config: Config, sources: Map<string, string>): Scope {
  const compile = (key: "allowed_targets" | "excluded_targets") => {
    const rules = compileRules(config.security[key]);
    if (typeof rules === "string") {
      const from = sources.get(`security.${key}`) ?? "defaults";
      throw new ConfigError(`config key security.${key} (from ${from}) is invalid: ${rules}`);
    }
    return rules;
  };
  return { allowed: compile("allowed_targets"), excluded: compile("excluded_targets") };
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || (isIP(host) === 4 && host.startsWith("127."));
}

function checkBind(config: Config): void {
  const noKeys = config.security.api_keys.length === 0;
  if (config.server.transport === "http" && !isLoopback(config.server.host) && noKeys)
    throw new ConfigError(
      `config key server.host = ${JSON.stringify(config.server.host)} binds HTTP beyond loopback without security.api_keys; set MCP_SECURITY_API_KEYS or bind 127.0.0.1`,
    );
  if (config.metrics.port !== undefined && !isLoopback(config.metrics.host) && noKeys)
    throw new ConfigError(
      `config key metrics.host = ${JSON.stringify(config.metrics.host)} exposes metrics beyond loopback without security.api_keys; set MCP_SECURITY_API_KEYS or bind 127.0.0.1`,
    );
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** Keys from security.api_key_file join security.api_keys; a file that cannot be read is an error (fail closed). */
function addKeyFile(raw: Record<string, unknown>): void {
  const security = isPlainObject(raw.security) ? raw.security : undefined;
  const file = security?.api_key_file;
  if (typeof file !== "string" || !security) return;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigError(
      `config key security.api_key_file = ${JSON.stringify(file)} cannot be read: ${(error as Error).message}`,
    );
  }
  const keys = text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
  const existing = Array.isArray(security.api_keys) ? (security.api_keys as unknown[]) : [];
  security.api_keys = [...existing, ...keys];
}
