import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import {
  CallToolRequestSchema,
  ErrorCode,
  ListResourcesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  type CallToolResult,
  type Tool,
} from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { isEnabled, type Deps } from "./deps.js";
import { invokeTool } from "./pipeline.js";
import type { Denial } from "./errors.js";
import type { HealthReport } from "./observability/health.js";
import { refusedResult, resultSchema, type ToolResult } from "./result.js";
import type { AnyToolSpec } from "./tools/spec.js";

export const SERVER_NAME = "security-mcp-server";
export const HEALTH_URI = "health://status";

/** The JSON Schemas a client sees for a tool; also what the schema snapshot test pins. */
export function describeTool(spec: AnyToolSpec): Tool {
  return {
    name: spec.name,
    title: spec.title,
    description: spec.description,
    inputSchema: jsonSchema(spec.inputSchema, "input") as Tool["inputSchema"],
    outputSchema: jsonSchema(resultSchema(spec.parsedSchema), "output") as Tool["outputSchema"],
    annotations: spec.annotations,
  };
}

function jsonSchema(schema: z.ZodType, io: "input" | "output"): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "throw" });
  return rest;
}

export function toCallToolResult(result: ToolResult): CallToolResult {
  return {
    content: [{ type: "text", text: result.summary }],
    structuredContent: result.fields as unknown as Record<string, unknown>,
    isError: result.isError,
  };
}

/**
 * An MCP server whose tools/list and tools/call go through the pipeline. We register the low-level
 * handlers ourselves so input validation, refusals and results have one shape (error_type included).
 */
export function createServer(
  source: Deps | (() => Deps),
  version: string,
  options: {
    health?: () => Promise<HealthReport>;
    /** A last say before a tool call runs (the HTTP rate limit); a denial becomes the call's result. */
    admit?: (client: string) => Denial | null;
  } = {},
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- the low-level Server on purpose, see below
): { server: Server; close: () => Promise<void> } {
  // A long-running server reads the current deps for every request, so a config reload applies to new calls.
  const current = typeof source === "function" ? source : () => source;
  // The low-level Server on purpose: our pipeline validates input and shapes every result itself.
  // eslint-disable-next-line @typescript-eslint/no-deprecated
  const server = new Server(
    { name: SERVER_NAME, version, title: "Security MCP Server" },
    {
      capabilities: {
        tools: { listChanged: true },
        logging: {},
        ...(options.health ? { resources: {} } : {}),
      },
      instructions:
        "Network-security tools restricted to a configured scope. Every call is checked: targets must be inside security.allowed_targets and options on each tool's allowlist. Refusals explain what is allowed.",
    },
  );
  const enabled = (deps: Deps): AnyToolSpec[] =>
    deps.tools.filter((spec) => isEnabled(deps.config, spec.name));
  const described = new Map(current().tools.map((spec) => [spec.name, describeTool(spec)]));

  // One frozen answer per set of enabled tools: tools/list is the most frequent request, and the HTTP
  // transport serializes a frozen result only once.
  let listed: { key: string; result: { tools: Tool[] } } | undefined;
  server.setRequestHandler(ListToolsRequestSchema, () => {
    const specs = enabled(current());
    const key = specs.map((spec) => spec.name).join(",");
    if (listed?.key !== key)
      listed = {
        key,
        result: Object.freeze({ tools: specs.flatMap((spec) => described.get(spec.name) ?? []) }),
      };
    return listed.result;
  });

  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const deps = current();
    const { name, arguments: args } = request.params;
    const spec = enabled(deps).find((s) => s.name === name);
    if (!spec) {
      const known = enabled(deps)
        .map((s) => s.name)
        .join(", ");
      return toCallToolResult(
        refusedResult(name, (args as { target?: unknown } | undefined)?.target, null, {
          type: "not_found",
          message: `no enabled tool named ${JSON.stringify(name)}; available: ${known || "none"}`,
        }),
      );
    }
    // Over HTTP the transport hands us the caller's key id; stdio has one caller.
    const client = extra.authInfo?.clientId;
    const refused = options.admit?.(client ?? "stdio");
    if (refused)
      return toCallToolResult(
        refusedResult(spec.name, (args as { target?: unknown } | undefined)?.target, null, refused),
      );
    const progressToken = request.params._meta?.progressToken;
    const result = await invokeTool(spec, args ?? {}, deps, {
      via: client === undefined ? "mcp" : "mcp-http",
      ...(client === undefined ? {} : { client }),
      signal: extra.signal,
      ...(progressToken === undefined
        ? {}
        : {
            onProgress: (update) => {
              extra
                .sendNotification({
                  method: "notifications/progress",
                  params: { progressToken, progress: update.progress, message: update.message },
                })
                .catch((error: unknown) => {
                  deps.log.debug({ err: error }, "progress notification not delivered");
                });
            },
          }),
    });
    return toCallToolResult(result);
  });

  const health = options.health;
  if (health) {
    server.setRequestHandler(ListResourcesRequestSchema, () => ({
      resources: [
        {
          uri: HEALTH_URI,
          name: "health",
          title: "Server health",
          mimeType: "application/json",
          description: "Health checks by priority, as /health reports them",
        },
      ],
    }));
    server.setRequestHandler(ReadResourceRequestSchema, async (request) => {
      if (request.params.uri !== HEALTH_URI)
        throw new McpError(ErrorCode.InvalidParams, `unknown resource ${request.params.uri}`);
      const report = await health();
      return { contents: [{ uri: HEALTH_URI, mimeType: "application/json", text: JSON.stringify(report) }] };
    });
  }

  return {
    server,
    close: async () => {
      await server.close();
    },
  };
}
