import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  AuditLog,
  verifyAuditLog,
  type AuditEntry,
  type AuditRecord,
} from "../../src/observability/audit.js";
import { invokeTool } from "../../src/pipeline.js";
import { fixtureTool } from "../fixture-tool.js";
import { makeDeps } from "../helpers.js";

const CLI = new URL("../../dist/cli.js", import.meta.url).pathname;

function entry(n: number): AuditEntry {
  return {
    time: new Date(1_800_000_000_000 + n).toISOString(),
    via: "test",
    client: "test",
    correlation_id: `c${n}`,
    tool: "nmap",
    target: `10.0.0.${n}`,
    addresses: [`10.0.0.${n}`],
    command: ["/usr/bin/nmap", "-p", "80", "--", `10.0.0.${n}`],
    decision: "ran",
    error_type: null,
    duration_seconds: 1,
    returncode: 0,
    output_bytes: 10,
    output_sha256: "a".repeat(64),
  };
}

function freshLog(count: number, maxBytes = 1024 * 1024): string {
  const path = join(mkdtempSync(join(tmpdir(), "audit-")), "audit.jsonl");
  const log = new AuditLog(path, maxBytes);
  for (let i = 1; i <= count; i++) log.record(entry(i));
  return path;
}

function lines(path: string): string[] {
  return readFileSync(path, "utf8").trimEnd().split("\n");
}

function verifyWithCli(path: string): { code: number | null; stdout: string } {
  const result = spawnSync(process.execPath, [CLI, "audit", "verify", path], { encoding: "utf8" });
  return { code: result.status, stdout: result.stdout };
}

describe("audit log", () => {
  it("chains records and verifies intact", () => {
    const path = freshLog(5);
    const records = lines(path).map((l) => JSON.parse(l) as AuditRecord);
    assert.deepEqual(
      records.map((r) => r.seq),
      [1, 2, 3, 4, 5],
    );
    assert.equal(records[1]?.prev, records[0]?.hash);
    assert.deepEqual(verifyWithCli(path), { code: 0, stdout: `ok: 5 records, chain intact (${path})\n` });
  });

  it("detects an edited line", () => {
    const path = freshLog(5);
    const all = lines(path);
    all[2] = (all[2] ?? "").replace("10.0.0.3", "10.0.0.99");
    writeFileSync(path, `${all.join("\n")}\n`);
    const { code, stdout } = verifyWithCli(path);
    assert.equal(code, 1);
    assert.match(stdout, /line 3: its content does not match its hash \(edited\)/);
  });

  it("detects a deleted line", () => {
    const path = freshLog(5);
    const all = lines(path);
    all.splice(1, 1);
    writeFileSync(path, `${all.join("\n")}\n`);
    assert.match(verifyWithCli(path).stdout, /line 2: it does not follow the record before it/);
  });

  it("detects reordered lines", () => {
    const path = freshLog(5);
    const all = lines(path);
    [all[3], all[4]] = [all[4] ?? "", all[3] ?? ""];
    writeFileSync(path, `${all.join("\n")}\n`);
    assert.match(verifyWithCli(path).stdout, /line 4: it does not follow/);
  });

  it("detects a record whose hash was recomputed after an edit (the next link breaks)", () => {
    const path = freshLog(3);
    const log = lines(path).map((l) => JSON.parse(l) as AuditRecord);
    const first = log[0];
    assert.ok(first);
    const forged = { ...first, target: "8.8.8.8" };
    writeFileSync(path, [JSON.stringify(forged), ...lines(path).slice(1)].join("\n") + "\n");
    assert.equal(verifyAuditLog(path).ok, false);
  });

  it("rotates by size and keeps the chain across files; a restarted log continues it", () => {
    const path = freshLog(30, 2000);
    assert.ok(existsSync(`${path}.1`));
    const again = new AuditLog(path, 2000);
    again.record(entry(31));
    const result = verifyAuditLog(path);
    assert.ok(result.ok, result.ok ? "" : `${result.file}:${result.line} ${result.reason}`);
    assert.ok(result.files.length >= 2);
  });

  it("starts a new file when the open one is removed, instead of writing into the void", () => {
    const path = freshLog(0);
    const log = new AuditLog(path, 1024 * 1024);
    log.record(entry(1));
    rmSync(path);
    log.record(entry(2));
    assert.equal(lines(path).length, 1);
  });

  it("records every call through the pipeline, refusals included, without secrets", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "audit-")), "audit.jsonl");
    const tool = fixtureTool("outcome.sh");
    const deps = makeDeps(
      { MCP_SECURITY_ALLOWED_TARGETS: "loopback", MCP_AUDIT_ENABLED: "true", MCP_AUDIT_PATH: path },
      { tools: [tool] },
    );
    await invokeTool(tool, { target: "127.0.0.1", behaviour: "ok" }, deps, { via: "mcp", client: "stdio" });
    await invokeTool(tool, { target: "10.0.0.1", behaviour: "ok" }, deps, { via: "cli" });
    const records = lines(path).map((l) => JSON.parse(l) as AuditRecord);
    const ran = records[0];
    const refused = records[1];
    assert.ok(ran && refused);
    assert.equal(ran.decision, "ran");
    assert.deepEqual(ran.addresses, ["127.0.0.1"]);
    assert.equal(ran.output_bytes, 5);
    assert.match(ran.output_sha256 ?? "", /^[0-9a-f]{64}$/);
    assert.equal(refused.decision, "refused");
    assert.equal(refused.error_type, "scope_denied");
    assert.equal(refused.target, "10.0.0.1");
    assert.ok(verifyAuditLog(path).ok);
  });
});
