import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GobusterLineStream, parseGobusterLine } from "../../src/tools/parsers/gobuster-lines.js";
import { MasscanJsonStream } from "../../src/tools/parsers/masscan-json.js";
import { plainText } from "../../src/tools/parsers/plain-text.js";

describe("masscan JSON stream", () => {
  // As masscan 1.3.2 writes it with -oJ -: one object per line between [ and ], sometimes with commas.
  const output = [
    "[",
    '{   "ip": "10.99.7.2",   "timestamp": "1795493707", "ports": [ {"port": 8080, "proto": "tcp", "status": "open", "reason": "syn-ack", "ttl": 64} ] },',
    '{   "ip": "10.99.7.2",   "timestamp": "1795493708", "ports": [ {"port": 80, "proto": "tcp", "service": {"name": "http", "banner": "HTTP/1.0 200 OK"} } ] }',
    "]",
    "",
  ].join("\n");

  it("parses results, including banners, across arbitrary chunk boundaries", () => {
    const stream = new MasscanJsonStream();
    for (let i = 0; i < output.length; i += 13) stream.write(output.slice(i, i + 13));
    assert.deepEqual(stream.end().results, [
      {
        ip: "10.99.7.2",
        port: 8080,
        protocol: "tcp",
        state: "open",
        reason: "syn-ack",
        ttl: 64,
        service: null,
        banner: null,
      },
      {
        ip: "10.99.7.2",
        port: 80,
        protocol: "tcp",
        state: "open",
        reason: null,
        ttl: null,
        service: "http",
        banner: "HTTP/1.0 200 OK",
      },
    ]);
  });

  it("never throws on odd records or a cut-off line", () => {
    const stream = new MasscanJsonStream();
    stream.write('{"ip": "10.0.0.1", "ports": [null, 5, {"port": "x"}]}\n{"ip": 7}\n{"ip": "10.0.0.2", "por');
    const parsed = stream.end();
    assert.equal(parsed.results.length, 1);
    assert.equal(parsed.results[0]?.port, -1);
  });
});

describe("gobuster output", () => {
  it("parses dir, vhost and dns lines with ANSI codes and redraws", () => {
    assert.deepEqual(parseGobusterLine("\r\x1b[2K/admin                (Status: 200) [Size: 21]"), {
      kind: "path",
      path: "/admin",
      status: 200,
      size: 21,
      redirect: null,
    });
    assert.deepEqual(
      parseGobusterLine("/backup (Status: 301) [Size: 0] [--> http://203.0.113.7/elsewhere]"),
      {
        kind: "path",
        path: "/backup",
        status: 301,
        size: 0,
        redirect: "http://203.0.113.7/elsewhere",
      },
    );
    assert.deepEqual(parseGobusterLine("\x1b[2KFound: www.lab.internal Status: 200 [Size: 82]"), {
      kind: "vhost",
      name: "www.lab.internal",
      status: 200,
      size: 82,
    });
    assert.deepEqual(parseGobusterLine("Found: api.lab.internal [10.99.7.2,fd00::2]"), {
      kind: "dns",
      name: "api.lab.internal",
      addresses: ["10.99.7.2", "fd00::2"],
    });
    assert.equal(parseGobusterLine("Progress: 12 / 94 (12.77%)"), null);
  });

  it("bounds the number of findings", () => {
    const stream = new GobusterLineStream();
    stream.write(Array.from({ length: 2100 }, (_, i) => `/p${i} (Status: 200) [Size: 1]`).join("\n"));
    const parsed = stream.end();
    assert.equal(parsed.findings.length, 2000);
    assert.equal(parsed.truncated, true);
  });

  it("plainText keeps the last state of redrawn lines and drops colours", () => {
    assert.equal(plainText("rate: 1%\rrate: 50%\rrate: 100%\n\x1b[32mdone\x1b[0m"), "rate: 100%\ndone");
  });
});
