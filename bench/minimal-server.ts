// The floor: a minimal MCP server on the same SDK, the way its README writes one. One tool, `nmap`, that
// spawns the argv it is given by the benchmark (the same command the real server runs) and returns its
// output; no policy, sandbox, limits, audit or metrics. Over HTTP it uses the SDK's stateful session pattern
// (StreamableHTTPServerTransport per session) and answers GET /health with a constant.
// Usage (compiled to node_modules/.cache/security-mcp-bench/minimal-server.mjs by bench/run.ts): node minimal-server.mjs stdio|http [port]
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";

function build(): McpServer {
  const server = new McpServer({ name: "minimal", version: "1.0.0" });
  server.registerTool(
    "nmap",
    {
      description: "Runs the given nmap argv",
      inputSchema: { target: z.string(), argv: z.array(z.string()).min(1) },
    },
    async ({ target, argv }) => {
      if (!/^127\.\d+\.\d+\.\d+$/.test(target) || argv.at(-1) !== target)
        return { content: [{ type: "text", text: `${target} is outside the scope` }], isError: true };
      const [file, ...args] = argv;
      const stdout = await new Promise<string>((resolve, reject) => {
        const child = spawn(file ?? "nmap", args, { stdio: ["ignore", "pipe", "ignore"] });
        let out = "";
        child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
        child.on("error", reject);
        child.on("close", () => {
          resolve(out);
        });
      });
      return { content: [{ type: "text", text: stdout }] };
    },
  );
  return server;
}

const [transport = "stdio", portText = "0"] = process.argv.slice(2);
if (transport === "stdio") {
  await build().connect(new StdioServerTransport());
} else {
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  const http = createServer((req, res) => {
    if (req.url === "/health") {
      res.writeHead(200, { "content-type": "application/json" }).end('{"status":"healthy"}');
      return;
    }
    let text = "";
    req.on("data", (chunk: Buffer) => (text += chunk.toString()));
    req.on("end", () => {
      void (async () => {
        const body: unknown = text ? JSON.parse(text) : undefined;
        const id = req.headers["mcp-session-id"];
        let session = typeof id === "string" ? sessions.get(id) : undefined;
        if (!session && isInitializeRequest(body)) {
          const created: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
            sessionIdGenerator: () => randomUUID(),
            onsessioninitialized: (sid) => {
              sessions.set(sid, created);
            },
          });
          await build().connect(created);
          session = created;
        }
        if (!session) {
          res.writeHead(400).end();
          return;
        }
        await session.handleRequest(req, res, body);
      })();
    });
  });
  http.listen(Number(portText), "127.0.0.1");
}
