import assert from "node:assert/strict";
import { mkdtempSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ToolListChangedNotificationSchema, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { ResultFields } from "../../src/result.js";
import { listenLoopback, waitFor, type Listener } from "../helpers.js";
import { JOB_TOOL_NAMES as JOB_TOOLS } from "../../src/jobs/tools.js";

const CLI = new URL("../../dist/cli.js", import.meta.url).pathname;

describe("config hot reload in a running stdio server", () => {
  const dir = mkdtempSync(join(tmpdir(), "reload-"));
  const file = join(dir, "config.yaml");
  let client: Client;
  let transport: StdioClientTransport;
  let listener: Listener;
  let listChanged = 0;

  // Editors save by writing a new file and renaming it over the old one: do the same.
  const save = (yaml: string): void => {
    const temp = join(dir, `.config.yaml.${Date.now()}`);
    writeFileSync(temp, yaml);
    renameSync(temp, file);
  };
  const errorType = async (): Promise<string | null> => {
    const result = (await client.callTool({
      name: "nmap",
      arguments: { target: "127.0.0.1", ports: String(listener.port) },
    })) as CallToolResult;
    return (result.structuredContent as unknown as ResultFields).error_type;
  };
  const healthOf = async (): Promise<{ status: string; checks: Record<string, { message: string }> }> => {
    const read = await client.readResource({ uri: "health://status" });
    const content = read.contents[0];
    return JSON.parse(content && "text" in content ? content.text : "{}") as {
      status: string;
      checks: Record<string, { message: string }>;
    };
  };

  before(async () => {
    listener = await listenLoopback();
    save("security:\n  allowed_targets: [loopback]\naudit:\n  enabled: false\n");
    transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI, "serve", "--config", file],
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LOG_LEVEL: "error" },
      stderr: "ignore",
    });
    client = new Client({ name: "reload-test", version: "1.0.0" });
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      listChanged++;
    });
    await client.connect(transport);
  });
  after(async () => {
    await client.close();
    await listener.close();
  });

  it("a renamed-in file changes the scope for the next call", async () => {
    assert.equal(await errorType(), null);
    save("security:\n  allowed_targets: [RFC1918]\naudit:\n  enabled: false\n");
    let last: string | null = null;
    assert.ok(
      await waitFor(() => {
        void errorType().then((t) => (last = t));
        return last === "scope_denied";
      }, 5000),
      "the new scope never applied",
    );
  });

  it("an invalid file keeps the last good config and health says why", async () => {
    save("security:\n  allowed_targets: [RFC1918]\n  max_output_size: 1\naudit:\n  enabled: false\n");
    let message = "";
    assert.ok(
      await waitFor(() => {
        void healthOf().then((h) => (message = h.checks.config?.message ?? ""));
        return message.includes("last reload failed");
      }, 5000),
      "health never reported the refused reload",
    );
    assert.match(message, /security\.max_output_size = 1/);
    assert.equal(await errorType(), "scope_denied", "still the last good scope");
  });

  it("SIGHUP reloads, and disabling a tool sends tools/list_changed", async () => {
    writeFileSync(
      file,
      "security:\n  allowed_targets: [loopback]\ntool:\n  exclude: [masscan]\naudit:\n  enabled: false\n",
    );
    process.kill(transport.pid ?? 0, "SIGHUP");
    assert.ok(await waitFor(() => listChanged > 0, 5000), "no tools/list_changed");
    const { tools } = await client.listTools();
    assert.deepEqual(
      tools.map((t) => t.name),
      ["nmap", "gobuster", "hydra", "sqlmap", "dig", ...JOB_TOOLS],
    );
    assert.equal(await errorType(), null);
  });
});
