import { dirname } from "node:path";
import { z } from "zod";
import { ok } from "../src/errors.js";
import type { ToolName } from "../src/tools/names.js";
import { commonFields, type AnyToolSpec, type StreamParser } from "../src/tools/spec.js";
import { fixture } from "./helpers.js";

/**
 * A tool whose binary is /bin/sh running one of test/fixtures/bin's scripts, so the real pipeline, sandbox,
 * limiter and breaker can be driven into every ending (hang, flood, crash, exit codes) without a mock.
 */
export function fixtureTool(
  script: string,
  options: { name?: string; requiresRaw?: boolean } = {},
): AnyToolSpec {
  const path = fixture(script);
  const inputSchema = z.object({ ...commonFields, behaviour: z.string().max(64).optional() }).strict();
  return {
    name: (options.name ?? "fixture") as ToolName,
    title: "fixture",
    description: "test fixture",
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    binary: "sh",
    versionArgs: ["-c", "echo fixture"],
    inputSchema,
    parsedSchema: z.null(),
    target: { kind: "host", maxNetworkPrefix: 32 },
    ...(options.requiresRaw ? { requiresRaw: true } : {}),
    grammar: { tool: "fixture", rules: [], refusals: {}, maxTokens: 4 },
    limits: { maxOpenFiles: 256, maxFileBytes: 1024 * 1024, maxDataBytes: 256 * 1024 * 1024 },
    fieldWords: () => [],
    plan: (input: z.infer<typeof inputSchema>) => ok([path, input.behaviour ?? ""]),
    readOnlyPaths: () => [dirname(path)],
    createParser: (): StreamParser<null> => ({ write: () => undefined, end: () => null }),
    summarize: () => "done",
  };
}
