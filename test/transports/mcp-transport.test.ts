import assert from "node:assert/strict";
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { ListToolsRequestSchema, PingRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { McpHttpTransport } from "../../src/transports/http/mcp-transport.js";

const ACCEPT = "application/json, text/event-stream";
const INIT = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "t", version: "1" } },
};

/** One SDK Server on one transport behind a bare node:http server (the JSON body parsed as the real server does). */
async function serve(
  options: { json?: boolean; slowMs?: number } = {},
): Promise<{ url: string; http: HttpServer }> {
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- the low-level Server, as src/server.ts uses
  const server = new Server({ name: "t", version: "1" }, { capabilities: { tools: {} } });
  const frozen = Object.freeze({ tools: [{ name: "a", inputSchema: { type: "object" as const } }] });
  server.setRequestHandler(ListToolsRequestSchema, async () => {
    if (options.slowMs) await new Promise((r) => setTimeout(r, options.slowMs));
    return frozen;
  });
  server.setRequestHandler(PingRequestSchema, () => ({}));
  const transport = new McpHttpTransport({
    sessionIdGenerator: () => "session-1",
    ...(options.json ? { enableJsonResponse: true } : {}),
  });
  await server.connect(transport);
  const http = createServer((req, res) => {
    let text = "";
    req.on("data", (chunk: Buffer) => (text += chunk.toString()));
    req.on("end", () => {
      void transport.handleRequest(req, res, text ? (JSON.parse(text) as unknown) : undefined);
    });
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`, http };
}

function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: ACCEPT, ...headers },
    body: JSON.stringify(body),
  });
}

const SESSION = { "mcp-session-id": "session-1", "mcp-protocol-version": "2025-11-25" };

describe("MCP Streamable HTTP transport on node:http", () => {
  let url: string;
  let http: HttpServer;
  before(async () => {
    ({ url, http } = await serve());
  });
  after(() => {
    http.closeAllConnections();
    http.close();
  });

  it("refuses what the protocol refuses before a session exists", async () => {
    assert.equal((await post(url, INIT, { accept: "application/json" })).status, 406);
    assert.equal((await post(url, INIT, { "content-type": "text/plain" })).status, 415);
    assert.equal((await post(url, { jsonrpc: "2.0", id: 2, method: "ping" })).status, 400);
    assert.equal((await post(url, { not: "json-rpc" })).status, 400);
    const tooMany = Array.from({ length: 101 }, (_, i) => ({ jsonrpc: "2.0", id: i, method: "ping" }));
    assert.equal((await post(url, tooMany)).status, 400);
  });

  it("opens a session, answers over SSE with the session header, and checks later requests", async () => {
    const init = await post(url, INIT);
    assert.equal(init.status, 200);
    assert.equal(init.headers.get("content-type"), "text/event-stream");
    assert.equal(init.headers.get("mcp-session-id"), "session-1");
    assert.match(await init.text(), /^event: message\ndata: \{.*"protocolVersion"/);
    assert.equal((await post(url, INIT)).status, 400, "a second initialize");
    assert.equal(
      (await post(url, { jsonrpc: "2.0", method: "notifications/initialized" }, SESSION)).status,
      202,
    );

    const list = await post(url, { jsonrpc: "2.0", id: 7, method: "tools/list" }, SESSION);
    const event = await list.text();
    const data = JSON.parse(event.replace(/^event: message\ndata: /, "")) as { id: number; result: unknown };
    assert.equal(data.id, 7);
    assert.deepEqual(data.result, { tools: [{ name: "a", inputSchema: { type: "object" } }] });

    assert.equal(
      (await post(url, { jsonrpc: "2.0", id: 8, method: "ping" })).status,
      400,
      "no session header",
    );
    const other = { ...SESSION, "mcp-session-id": "other" };
    assert.equal((await post(url, { jsonrpc: "2.0", id: 8, method: "ping" }, other)).status, 404);
    const oldVersion = { ...SESSION, "mcp-protocol-version": "1999-01-01" };
    assert.equal((await post(url, { jsonrpc: "2.0", id: 8, method: "ping" }, oldVersion)).status, 400);
    assert.equal((await fetch(url, { method: "PUT" })).status, 405);
  });

  it("allows one standalone GET stream per session, then DELETE ends the session", async () => {
    assert.equal((await fetch(url, { headers: { accept: "application/json", ...SESSION } })).status, 406);
    const controller = new AbortController();
    const stream = await fetch(url, {
      headers: { accept: "text/event-stream", ...SESSION },
      signal: controller.signal,
    });
    assert.equal(stream.status, 200);
    assert.equal(stream.headers.get("content-type"), "text/event-stream");
    assert.equal((await fetch(url, { headers: { accept: "text/event-stream", ...SESSION } })).status, 409);
    controller.abort();
    assert.equal((await fetch(url, { method: "DELETE", headers: SESSION })).status, 200);
    assert.equal((await post(url, { jsonrpc: "2.0", id: 9, method: "ping" }, SESSION)).status, 404);
  });
});

describe("MCP transport answer modes", () => {
  it("a slow answer still opens its SSE stream first; JSON mode answers with one JSON body", async () => {
    const slow = await serve({ slowMs: 300 });
    const json = await serve({ json: true });
    try {
      await (await post(slow.url, INIT)).text();
      const started = performance.now();
      const response = await post(slow.url, { jsonrpc: "2.0", id: 2, method: "tools/list" }, SESSION);
      assert.ok(performance.now() - started < 250, "headers waited for the answer");
      assert.match(await response.text(), /"result":\{"tools"/);

      const init = await post(json.url, INIT);
      assert.equal(init.headers.get("content-type"), "application/json");
      assert.equal(init.headers.get("mcp-session-id"), "session-1");
      await init.text();
      const batch = await post(
        json.url,
        [
          { jsonrpc: "2.0", id: 3, method: "ping" },
          { jsonrpc: "2.0", id: 4, method: "tools/list" },
        ],
        SESSION,
      );
      const answers = (await batch.json()) as { id: number }[];
      assert.deepEqual(answers.map((a) => a.id).sort(), [3, 4]);
    } finally {
      for (const { http } of [slow, json]) {
        http.closeAllConnections();
        http.close();
      }
    }
  });
});
