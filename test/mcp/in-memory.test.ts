import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { ProcessReaper } from "../../src/exec/reaper.js";
import type { ResultFields } from "../../src/result.js";
import type { NmapParsed } from "../../src/tools/parsers/nmap-xml.js";
import {
  connectClient,
  listenHttpPage,
  listenLoopback,
  makeDeps,
  processesMatching,
  waitFor,
} from "../helpers.js";
import { assertCancelKillsNmap } from "../slow-scan.js";

/** Counts every subprocess the server starts, to prove that refusals never reach one. */
class CountingReaper extends ProcessReaper {
  spawned = 0;
  override add(pgid: number): void {
    this.spawned++;
    super.add(pgid);
  }
}

const LOOPBACK_ENV = { MCP_SECURITY_ALLOWED_TARGETS: "loopback", MCP_TOOL_KILL_GRACE_PERIOD: "1" };

function fields(result: unknown): ResultFields {
  return (result as CallToolResult).structuredContent as unknown as ResultFields;
}

function text(result: unknown): string {
  const content = (result as CallToolResult).content[0];
  return content?.type === "text" ? content.text : "";
}

/** A port range no other test uses, so its nmap processes can be found in /proc. */
function slowPorts(): string {
  const base = 20_000 + Math.floor(Math.random() * 40_000);
  return `${base}-${base + 150}`;
}

describe("MCP over an in-memory transport, real nmap on loopback", () => {
  const reaper = new CountingReaper();
  let client: Client;
  let close: () => Promise<void>;
  let listener: { port: number; close: () => Promise<void> };

  before(async () => {
    listener = await listenLoopback();
    ({ client, close } = await connectClient(makeDeps(LOOPBACK_ENV, { reaper })));
  });
  after(async () => {
    await close();
    await listener.close();
  });

  it("lists nmap with its schemas and annotations", async () => {
    const { tools } = await client.listTools();
    const nmap = tools.find((t) => t.name === "nmap");
    assert.ok(nmap);
    assert.ok(nmap.outputSchema);
    assert.equal(nmap.annotations?.readOnlyHint, true);
    assert.ok(nmap.inputSchema.properties?.ports && nmap.inputSchema.properties.scripts);
  });

  it("finds the port the test opened, in structuredContent.parsed", async () => {
    const result = await client.callTool({
      name: "nmap",
      arguments: { target: "127.0.0.1", ports: String(listener.port), correlation_id: "scan-1" },
    });
    const f = fields(result);
    assert.equal(result.isError, false, text(result));
    assert.equal(f.error_type, null);
    assert.equal(f.returncode, 0);
    assert.equal(f.correlation_id, "scan-1");
    assert.equal(f.tool, "nmap");
    assert.equal(f.target, "127.0.0.1");
    const parsed = f.parsed as NmapParsed;
    const port = parsed.hosts[0]?.ports.find((p) => p.port === listener.port);
    assert.equal(port?.state, "open");
    assert.match(text(result), new RegExp(`${listener.port}/tcp`));
    // server-owned flags, the default connect scan, and the target after "--"
    assert.deepEqual(f.command.slice(-2), ["--", "127.0.0.1"]);
    for (const flag of ["-oX", "-n", "-sT", "--stats-every"]) assert.ok(f.command.includes(flag), flag);
    assert.ok(f.stdout.includes("<nmaprun"));
    assert.ok(f.execution_time > 0);
  });

  it("gives nmap the address it checked, never the name", async () => {
    const result = await client.callTool({
      name: "nmap",
      arguments: { target: "localhost", ports: String(listener.port) },
    });
    const f = fields(result);
    assert.equal(result.isError, false, text(result));
    assert.equal(f.target, "localhost");
    assert.equal(f.command.at(-1), "127.0.0.1");
    assert.ok(!f.command.includes("localhost"));
  });

  it("refuses every attack class with a typed error, starts no process, and keeps serving", async () => {
    const attacks: [Record<string, unknown>, string, RegExp][] = [
      [{ target: "10.0.0.1" }, "scope_denied", /outside the scope; allowed: loopback/],
      [{ target: "169.254.169.254" }, "scope_denied", /metadata/],
      [{ target: "0x7f000001" }, "validation_error", /127\.0\.0\.1/],
      [{ target: "127.0.0.1 10.0.0.1" }, "scope_denied", /whitespace/],
      [{ target: "-iL/etc/passwd" }, "scope_denied", /starts with "-"/],
      [{ target: "127.0.0.0/8" }, "scope_denied", /largest allowed/],
      [{ target: "127.0.0.1", extra_args: "-iL /etc/passwd" }, "flag_denied", /reads or writes files/],
      [{ target: "127.0.0.1", extra_args: ["-oN", "/tmp/x"] }, "flag_denied", /files/],
      [{ target: "127.0.0.1", extra_args: "--datad /tmp" }, "flag_denied", /--datadir/],
      [{ target: "127.0.0.1", extra_args: "-S 10.0.0.9" }, "flag_denied", /spoofs/],
      [{ target: "127.0.0.1", extra_args: "--iflist" }, "flag_denied", /network configuration/],
      [{ target: "127.0.0.1", extra_args: "-p 80 10.0.0.1" }, "flag_denied", /not an option/],
      [{ target: "127.0.0.1", extra_args: "-iR 10" }, "flag_denied", /random/],
      [{ target: "127.0.0.1", extra_args: "-T5" }, "flag_denied", /allow_intrusive/],
      [
        { target: "127.0.0.1", ports: "80", extra_args: "-p 443" },
        "flag_denied",
        /given twice \(in ports and extra_args\)/,
      ],
      [{ target: "127.0.0.1", scripts: ["vuln"] }, "flag_denied", /category/],
      [{ target: "127.0.0.1", scripts: ["http-*"] }, "flag_denied", /exact script names/],
      [{ target: "127.0.0.1", scripts: ["/tmp/evil.nse"] }, "flag_denied", /exact script names/],
      [{ target: "127.0.0.1", scripts: ["http-fetch"] }, "flag_denied", /files/],
      [{ target: "127.0.0.1", scripts: ["broadcast-ping"] }, "flag_denied", /broadcast/],
      [{ target: "127.0.0.1", scripts: ["http-grep"] }, "flag_denied", /httpspider/],
      [{ target: "127.0.0.1", scripts: ["dns-client-subnet-scan"] }, "flag_denied", /prerule/],
      [
        { target: "127.0.0.1", scripts: ["upnp-info"], script_args: { "upnp-info.override": "false" } },
        "flag_denied",
        /not a vetted argument/,
      ],
      [{ target: "127.0.0.1", scripts: ["ftp-brute"] }, "flag_denied", /allow_intrusive/],
      [{ target: "127.0.0.1", scripts: ["no-such-script"] }, "not_found", /not an nmap script/],
      [
        { target: "127.0.0.1", scripts: ["http-title"], script_args: { newtargets: "1" } },
        "flag_denied",
        /not a vetted argument/,
      ],
      [
        {
          target: "127.0.0.1",
          scripts: ["ssh-hostkey"],
          script_args: { "ssh-hostkey.known-hosts": "/etc/shadow" },
        },
        "flag_denied",
        /not a vetted argument/,
      ],
      [
        { target: "127.0.0.1", scripts: ["http-title"], script_args: { "http-title.url": "/x,newtargets" } },
        "flag_denied",
        /path on the target/,
      ],
      [
        {
          target: "127.0.0.1",
          scripts: ["http-title"],
          script_args: { "http-title.url": "http://10.0.0.9/" },
        },
        "flag_denied",
        /path on the target/,
      ],
      [{ target: "127.0.0.1", ports: "80", top_ports: 10 }, "validation_error", /either ports/],
      [{ target: "127.0.0.1", timing: 5 }, "validation_error", /timing/],
      [{ target: "127.0.0.1", shell: "id" }, "validation_error", /unknown field shell/],
      [{ target: 42 }, "validation_error", /target/],
      [{}, "validation_error", /target/],
    ];
    const before = reaper.spawned;
    for (const [args, type, message] of attacks) {
      const result = await client.callTool({ name: "nmap", arguments: args });
      const f = fields(result);
      assert.equal(result.isError, true, JSON.stringify(args));
      assert.equal(f.error_type, type, `${JSON.stringify(args)}: ${f.error}`);
      assert.match(f.error ?? "", message, JSON.stringify(args));
      assert.match(text(result), message);
      assert.deepEqual(f.command, []);
    }
    assert.equal(reaper.spawned, before, "a refused call started a process");
    const still = await client.callTool({
      name: "nmap",
      arguments: { target: "127.0.0.1", ports: String(listener.port) },
    });
    assert.equal(still.isError, false);
  });

  it("an unknown tool is a not_found result", async () => {
    const result = await client.callTool({ name: "metasploit", arguments: { target: "127.0.0.1" } });
    assert.equal(result.isError, true);
    assert.match(text(result), /no enabled tool named "metasploit"; available: nmap, masscan, gobuster/);
  });

  it("sends progress that never goes backwards while nmap runs", async () => {
    const progress: number[] = [];
    const result = await client.callTool(
      {
        name: "nmap",
        arguments: { target: "127.0.0.1", ports: "1-20", extra_args: "--scan-delay 250ms -Pn" },
      },
      undefined,
      { onprogress: (p) => progress.push(p.progress), timeout: 60_000 },
    );
    assert.equal(result.isError, false, text(result));
    assert.ok(progress.length >= 1, "no progress notification");
    for (let i = 1; i < progress.length; i++)
      assert.ok(
        (progress[i] ?? 0) > (progress[i - 1] ?? 0),
        `progress went from ${progress[i - 1]} to ${progress[i]}`,
      );
  });

  it("a timeout stops nmap, keeps partial output, and leaves no nmap process", async () => {
    const ports = slowPorts();
    const result = await client.callTool({
      name: "nmap",
      arguments: { target: "127.0.0.1", ports, extra_args: "--scan-delay 1s -Pn", timeout_sec: 2 },
    });
    const f = fields(result);
    assert.equal(result.isError, true);
    assert.equal(f.error_type, "timeout");
    assert.equal(f.timed_out, true);
    assert.match(f.error ?? "", /stopped after 2 s/);
    assert.ok(f.stdout.includes("<nmaprun"), "partial output kept");
    // Under bwrap the kernel tears the sandbox's pid namespace down as its init dies: give it a moment.
    assert.ok(
      await waitFor(() => processesMatching("/usr/bin/nmap", ports).length === 0, 3000),
      "nmap survived",
    );
  });

  it("cancelling the request (notifications/cancelled) kills nmap", async () => {
    await assertCancelKillsNmap(client);
  });
});

describe("MCP with other settings", () => {
  it("without CAP_NET_RAW: raw scans are refused and connect scans run with --unprivileged", async () => {
    const listener = await listenLoopback();
    const { client, close } = await connectClient(makeDeps(LOOPBACK_ENV, { netRaw: false }));
    try {
      const syn = await client.callTool({
        name: "nmap",
        arguments: { target: "127.0.0.1", scan_type: "syn" },
      });
      assert.equal(fields(syn).error_type, "flag_denied");
      assert.match(text(syn), /CAP_NET_RAW/);
      const connect = await client.callTool({
        name: "nmap",
        arguments: { target: "127.0.0.1", ports: String(listener.port) },
      });
      assert.equal(connect.isError, false, text(connect));
      assert.ok(fields(connect).command.includes("--unprivileged"));
      assert.equal((fields(connect).parsed as NmapParsed).hosts[0]?.ports[0]?.state, "open");
    } finally {
      await close();
      await listener.close();
    }
  });

  it("a disabled tool is not listed and cannot be called", async () => {
    const { client, close } = await connectClient(makeDeps({ ...LOOPBACK_ENV, TOOL_EXCLUDE: "nmap" }));
    try {
      assert.ok(!(await client.listTools()).tools.some((t) => t.name === "nmap"));
      const result = await client.callTool({ name: "nmap", arguments: { target: "127.0.0.1" } });
      assert.equal(result.isError, true);
    } finally {
      await close();
    }
  });

  it("output past security.max_output_size stops the tool: resource_exhausted, truncated, partial kept", async () => {
    const { client, close } = await connectClient(
      makeDeps({ ...LOOPBACK_ENV, MCP_SECURITY_MAX_OUTPUT_SIZE: "1024" }),
    );
    try {
      const result = await client.callTool({
        name: "nmap",
        arguments: { target: "127.0.0.1", ports: "1-200", skip_host_discovery: true },
      });
      const f = fields(result);
      assert.equal(f.error_type, "resource_exhausted");
      assert.equal(f.truncated_stdout, true);
      assert.equal(Buffer.byteLength(f.stdout), 1024);
    } finally {
      await close();
    }
  });

  it("runs vetted scripts by name with typed arguments against a real HTTP server", async () => {
    const http = await listenHttpPage("Sealed Lab Title");
    const port = http.port;
    const { client, close } = await connectClient(makeDeps(LOOPBACK_ENV));
    try {
      const result = await client.callTool({
        name: "nmap",
        arguments: {
          target: "127.0.0.1",
          ports: String(port),
          scripts: ["http-title"],
          script_args: { "http-title.url": "/index" },
          service_version: true,
          skip_host_discovery: true,
        },
      });
      const f = fields(result);
      assert.equal(result.isError, false, text(result));
      assert.deepEqual(f.command.slice(f.command.indexOf("--script"), f.command.indexOf("--script") + 4), [
        "--script",
        "http-title",
        "--script-args",
        "http-title.url=/index",
      ]);
      const scripts = (f.parsed as NmapParsed).hosts[0]?.ports[0]?.scripts ?? [];
      assert.deepEqual(scripts.find((s) => s.id === "http-title")?.output, "Sealed Lab Title");
    } finally {
      await close();
      await http.close();
    }
  });

  it("default_scripts expands to vetted names on the server, never a category", async () => {
    const listener = await listenLoopback();
    const { client, close } = await connectClient(makeDeps(LOOPBACK_ENV));
    try {
      const result = await client.callTool({
        name: "nmap",
        arguments: { target: "127.0.0.1", ports: String(listener.port), default_scripts: true },
      });
      const f = fields(result);
      assert.equal(result.isError, false, text(result));
      const names = f.command[f.command.indexOf("--script") + 1]?.split(",") ?? [];
      assert.ok(names.length > 20);
      assert.ok(!names.includes("default") && !names.includes("ftp-bounce"));
    } finally {
      await close();
      await listener.close();
    }
  });
});
