import assert from "node:assert/strict";
import { createServer, type AddressInfo, type Server } from "node:net";
import { after, before, describe, it } from "node:test";
import { invokeTool } from "../../src/pipeline.js";
import { sqlmap } from "../../src/tools/sqlmap.js";
import { startVulnerableApp, type RunningService } from "../attack-services.js";
import { makeDeps } from "../helpers.js";

/**
 * The scope is 127.0.0.1 alone; 127.0.0.2 (still loopback, so the test sends nothing off the machine) plays
 * a host outside it. A page of the in-scope app tries to send sqlmap there.
 */
describe("sqlmap stays on the URL it was given (loopback, 127.0.0.2 outside the scope)", () => {
  let outside: Server;
  let outsidePort = 0;
  let connections = 0;
  let app: RunningService;
  const deps = makeDeps({ MCP_SECURITY_ALLOWED_TARGETS: "127.0.0.1/32" });

  before(async () => {
    outside = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => outside.listen(0, "127.0.0.2", resolve));
    outsidePort = (outside.address() as AddressInfo).port;
    app = await startVulnerableApp(`http://127.0.0.2:${outsidePort}/outside?id=1`);
  });
  after(async () => {
    app.stop();
    await new Promise((resolve) => outside.close(resolve));
    deps.reaper.dispose();
  });

  it("127.0.0.2 itself is refused", async () => {
    const result = await invokeTool(sqlmap, { target: `http://127.0.0.2:${outsidePort}/?id=1` }, deps, {
      via: "test",
    });
    assert.equal(result.fields.error_type, "scope_denied");
  });

  for (const page of ["refresh", "refresh-header"])
    it(`does not follow a ${page === "refresh" ? "meta refresh" : "Refresh header"} off the URL`, async () => {
      const result = await invokeTool(
        sqlmap,
        { target: `http://127.0.0.1:${app.port}/${page}?id=1`, technique: "B" },
        deps,
        { via: "test" },
      );
      assert.ok(result.fields.command.length > 0, result.fields.error ?? "");
      assert.ok(result.fields.command.includes("--answers=follow=N,refresh=N"));
      assert.equal(connections, 0, "sqlmap reached the host outside the scope");
    });
});
