import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { probeSandbox, probeSandboxAsync } from "../../src/exec/bwrap.js";
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
  it("the background probe at start-up finds what the blocking one finds, and deps report it", async () => {
    for (const withRaw of [false, true])
      assert.deepEqual(await probeSandboxAsync(withRaw), probeSandbox(withRaw));
    const deps = makeDeps();
    assert.deepEqual(await deps.sandboxReady, deps.sandbox);
    deps.reaper.dispose();
  });

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

describe("raw sockets per tool", () => {
  const tool = fixtureTool("outcome.sh", { requiresRaw: true });
  const unprivileged = { netRaw: false, tools: [tool] } as const;

  it("a binary's file capability counts without bwrap", async () => {
    const deps = makeDeps(LOOPBACK, {
      ...unprivileged,
      sandbox: { mode: "limits", reason: "test" },
      binaryHasNetRaw: () => Promise.resolve(true),
    });
    const result = await invokeTool(tool, { target: "127.0.0.1", behaviour: "ok" }, deps, { via: "test" });
    assert.equal(result.fields.error_type, null, result.fields.error ?? "");
  });

  it("but not under bwrap, which sets no_new_privs: refused before anything runs, with the remedy", async () => {
    const deps = makeDeps(LOOPBACK, {
      ...unprivileged,
      sandbox: { mode: "bwrap", reason: null },
      binaryHasNetRaw: () => Promise.resolve(true),
    });
    const result = await invokeTool(tool, { target: "127.0.0.1", behaviour: "ok" }, deps, { via: "test" });
    assert.equal(result.fields.error_type, "execution_error");
    assert.match(result.fields.error ?? "", /file capabilities do not apply inside the bwrap sandbox/);
    assert.deepEqual(result.fields.command, []);
  });

  it("nmap is told --privileged when its raw sockets come from a file capability", async () => {
    const deps = makeDeps(LOOPBACK, {
      netRaw: false,
      sandbox: { mode: "limits", reason: "test" },
      binaryHasNetRaw: () => Promise.resolve(true),
    });
    const nmap = deps.tools.find((t) => t.name === "nmap");
    assert.ok(nmap);
    const result = await invokeTool(nmap, { target: "127.0.0.1", ports: "1" }, deps, { via: "test" });
    assert.ok(result.fields.command.includes("--privileged"), result.fields.command.join(" "));
  });
});

describe("exit codes and signals", () => {
  const tool = fixtureTool("outcome.sh");
  const deps = makeDeps(LOOPBACK, { tools: [tool] });
  const cases: [string, number | null, RegExp][] = [
    ["exit:1", 1, /exited with code 1: exiting 1/],
    ["exit:2", 2, /exited with code 2/],
    ["exit:127", 127, /exited with code 127/],
    ["exit:255", 255, /exited with code 255/],
    ["crash", null, /SIGSEGV/],
  ];
  for (const [behaviour, code, message] of cases) {
    it(`${behaviour} is an execution_error naming how it ended`, async () => {
      const result = await invokeTool(tool, { target: "127.0.0.1", behaviour }, deps, { via: "test" });
      assert.equal(result.fields.error_type, "execution_error");
      if (code !== null) assert.equal(result.fields.returncode, code);
      assert.match(result.fields.error ?? "", message);
    });
  }
});
