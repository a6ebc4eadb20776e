import type { Deps } from "../deps.js";
import type { ErrorType } from "../errors.js";
import { invokeTool } from "../pipeline.js";
import { printError, printLine } from "./output.js";

export interface RunOptions {
  readonly tool: string;
  readonly target: string | undefined;
  readonly args: string | undefined;
  readonly input: string | undefined;
  readonly timeout: string | undefined;
  readonly json: boolean;
}

const POLICY_DENIALS: readonly ErrorType[] = ["validation_error", "scope_denied", "flag_denied"];

/** `security-mcp run`: one call through the same pipeline as MCP. Exit 0 ok, 1 tool failure, 2 policy denial. */
export async function runCommand(deps: Deps, options: RunOptions): Promise<number> {
  const spec = deps.tools.find((t) => t.name === options.tool);
  if (!spec) {
    printError(
      `unknown tool ${JSON.stringify(options.tool)}; tools: ${deps.tools.map((t) => t.name).join(", ")}`,
    );
    return 2;
  }
  let input: Record<string, unknown> = {};
  if (options.input !== undefined) {
    try {
      input = JSON.parse(options.input) as Record<string, unknown>;
    } catch {
      printError("--input must be a JSON object of the tool's fields");
      return 2;
    }
  }
  if (options.target !== undefined) input.target = options.target;
  if (options.args !== undefined) input.extra_args = options.args;
  if (options.timeout !== undefined) input.timeout_sec = Number(options.timeout);
  const controller = new AbortController();
  // Ctrl-C or a SIGTERM stops the tool's whole process group before we exit, like an MCP cancel.
  const onSignal = (): void => {
    controller.abort();
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const result = await invokeTool(spec, input, deps, {
      via: "cli",
      signal: controller.signal,
      onProgress: (update) => {
        printError(`progress: ${update.message}`);
      },
    });
    if (options.json) printLine(JSON.stringify(result.fields, null, 2));
    else if (result.isError) printError(result.summary);
    else printLine(result.summary);
    const type = result.fields.error_type;
    return type === null ? 0 : POLICY_DENIALS.includes(type) ? 2 : 1;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
