import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ToolListChangedNotificationSchema, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { loadConfig } from "../../src/config/load.js";
import { createDeps } from "../../src/deps.js";
import { createLogger } from "../../src/observability/log.js";
import type { ResultFields } from "../../src/result.js";
import { Runtime } from "../../src/runtime.js";
import { startHttpServer, type HttpServer } from "../../src/transports/http/server.js";
import { assertCancelKillsNmap } from "../slow-scan.js";
import { listenLoopback, waitFor, type Listener, testJobsDir } from "../helpers.js";
import { JOB_TOOL_NAMES as JOB_TOOLS } from "../../src/jobs/tools.js";

const KEY_A = "key-a-0123456789abcdef";
const KEY_B = "key-b-0123456789abcdef";

async function startHttp(env: Record<string, string> = {}): Promise<{ http: HttpServer; runtime: Runtime }> {
  const load = () =>
    loadConfig({
      env: {
        MCP_SERVER_TRANSPORT: "http",
        MCP_SERVER_PORT: "0",
        MCP_SECURITY_ALLOWED_TARGETS: "loopback",
        MCP_AUDIT_ENABLED: "false",
        MCP_JOBS_DIR: testJobsDir(),
        MCP_TOOL_KILL_GRACE_PERIOD: "1",
        LOG_LEVEL: "error",
        ...env,
      },
    });
  const loaded = load();
  const runtime = new Runtime(createDeps(loaded, { log: createLogger("error") }), loaded, load);
  return { http: await startHttpServer(runtime), runtime };
}

async function mcpClient(
  url: string,
  key?: string,
): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const transport = new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
    requestInit: key ? { headers: { authorization: `Bearer ${key}` } } : {},
  });
  const client = new Client({ name: "http-test", version: "1.0.0" });
  await client.connect(transport);
  return { client, transport };
}

/** A raw request, for headers fetch will not let a caller set (Host). */
function rawGet(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end();
  });
}

function fields(result: unknown): ResultFields {
  return (result as CallToolResult).structuredContent as unknown as ResultFields;
}

describe("HTTP transport with API keys", () => {
  let http: HttpServer;
  let listener: Listener;
  const auth = { authorization: `Bearer ${KEY_A}` };

  before(async () => {
    listener = await listenLoopback();
    ({ http } = await startHttp({
      MCP_SECURITY_API_KEYS: `${KEY_A},${KEY_B}`,
      MCP_SERVER_RATE_LIMIT: "600",
      MCP_SERVER_RATE_BURST: "100",
    }));
  });
  after(async () => {
    await http.close();
    await listener.close();
  });

  it("an MCP client with a key lists the tools and scans a loopback port, with progress", async () => {
    const { client } = await mcpClient(http.url, KEY_A);
    try {
      const { tools } = await client.listTools();
      assert.deepEqual(
        tools.map((t) => t.name),
        ["nmap", "masscan", "gobuster", "hydra", "sqlmap", "dig", ...JOB_TOOLS],
      );
      const progress: number[] = [];
      const result = await client.callTool(
        {
          name: "nmap",
          arguments: {
            target: "127.0.0.1",
            ports: `${listener.port},1-12`,
            extra_args: "--scan-delay 300ms -Pn",
          },
        },
        undefined,
        { onprogress: (p) => progress.push(p.progress) },
      );
      assert.equal(result.isError, false);
      assert.equal(
        (
          fields(result).parsed as { hosts: { ports: { port: number; state: string }[] }[] }
        ).hosts[0]?.ports.find((p) => p.port === listener.port)?.state,
        "open",
      );
      assert.ok(progress.length >= 1, "progress streamed over SSE");
    } finally {
      await client.close();
    }
  });

  it("a client cancel aborts the call and kills nmap", async () => {
    const { client } = await mcpClient(http.url, KEY_A);
    await assertCancelKillsNmap(client);
    await client.close();
  });

  it("nothing but GET /health works without a key, and a wrong key is refused", async () => {
    for (const [method, path] of [
      ["GET", "/"],
      ["GET", "/tools"],
      ["GET", "/metrics"],
      ["GET", "/config"],
      ["POST", "/mcp"],
      ["POST", "/tools/nmap/execute"],
    ] as const) {
      const response = await fetch(`${http.url}${path}`, {
        method,
        ...(method === "POST" ? { body: "{}" } : {}),
      });
      assert.equal(response.status, 401, `${method} ${path}`);
      assert.equal(response.headers.get("www-authenticate"), "Bearer");
    }
    assert.equal(
      (await fetch(`${http.url}/tools`, { headers: { authorization: "Bearer wrong-key-0123456789" } }))
        .status,
      401,
    );
    assert.ok([200, 207, 503].includes((await fetch(`${http.url}/health`)).status));
    await assert.rejects(mcpClient(http.url));
  });

  it("an MCP session belongs to the key that opened it", async () => {
    const { client, transport } = await mcpClient(http.url, KEY_A);
    const response = await fetch(`${http.url}/mcp`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${KEY_B}`,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        "mcp-session-id": transport.sessionId ?? "",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 9, method: "tools/list" }),
    });
    assert.equal(response.status, 404);
    await client.close();
  });

  it("the REST API answers as CONTRACT.md says", async () => {
    const root = (await (await fetch(`${http.url}/`, { headers: auth })).json()) as {
      name: string;
      transport: string;
    };
    assert.deepEqual([root.name, root.transport], ["security-mcp-server", "http"]);
    const tools = (await (await fetch(`${http.url}/tools`, { headers: auth })).json()) as {
      tools: { name: string; enabled: boolean; available: boolean; circuit_breaker: string }[];
      total: number;
    };
    assert.equal(tools.total, 6);
    assert.deepEqual(
      tools.tools[0] && [
        tools.tools[0].name,
        tools.tools[0].enabled,
        tools.tools[0].available,
        tools.tools[0].circuit_breaker,
      ],
      ["nmap", true, true, "closed"],
    );
    const ok = await fetch(`${http.url}/tools/nmap/execute`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ target: "127.0.0.1", ports: String(listener.port) }),
    });
    assert.equal(ok.status, 200);
    assert.equal(((await ok.json()) as ResultFields).error_type, null);
    const alias = await fetch(`${http.url}/tools/NmapTool/execute`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ target: "10.0.0.1" }),
    });
    assert.equal(alias.status, 400, "policy denial is 400, through the class-name alias");
    assert.equal(((await alias.json()) as ResultFields).error_type, "scope_denied");
    assert.equal(
      (await fetch(`${http.url}/tools/metasploit/execute`, { method: "POST", headers: auth, body: "{}" }))
        .status,
      404,
    );
    const config = await (await fetch(`${http.url}/config`, { headers: auth })).text();
    assert.ok(!config.includes(KEY_A) && !config.includes(KEY_B), "no key in /config");
    assert.match(config, /\[redacted\]/);
    const metrics = await (await fetch(`${http.url}/metrics`, { headers: auth })).text();
    assert.match(metrics, /mcp_tool_execution_total\{tool="nmap",status="success",error_type="none"\} \d+/);
  });

  it("disable and enable apply to every transport and tell MCP sessions", async () => {
    const { client } = await mcpClient(http.url, KEY_A);
    let changed = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      changed++;
    });
    try {
      assert.equal(
        (await fetch(`${http.url}/tools/gobuster/disable`, { method: "POST", headers: auth })).status,
        200,
      );
      assert.ok(await waitFor(() => changed > 0, 3000), "no tools/list_changed");
      assert.ok(!(await client.listTools()).tools.some((t) => t.name === "gobuster"));
      const refused = await fetch(`${http.url}/tools/gobuster/execute`, {
        method: "POST",
        headers: auth,
        body: JSON.stringify({ target: "http://127.0.0.1/" }),
      });
      assert.equal(refused.status, 403);
      assert.equal(
        (await fetch(`${http.url}/tools/gobuster/enable`, { method: "POST", headers: auth })).status,
        200,
      );
      assert.ok((await client.listTools()).tools.some((t) => t.name === "gobuster"));
    } finally {
      await client.close();
    }
  });

  it("streams tool events over /events", async () => {
    const controller = new AbortController();
    const response = await fetch(`${http.url}/events`, { headers: auth, signal: controller.signal });
    assert.equal(response.headers.get("content-type"), "text/event-stream");
    const reader = response.body?.getReader();
    assert.ok(reader);
    await fetch(`${http.url}/tools/nmap/execute`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ target: "10.0.0.1" }),
    });
    let text = "";
    while (!text.includes("event: tool") || !text.includes('"phase":"ended"')) {
      const { value, done } = (await reader.read()) as { value?: Uint8Array; done: boolean };
      if (done) break;
      if (value) text += Buffer.from(value).toString();
    }
    controller.abort();
    assert.match(text, /event: health/);
    assert.match(text, /event: tool\ndata: \{"phase":"started","tool":"nmap"/);
  });
});

describe("HTTP transport, keeping strangers out", () => {
  let http: HttpServer;

  before(async () => {
    ({ http } = await startHttp({
      MCP_SERVER_ALLOWED_ORIGINS: "http://console.lab.internal:3000",
      MCP_SERVER_RATE_LIMIT: "60",
      MCP_SERVER_RATE_BURST: "2",
      MCP_SERVER_MAX_BODY_SIZE: "2048",
    }));
  });
  after(async () => {
    await http.close();
  });

  it("refuses a DNS-rebinding Host and foreign Origins with 403; CORS only for configured origins", async () => {
    assert.equal(await rawGet(`${http.url}/`, { host: "evil.example" }), 403);
    assert.equal(await rawGet(`${http.url}/`, { host: `evil.example:${http.port}` }), 403);
    assert.equal(await rawGet(`${http.url}/`, { host: `localhost:${http.port}` }), 200);
    const foreign = await fetch(`${http.url}/`, { headers: { origin: "http://evil.example" } });
    assert.equal(foreign.status, 403);
    const allowed = await fetch(`${http.url}/`, { headers: { origin: "http://console.lab.internal:3000" } });
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers.get("access-control-allow-origin"), "http://console.lab.internal:3000");
    const plain = await fetch(`${http.url}/`);
    assert.equal(plain.headers.get("access-control-allow-origin"), null, "never a wildcard");
  });

  it("413 for a large body, 400 for deep or broken JSON, 429 with Retry-After past the rate", async () => {
    assert.equal(
      (await fetch(`${http.url}/tools/nmap/execute`, { method: "POST", body: "x".repeat(4096) })).status,
      413,
    );
    assert.equal(
      (
        await fetch(`${http.url}/tools/nmap/execute`, {
          method: "POST",
          body: "[".repeat(100) + "]".repeat(100),
        })
      ).status,
      400,
    );
    assert.equal(
      (await fetch(`${http.url}/tools/nmap/execute`, { method: "POST", body: "{oops" })).status,
      400,
    );
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 4; i++) {
      const response = await fetch(`${http.url}/tools/nmap/execute`, {
        method: "POST",
        body: JSON.stringify({ target: "10.0.0.1" }),
      });
      statuses.push(response.status);
      retryAfter ??= response.headers.get("retry-after");
    }
    assert.deepEqual(statuses.slice(0, 2), [400, 400]);
    assert.equal(statuses[2], 429);
    assert.ok(Number(retryAfter) >= 1);
  });
});

describe("HTTP transport modes and limits", () => {
  it("stateless mode serves MCP without sessions", async () => {
    const listener = await listenLoopback();
    const { http } = await startHttp({ MCP_SERVER_STATELESS: "true" });
    try {
      const { client, transport } = await mcpClient(http.url);
      assert.equal(transport.sessionId, undefined);
      assert.equal((await client.listTools()).tools.length, 11);
      const result = await client.callTool({
        name: "nmap",
        arguments: { target: "127.0.0.1", ports: String(listener.port) },
      });
      assert.equal(result.isError, false);
      await client.close();
    } finally {
      await http.close();
      await listener.close();
    }
  });

  it("refuses a session beyond server.max_sessions with 503", async () => {
    const { http } = await startHttp({ MCP_SERVER_MAX_SESSIONS: "1" });
    try {
      const first = await mcpClient(http.url);
      await assert.rejects(mcpClient(http.url), /503|max_sessions/);
      await first.client.close();
    } finally {
      await http.close();
    }
  });

  it("takes keys from security.api_key_file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "keys-"));
    writeFileSync(join(dir, "keys"), `# operators\n${KEY_A}\n`);
    const { http } = await startHttp({ MCP_SECURITY_API_KEY_FILE: join(dir, "keys") });
    try {
      assert.equal((await fetch(`${http.url}/tools`)).status, 401);
      assert.equal(
        (await fetch(`${http.url}/tools`, { headers: { authorization: `Bearer ${KEY_A}` } })).status,
        200,
      );
    } finally {
      await http.close();
    }
  });
});
