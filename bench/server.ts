// The real server's code with what the CLI cannot be told from outside, for two benchmark cases:
//   --sandbox limits   tools run under prlimit/setpriv only, as on a host without bwrap
//   --flood            adds a tool `flood` (test/fixtures/bin/outcome.sh) that prints without end
// Otherwise exactly `security-mcp serve`: config from the environment, the same deps, runtime and transports.
// Bundled by bench/run.ts to node_modules/.cache/security-mcp-bench/server/, run as:
//   node node_modules/.cache/security-mcp-bench/server/server.js [--sandbox limits] [--flood] [--transport http --port P]
import { parseArgs } from "node:util";
import { loadConfig } from "../src/config/load.js";
import { createDeps } from "../src/deps.js";
import { Runtime } from "../src/runtime.js";
import { TOOLS } from "../src/tools/index.js";
import { serveHttp } from "../src/transports/serve-http.js";
import { serveStdio } from "../src/transports/stdio.js";
import { fixtureTool } from "../test/fixture-tool.js";

const { values } = parseArgs({
  options: {
    sandbox: { type: "string" },
    flood: { type: "boolean", default: false },
    transport: { type: "string", default: "stdio" },
    port: { type: "string" },
  },
});
const load = () =>
  loadConfig({
    env: process.env,
    overrides: {
      "server.transport": values.transport,
      "server.port": values.port === undefined ? undefined : Number(values.port),
    },
  });
const loaded = load();
const deps = createDeps(loaded, {
  ...(values.sandbox === "limits" ? { sandbox: { mode: "limits", reason: "benchmark without bwrap" } } : {}),
  ...(values.flood ? { tools: [...TOOLS, fixtureTool("outcome.sh", { name: "flood" })] } : {}),
});
const runtime = new Runtime(deps, loaded, load);
if (values.transport === "http") await serveHttp(runtime, undefined);
else await serveStdio(runtime, undefined);
