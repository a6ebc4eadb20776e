import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { ResultFields } from "../../src/result.js";
import type { GobusterParsed } from "../../src/tools/parsers/gobuster-lines.js";
import type { MasscanParsed } from "../../src/tools/parsers/masscan-json.js";
import { createLab, labUnavailable, waitForListeners, type Lab } from "./lab.js";
import { dnsmasqArgs } from "../attack-services.js";
import { testJobsDir } from "../helpers.js";

const CLI = new URL("../../dist/cli.js", import.meta.url).pathname;
const SERVICES = new URL("../fixtures/lab-services.mjs", import.meta.url).pathname;
const unavailable = labUnavailable();

function fields(result: unknown): ResultFields {
  return (result as CallToolResult).structuredContent as unknown as ResultFields;
}

// Everything here runs inside two namespaces this file creates and links only to each other. Where they
// cannot be made, the suite is skipped and node's report shows the reason.
describe("scanners in a sealed lab", { skip: unavailable ?? false }, () => {
  let lab: Lab;
  let client: Client;
  // Teardown runs whatever part of before() succeeded: the lab goes even when a test or set-up fails.
  const teardown: (() => unknown)[] = [];

  before(async () => {
    lab = createLab(["web.lab.internal", "lab.internal"]);
    teardown.push(() => {
      lab.destroy();
    });
    lab.startInTarget([process.execPath, SERVICES, lab.targetIp, "8080", "8081"]);
    lab.startInTarget([
      "dnsmasq",
      ...dnsmasqArgs(lab.targetIp, 53, [
        `--address=/www.lab.internal/${lab.targetIp}`,
        `--address=/api.lab.internal/${lab.targetIp}`,
      ]),
    ]);
    await waitForListeners(lab, ["8080", "8081", "udp:53"]);
    const [command = "", ...args] = lab.inScanner([process.execPath, CLI, "serve"]);
    const transport = new StdioClientTransport({
      command,
      args,
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        LOG_LEVEL: "error",
        MCP_TOOL_KILL_GRACE_PERIOD: "1",
        MCP_AUDIT_ENABLED: "false",
        MCP_JOBS_DIR: testJobsDir(),
      },
      stderr: "inherit",
    });
    client = new Client({ name: "lab-test", version: "1.0.0" });
    await client.connect(transport);
    teardown.push(() => client.close());
  });

  after(async () => {
    for (const step of teardown.reverse()) await step();
  });

  it("masscan over `security-mcp run` finds the open ports and not the closed one", () => {
    const argv = lab.inScanner([
      process.execPath,
      CLI,
      "run",
      "masscan",
      "--target",
      lab.targetIp,
      "--input",
      JSON.stringify({ ports: "8080,8081,8082", wait: 2 }),
      "--json",
    ]);
    const run = spawnSync(argv[0] ?? "", argv.slice(1), {
      encoding: "utf8",
      timeout: 60_000,
      env: { ...process.env, MCP_AUDIT_ENABLED: "false" },
    });
    assert.equal(run.status, 0, run.stderr);
    const result = JSON.parse(run.stdout) as ResultFields;
    const parsed = result.parsed as MasscanParsed;
    const open = parsed.results
      .filter((r) => r.state === "open")
      .map((r) => `${r.ip}:${r.port}`)
      .sort();
    assert.deepEqual(open, [`${lab.targetIp}:8080`, `${lab.targetIp}:8081`]);
    assert.ok(result.command.includes("--rate") && result.command.includes("100"), "default rate applied");
  });

  it("masscan over stdio MCP scans a /30 and reports the target's open port", async () => {
    const network = `${lab.targetIp.replace(/\.2$/, ".0")}/30`;
    const result = await client.callTool({
      name: "masscan",
      arguments: { target: network, ports: "8080", wait: 2 },
    });
    assert.equal(result.isError, false, JSON.stringify(result.content));
    const parsed = fields(result).parsed as MasscanParsed;
    assert.ok(parsed.results.some((r) => r.ip === lab.targetIp && r.port === 8080 && r.state === "open"));
    assert.ok(fields(result).command.includes(network));
  });

  it("gobuster dir finds the known paths by host name, pinned to the checked address, redirect not followed", async () => {
    const result = await client.callTool({
      name: "gobuster",
      arguments: { target: "http://web.lab.internal:8080/" },
    });
    const f = fields(result);
    assert.equal(result.isError, false, JSON.stringify(result.content));
    assert.ok(f.command.includes(`http://${lab.targetIp}:8080/`), "gobuster got the checked address");
    assert.ok(f.command.includes("Host: web.lab.internal:8080"), "and the caller's host name as Host");
    const found = (f.parsed as GobusterParsed).findings.flatMap((x) =>
      x.kind === "path" ? [`${x.path} ${x.status}`] : [],
    );
    assert.deepEqual(found.sort(), ["/admin 200", "/backup 301", "/login 200", "/robots.txt 200"]);
    const backup = (f.parsed as GobusterParsed).findings.find(
      (x) => x.kind === "path" && x.path === "/backup",
    );
    assert.ok(
      backup?.kind === "path" && backup.redirect?.includes("203.0.113.7"),
      "the redirect is reported, not followed",
    );
  });

  it("gobuster vhost finds the virtual hosts the lab serves", async () => {
    const result = await client.callTool({
      name: "gobuster",
      arguments: { target: "http://lab.internal:8080/", mode: "vhost" },
    });
    assert.equal(result.isError, false, JSON.stringify(result.content));
    const names = (fields(result).parsed as GobusterParsed).findings.flatMap((x) =>
      x.kind === "vhost" && x.status === 200 ? [x.name] : [],
    );
    assert.deepEqual(names.sort(), ["api.lab.internal", "www.lab.internal"]);
  });

  it("gobuster dns finds the lab's subdomains through the lab's DNS server", async () => {
    const result = await client.callTool({
      name: "gobuster",
      arguments: { target: "lab.internal", mode: "dns" },
    });
    assert.equal(result.isError, false, JSON.stringify(result.content));
    const found = new Map(
      (fields(result).parsed as GobusterParsed).findings.flatMap((x) =>
        x.kind === "dns" ? [[x.name, x.addresses.map((a) => a.replace(/^::ffff:/, ""))] as const] : [],
      ),
    );
    // www and api come from the lab's DNS server; web.lab.internal also resolves, from the lab's hosts file.
    assert.deepEqual(found.get("www.lab.internal"), [lab.targetIp]);
    assert.deepEqual(found.get("api.lab.internal"), [lab.targetIp]);
    assert.equal(found.has("mail.lab.internal"), false);
  });

  it("refuses a target outside the scope without scanning", async () => {
    const result = await client.callTool({ name: "masscan", arguments: { target: "8.8.8.8", ports: "80" } });
    assert.equal(fields(result).error_type, "scope_denied");
    assert.deepEqual(fields(result).command, []);
  });
});
