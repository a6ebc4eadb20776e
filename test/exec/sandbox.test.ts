import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { probeSandbox } from "../../src/exec/bwrap.js";
import { invokeTool } from "../../src/pipeline.js";
import { fixtureTool } from "../fixture-tool.js";
import { makeDeps } from "../helpers.js";

const LOOPBACK = { MCP_SECURITY_ALLOWED_TARGETS: "loopback", MCP_TOOL_KILL_GRACE_PERIOD: "1" };
const PROJECT = new URL("../../package.json", import.meta.url).pathname;
const sandbox = probeSandbox(true);

function report(stdout: string): Record<string, string> {
  return Object.fromEntries(
    stdout
      .trim()
      .split("\n")
      .map((line) => line.split("=", 2) as [string, string]),
  );
}

describe("the sandbox", () => {
  it("is bwrap on this machine (root, bubblewrap installed by the set-up)", () => {
    assert.equal(sandbox.mode, "bwrap", sandbox.reason ?? "");
  });

  describe(
    "inside bwrap",
    { skip: sandbox.mode === "bwrap" ? false : `bwrap unavailable: ${sandbox.reason}` },
    () => {
      it("a plain call runs as nobody with no capabilities, its own pid namespace and filesystem view", async () => {
        const tool = fixtureTool("inspect.sh");
        const deps = makeDeps(LOOPBACK, { tools: [tool] });
        const result = await invokeTool(tool, { target: "127.0.0.1", behaviour: PROJECT }, deps, {
          via: "test",
        });
        assert.equal(result.fields.error_type, null, result.fields.error ?? "");
        const seen = report(result.fields.stdout);
        assert.equal(seen.uid, "65534");
        assert.equal(seen.capeff, "0000000000000000");
        assert.equal(seen.home, "no");
        assert.equal(seen.root, "no");
        assert.equal(seen.project, "no", "project files are not visible");
        assert.equal(seen.etc_shadow, "no");
        assert.equal(seen.usr_write, "no");
        assert.equal(seen.tmp_write, "yes");
        assert.equal(seen.cwd_write, "yes");
        // bwrap's init, the shell and its pipeline: a handful, not the host's hundreds.
        assert.ok(Number(seen.processes) <= 8, `sees ${seen.processes} processes: not its own pid namespace`);
      });

      it("a raw-socket call keeps uid 0 with CAP_NET_RAW and nothing else", async () => {
        const tool = fixtureTool("inspect.sh", { requiresRaw: true });
        const deps = makeDeps(LOOPBACK, { tools: [tool] });
        const result = await invokeTool(tool, { target: "127.0.0.1", behaviour: PROJECT }, deps, {
          via: "test",
        });
        const seen = report(result.fields.stdout);
        assert.equal(seen.uid, "0");
        assert.equal(seen.capeff, "0000000000002000");
        assert.equal(seen.project, "no");
      });
    },
  );

  it("limits-only mode still runs the tool, under prlimit and setpriv", async () => {
    const tool = fixtureTool("inspect.sh");
    const deps = makeDeps(LOOPBACK, { tools: [tool], sandbox: { mode: "limits", reason: "test" } });
    const result = await invokeTool(tool, { target: "127.0.0.1", behaviour: PROJECT }, deps, { via: "test" });
    assert.equal(result.fields.error_type, null);
    assert.equal(report(result.fields.stdout).uid, "0");
  });

  it("sandbox.required refuses every call when bwrap is unavailable", async () => {
    const tool = fixtureTool("outcome.sh");
    const deps = makeDeps(
      { ...LOOPBACK, MCP_SANDBOX_REQUIRED: "true" },
      { tools: [tool], sandbox: { mode: "limits", reason: "no bwrap in this test" } },
    );
    const result = await invokeTool(tool, { target: "127.0.0.1", behaviour: "ok" }, deps, { via: "test" });
    assert.equal(result.fields.error_type, "execution_error");
    assert.match(result.fields.error ?? "", /sandbox\.required.*no bwrap in this test/);
  });
});
