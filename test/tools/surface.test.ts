import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { describe, it } from "node:test";
import { ERROR_TYPE_NAMES } from "../../src/errors.js";
import { describeJobTools } from "../../src/jobs/tools.js";
import { describeTool } from "../../src/server.js";
import { TOOL_NAMES } from "../../src/tools/names.js";
import { TOOLS } from "../../src/tools/index.js";

const CONTRACT_FIELDS = ["target", "extra_args", "timeout_sec", "correlation_id"];
const RESULT_FIELDS = [
  "tool",
  "target",
  "command",
  "returncode",
  "stdout",
  "stderr",
  "truncated_stdout",
  "truncated_stderr",
  "timed_out",
  "cancelled",
  "error",
  "error_type",
  "execution_time",
  "correlation_id",
  "parsed",
];

describe("every tool spec", () => {
  it("has a unique name from TOOL_NAMES", () => {
    const names = TOOLS.map((t) => t.name);
    assert.equal(new Set(names).size, names.length);
    for (const name of names) assert.ok((TOOL_NAMES as readonly string[]).includes(name));
  });

  for (const spec of TOOLS) {
    describe(spec.name, () => {
      const tool = describeTool(spec);
      it("has title, description, annotations and limits", () => {
        assert.ok(tool.title && tool.description && tool.annotations);
        for (const hint of ["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"] as const)
          assert.equal(typeof tool.annotations[hint], "boolean", hint);
        assert.ok(spec.limits.maxOpenFiles > 0 && spec.limits.maxFileBytes > 0);
        assert.ok(spec.target.maxNetworkPrefix >= 8);
      });
      it("input schema: an object with the contract's fields, no top-level anyOf, nothing extra allowed", () => {
        assert.equal(tool.inputSchema.type, "object");
        assert.equal((tool.inputSchema as Record<string, unknown>).anyOf, undefined);
        assert.equal((tool.inputSchema as Record<string, unknown>).additionalProperties, false);
        for (const field of CONTRACT_FIELDS) assert.ok(tool.inputSchema.properties?.[field], field);
        // Only the target is required, except what a tool cannot run without (hydra's service).
        assert.deepEqual(
          tool.inputSchema.required,
          spec.name === "hydra" ? ["target", "service"] : ["target"],
        );
      });
      it("output schema: exactly the contract's result fields, plus truncated and resource_uri", () => {
        assert.deepEqual(
          Object.keys(tool.outputSchema?.properties ?? {}).sort(),
          [...RESULT_FIELDS, "truncated", "resource_uri"].sort(),
        );
      });
      it("matches the schema snapshot (UPDATE_SNAPSHOTS=1 to accept a change)", () => {
        const file = new URL(`../__snapshots__/${spec.name}.schema.json`, import.meta.url);
        const actual = `${JSON.stringify(tool, null, 2)}\n`;
        if (process.env.UPDATE_SNAPSHOTS === "1") writeFileSync(file, actual);
        assert.equal(actual, readFileSync(file, "utf8"));
      });
    });
  }
});

describe("the scan job tools", () => {
  it("are the contract's five, each with title, annotations, an object input and an output schema", () => {
    const tools = describeJobTools();
    assert.deepEqual(
      tools.map((t) => t.name),
      ["scan_start", "scan_status", "scan_result", "scan_cancel", "scan_list"],
    );
    for (const tool of tools) {
      assert.ok(tool.title && tool.description && tool.annotations, tool.name);
      assert.equal(tool.inputSchema.type, "object");
      assert.equal(tool.outputSchema?.type, "object");
      assert.equal((tool.inputSchema as Record<string, unknown>).anyOf, undefined);
    }
  });
});

describe("error types", () => {
  it("are exactly the contract's set, and the README documents each", () => {
    assert.deepEqual([...ERROR_TYPE_NAMES].sort(), [
      "cancelled",
      "circuit_breaker_open",
      "execution_error",
      "flag_denied",
      "not_found",
      "resource_exhausted",
      "scope_denied",
      "timeout",
      "validation_error",
    ]);
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    for (const type of ERROR_TYPE_NAMES) assert.match(readme, new RegExp(`\`${type}\``), type);
  });
});
