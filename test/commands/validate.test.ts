import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { privilegesFinding } from "../../src/commands/validate.js";
import { makeDeps } from "../helpers.js";

describe("validate: where raw sockets come from", () => {
  const limits = { mode: "limits", reason: "bwrap cannot create its sandbox here" } as const;
  it("the server's own CAP_NET_RAW", async () => {
    assert.deepEqual((await privilegesFinding(makeDeps({}, { netRaw: true })))[0], "ok");
  });
  it("file capabilities on nmap and masscan, without bwrap (the Docker image)", async () => {
    const deps = makeDeps(
      {},
      { netRaw: false, sandbox: limits, binaryHasNetRaw: () => Promise.resolve(true) },
    );
    const [level, text] = await privilegesFinding(deps);
    assert.equal(level, "ok");
    assert.match(text, /nmap and masscan carry cap_net_raw as a file capability/);
  });
  it("neither: a warning that only connect scans work", async () => {
    const deps = makeDeps(
      {},
      { netRaw: false, sandbox: limits, binaryHasNetRaw: () => Promise.resolve(false) },
    );
    assert.deepEqual(await privilegesFinding(deps), [
      "warn",
      "privileges: no CAP_NET_RAW: connect scans only; SYN/UDP/OS detection are refused",
    ]);
  });
});
