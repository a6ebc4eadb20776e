import type { IncomingMessage } from "node:http";
import { isEnabled, toolSetting, type Deps } from "../../deps.js";
import type { HealthMonitor } from "../../observability/health.js";
import { HTTP_STATUS } from "../../observability/health.js";
import { invokeTool } from "../../pipeline.js";
import type { Runtime } from "../../runtime.js";
import type { AnyToolSpec } from "../../tools/spec.js";
import { VERSION } from "../../version.js";
import { SERVER_NAME } from "../../server.js";
import type { Rejection } from "./guards.js";

export interface RestContext {
  readonly runtime: Runtime;
  readonly health: HealthMonitor;
  readonly caller: string;
  /** A rate-limit refusal for a tool call, or null. */
  readonly admit: (caller: string) => Rejection | null;
}

export type Reply = {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
};

const POLICY_DENIALS = new Set(["validation_error", "scope_denied", "flag_denied"]);

/** The earlier server's class names (`NmapTool`) still reach their tool. */
function findSpec(deps: Deps, name: string): AnyToolSpec | undefined {
  const plain = name.replace(/Tool$/, "").toLowerCase();
  return deps.tools.find((t) => t.name === name || t.name === plain);
}

function describeTools(deps: Deps) {
  const tools = deps.tools.map((spec) => ({
    name: spec.name,
    enabled: isEnabled(deps.config, spec.name),
    command: spec.binary,
    description: spec.description,
    concurrency: toolSetting(deps.config, spec.name, "concurrency"),
    timeout: toolSetting(deps.config, spec.name, "timeout"),
    available: deps.findBinary(spec.binary) !== null,
    circuit_breaker: deps.breakers.get(spec.name)?.state.kind ?? "closed",
  }));
  return { tools, total: tools.length, enabled: tools.filter((t) => t.enabled).length };
}

/** Effective config with secrets replaced, for GET /config. */
function redactedConfig(deps: Deps): unknown {
  const { security } = deps.config;
  return {
    ...deps.config,
    security: {
      ...security,
      api_keys: security.api_keys.map(() => "[redacted]"),
      ...(security.api_key_file === undefined ? {} : { api_key_file: security.api_key_file }),
    },
  };
}

/** The REST API of CONTRACT.md; null when no route matches (the caller answers 404). */
export async function routeRest(
  req: IncomingMessage,
  path: string,
  body: unknown,
  ctx: RestContext,
): Promise<Reply | null> {
  const deps = ctx.runtime.deps;
  const method = req.method ?? "GET";
  if (method === "GET" && path === "/")
    return {
      status: 200,
      body: {
        name: SERVER_NAME,
        version: VERSION,
        transport: "http",
        tools: {
          total: deps.tools.length,
          enabled: deps.tools.filter((t) => isEnabled(deps.config, t.name)).length,
        },
        endpoints: [
          "/mcp",
          "/health",
          "/tools",
          "/tools/{name}/execute",
          "/tools/{name}/enable",
          "/tools/{name}/disable",
          "/metrics",
          "/events",
          "/config",
        ],
      },
    };
  if (method === "GET" && path === "/health") {
    const report = await ctx.health.report();
    return { status: HTTP_STATUS[report.status], body: report };
  }
  if (method === "GET" && path === "/tools") return { status: 200, body: describeTools(deps) };
  if (method === "GET" && path === "/config") return { status: 200, body: redactedConfig(deps) };
  const match = /^\/tools\/([A-Za-z0-9_-]+)\/(execute|enable|disable)$/.exec(path);
  if (method !== "POST" || !match) return null;
  const [, name = "", action] = match;
  const spec = findSpec(deps, name);
  if (!spec)
    return {
      status: 404,
      body: { error: `no tool named ${name}; tools: ${deps.tools.map((t) => t.name).join(", ")}` },
    };
  if (action === "enable" || action === "disable") {
    // The runtime tells every MCP session (tools/list_changed) through its change listeners.
    ctx.runtime.setEnabled(spec.name, action === "enable");
    return { status: 200, body: { tool: spec.name, enabled: action === "enable" } };
  }
  if (!isEnabled(deps.config, spec.name))
    return { status: 403, body: { error: `tool ${spec.name} is disabled` } };
  const limited = ctx.admit(ctx.caller);
  if (limited)
    return {
      status: limited.status,
      body: { error: limited.error },
      ...(limited.headers ? { headers: limited.headers } : {}),
    };
  const result = await invokeTool(spec, body ?? {}, deps, { via: "rest", client: ctx.caller });
  const errorType = result.fields.error_type;
  return { status: errorType !== null && POLICY_DENIALS.has(errorType) ? 400 : 200, body: result.fields };
}
