import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { ProcessReaper } from "../../src/exec/reaper.js";
import type { ResultFields } from "../../src/result.js";
import type { GobusterParsed } from "../../src/tools/parsers/gobuster-lines.js";
import { connectClient, makeDeps, waitForPort } from "../helpers.js";
import { JOB_TOOL_NAMES as JOB_TOOLS } from "../../src/jobs/tools.js";

const SERVICES = new URL("../fixtures/lab-services.mjs", import.meta.url).pathname;

class CountingReaper extends ProcessReaper {
  spawned = 0;
  override add(pgid: number): void {
    this.spawned++;
    super.add(pgid);
  }
}

function fields(result: unknown): ResultFields {
  return (result as CallToolResult).structuredContent as unknown as ResultFields;
}

describe("masscan and gobuster over MCP (loopback)", () => {
  const reaper = new CountingReaper();
  let client: Client;
  let close: () => Promise<void>;
  let http: ChildProcess;
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const operatorDir = mkdtempSync(join(tmpdir(), "lists-"));
  writeFileSync(join(operatorDir, "big.txt"), Array.from({ length: 6000 }, (_, i) => `w${i}`).join("\n"));
  writeFileSync(
    join(operatorDir, "thousand.txt"),
    Array.from({ length: 1000 }, (_, i) => `w${i}`).join("\n"),
  );

  before(async () => {
    http = spawn(process.execPath, [SERVICES, "127.0.0.1", String(port)], { stdio: "ignore" });
    ({ client, close } = await connectClient(
      makeDeps(
        {
          MCP_SECURITY_ALLOWED_TARGETS: "loopback,.lab.internal",
          MCP_TOOL_GOBUSTER_WORDLIST_DIRS: operatorDir,
        },
        { reaper },
      ),
    ));
    await waitForPort(port);
  });
  after(async () => {
    await close();
    http.kill();
  });

  it("lists all six tools", async () => {
    const { tools } = await client.listTools();
    assert.deepEqual(
      tools.map((t) => t.name),
      ["nmap", "masscan", "gobuster", "hydra", "sqlmap", "dig", ...JOB_TOOLS],
    );
  });

  it("real gobuster finds the known paths of a loopback HTTP server", async () => {
    const result = await client.callTool({
      name: "gobuster",
      arguments: { target: `http://127.0.0.1:${port}/`, threads: 4, extensions: ["txt"] },
    });
    assert.equal(result.isError, false, JSON.stringify(result.content));
    const paths = (fields(result).parsed as GobusterParsed).findings.flatMap((f) =>
      f.kind === "path" ? [f.path] : [],
    );
    assert.deepEqual(paths.sort(), ["/admin", "/backup", "/login", "/robots.txt"]);
    const f = fields(result);
    assert.ok(!f.stdout.includes("\x1b["), "ANSI codes are stripped from parsed findings' source");
  });

  it("refuses every never-form without starting a process", async () => {
    const attacks: [string, Record<string, unknown>, string, RegExp][] = [
      [
        "gobuster",
        { target: `http://127.0.0.1:${port}/`, extra_args: "-u http://10.0.0.9/" },
        "flag_denied",
        /target field/,
      ],
      ["gobuster", { target: `http://127.0.0.1:${port}/`, extra_args: "-r" }, "flag_denied", /redirects/],
      ["gobuster", { target: `http://127.0.0.1:${port}/`, extra_args: "-o /tmp/x" }, "flag_denied", /files/],
      [
        "gobuster",
        { target: `http://127.0.0.1:${port}/`, wordlist: "/etc/passwd" },
        "validation_error",
        /paths are never/,
      ],
      [
        "gobuster",
        { target: `http://127.0.0.1:${port}/`, wordlist: "big" },
        "flag_denied",
        /6000 lines.*allow_intrusive/,
      ],
      [
        "gobuster",
        { target: `http://127.0.0.1:${port}/`, headers: { Host: "evil" } },
        "validation_error",
        /never Host/,
      ],
      [
        "gobuster",
        {
          target: `http://127.0.0.1:${port}/`,
          wordlist: "thousand",
          extensions: ["php", "txt", "bak", "old", "zip"],
        },
        "flag_denied",
        /1000 lines and 5 extensions \(6000 requests\)/,
      ],
      [
        "gobuster",
        { target: `http://127.0.0.1:${port}/`, status_codes: "200", negative_status_codes: "404" },
        "validation_error",
        /not both/,
      ],
      ["gobuster", { target: `http://127.0.0.1:${port}/`, mode: "dns" }, "validation_error", /not a domain/],
      ["gobuster", { target: "example.com", mode: "dns" }, "scope_denied", /not under an allowed domain/],
      [
        "gobuster",
        { target: `http://127.0.0.1:${port}/`, mode: "vhost" },
        "validation_error",
        /host name in the URL/,
      ],
      [
        "gobuster",
        { target: `http://127.0.0.1:${port}/`, extra_args: "--wildcard" },
        "flag_denied",
        /does not apply to dir/,
      ],
      [
        "gobuster",
        { target: "lab.internal", mode: "dns", extensions: ["php"] },
        "flag_denied",
        /does not apply to dns/,
      ],
      ["gobuster", { target: "http://8.8.8.8/" }, "scope_denied", /outside/],
      ["gobuster", { target: "gopher://127.0.0.1/" }, "validation_error", /scheme/],
      [
        "masscan",
        { target: "10.0.0.0/16", ports: "80" },
        "scope_denied",
        /largest allowed is \/24.*allow_intrusive/,
      ],
      ["masscan", { target: "127.0.0.1" }, "validation_error", /needs ports/],
      ["masscan", { target: "127.0.0.1", ports: "80", rate: 5000 }, "flag_denied", /allow_intrusive/],
      [
        "masscan",
        { target: "127.0.0.1", ports: "80", extra_args: "--adapter eth0" },
        "flag_denied",
        /operator/,
      ],
      ["masscan", { target: "127.0.0.1", ports: "80", extra_args: "-oX /tmp/x" }, "flag_denied", /files/],
      [
        "masscan",
        { target: "127.0.0.1", ports: "80", extra_args: "--banners" },
        "flag_denied",
        /allow_intrusive/,
      ],
      ["masscan", { target: "8.8.8.8", ports: "80" }, "scope_denied", /outside/],
      ["masscan", { target: "::1", ports: "80" }, "validation_error", /IPv6/],
    ];
    const before = reaper.spawned;
    for (const [name, args, type, message] of attacks) {
      const result = await client.callTool({ name, arguments: args });
      const f = fields(result);
      assert.equal(f.error_type, type, `${name} ${JSON.stringify(args)}: ${f.error}`);
      assert.match(f.error ?? "", message, `${name} ${JSON.stringify(args)}`);
    }
    assert.equal(reaper.spawned, before, "a refused call started a process");
  });
});

describe("masscan without raw sockets", () => {
  it("is refused before spawning, with the setcap remedy", async () => {
    const reaper = new CountingReaper();
    const { client, close } = await connectClient(
      makeDeps(
        { MCP_SECURITY_ALLOWED_TARGETS: "loopback" },
        { reaper, netRaw: false, binaryHasNetRaw: () => Promise.resolve(false) },
      ),
    );
    try {
      const result = await client.callTool({
        name: "masscan",
        arguments: { target: "127.0.0.1", ports: "80" },
      });
      assert.equal(fields(result).error_type, "execution_error");
      assert.match(fields(result).error ?? "", /setcap cap_net_raw\+ep \/usr\/bin\/masscan/);
      assert.equal(reaper.spawned, 0);
    } finally {
      await close();
    }
  });
});
