#!/usr/bin/env node
import { parseArgs } from "node:util";
import { printError, printLine } from "./commands/output.js";
import { ConfigError, loadConfig, type LoadedConfig } from "./config/load.js";
import { createDeps } from "./deps.js";
import { createLogger } from "./observability/log.js";
import { Runtime } from "./runtime.js";
import { VERSION } from "./version.js";

const USAGE = `security-mcp ${VERSION}: network-security tools for AI agents, inside a fixed scope

Usage:
  security-mcp serve [--transport stdio|http] [--host H] [--port P] [--config FILE]
  security-mcp validate [--config FILE]
  security-mcp tools [--json] [--config FILE]
  security-mcp run TOOL --target T [--args "..."] [--input JSON] [--timeout SEC] [--json] [--config FILE]
  security-mcp audit verify FILE

Config: built-in defaults < YAML (--config or MCP_CONFIG_FILE) < environment (MCP_<SECTION>_<KEY>).`;

const OPTIONS = {
  transport: { type: "string" },
  host: { type: "string" },
  port: { type: "string" },
  config: { type: "string" },
  json: { type: "boolean", default: false },
  target: { type: "string" },
  args: { type: "string" },
  input: { type: "string" },
  timeout: { type: "string" },
  help: { type: "boolean", short: "h", default: false },
  version: { type: "boolean", short: "V", default: false },
} as const;

/**
 * `--args "-p 80"` is the documented form, but parseArgs refuses a separate value that starts with "-";
 * joining each value option with its next word (`--args=-p 80`) keeps the strict parser.
 */
function joinOptionValues(argv: readonly string[]): string[] {
  const valued = new Set(
    Object.entries(OPTIONS)
      .filter(([, o]) => o.type === "string")
      .map(([name]) => `--${name}`),
  );
  const joined: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i] ?? "";
    const next = argv[i + 1];
    if (valued.has(word) && next !== undefined) {
      joined.push(`${word}=${next}`);
      i++;
    } else joined.push(word);
  }
  return joined;
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: joinOptionValues(argv),
      options: OPTIONS,
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    printError(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.version) {
    printLine(VERSION);
    return 0;
  }
  if (values.help || command === undefined || command === "help") {
    (command === undefined && !values.help ? printError : printLine)(USAGE);
    return command === undefined && !values.help ? 2 : 0;
  }
  // Verifying an audit file needs no config: an auditor may run it anywhere.
  // Each command's modules load only when it runs (dynamic imports; the bundle splits them into chunks), so
  // `serve --transport stdio` never parses the HTTP server and `run` never parses the MCP SDK.
  if (command === "audit") return (await import("./commands/audit.js")).auditCommand(rest[0], rest[1]);
  const load = (): LoadedConfig =>
    loadConfig({
      ...(values.config === undefined ? {} : { file: values.config }),
      env: process.env,
      overrides: {
        "server.transport": values.transport,
        "server.host": values.host,
        "server.port": values.port === undefined ? undefined : Number(values.port),
      },
    });
  let loaded: LoadedConfig;
  try {
    loaded = load();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    printError(`config error: ${error.message}`);
    return 2;
  }
  // One-shot commands print their own results; routine info logs would only repeat them on stderr.
  const quiet = command !== "serve" && loaded.config.logging.level === "info";
  const deps = createDeps(loaded, quiet ? { log: createLogger("warn") } : {});
  switch (command) {
    case "serve":
      if (loaded.config.server.transport === "http")
        await (
          await import("./transports/serve-http.js")
        ).serveHttp(new Runtime(deps, loaded, load), loaded.file);
      else
        await (
          await import("./transports/stdio.js")
        ).serveStdio(new Runtime(deps, loaded, load), loaded.file);
      return -1;
    case "validate":
      return (await import("./commands/validate.js")).validateCommand(deps, loaded.file);
    case "tools":
      return (await import("./commands/tools.js")).toolsCommand(deps, values.json);
    case "run":
      if (rest[0] === undefined) {
        printError(`run needs a tool name\n\n${USAGE}`);
        return 2;
      }
      return (await import("./commands/run.js")).runCommand(deps, {
        tool: rest[0],
        target: values.target,
        args: values.args,
        input: values.input,
        timeout: values.timeout,
        json: values.json,
      });
    default:
      printError(`unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    // serve keeps running (-1); one-shot commands exit with their code.
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    printError(`security-mcp: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 1;
  },
);
