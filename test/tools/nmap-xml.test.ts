import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { NMAP_PARSE_LIMITS, NmapXmlStream, type NmapProgress } from "../../src/tools/parsers/nmap-xml.js";

const xml = readFileSync(new URL("../fixtures/nmap-http.xml", import.meta.url), "utf8");

describe("nmap XML parser", () => {
  it("reads hosts, ports, services and script output from real nmap output", () => {
    const stream = new NmapXmlStream();
    stream.write(xml);
    const parsed = stream.end();
    assert.equal(parsed.hosts.length, 1);
    const host = parsed.hosts[0];
    assert.ok(host);
    assert.equal(host.state, "up");
    assert.deepEqual(host.addresses, [{ addr: "127.0.0.1", type: "ipv4" }]);
    const [open, closed] = host.ports;
    assert.deepEqual(
      {
        port: open?.port,
        state: open?.state,
        service: open?.service,
        product: open?.product,
        version: open?.version,
      },
      { port: 18081, state: "open", service: "http", product: "SimpleHTTPServer", version: "0.6" },
    );
    assert.deepEqual(open?.scripts[0], { id: "http-title", output: "Lab Fixture Page" });
    assert.equal(closed?.state, "closed");
    assert.equal(parsed.hosts_up, 1);
    assert.equal(parsed.elapsed_seconds, 6.28);
    assert.equal(parsed.error, null);
    assert.equal(parsed.truncated, false);
  });

  it("gives the same result when fed byte by byte in small chunks", () => {
    const whole = new NmapXmlStream();
    whole.write(xml);
    const chunked = new NmapXmlStream();
    const bytes = Buffer.from(xml);
    for (let i = 0; i < bytes.length; i += 7) chunked.write(bytes.subarray(i, i + 7));
    assert.deepEqual(chunked.end(), whole.end());
  });

  it("keeps the finished hosts of output cut off mid-scan", () => {
    const cut = xml.slice(0, xml.indexOf("<runstats>") + 20);
    const stream = new NmapXmlStream();
    stream.write(cut);
    const parsed = stream.end();
    assert.equal(parsed.hosts.length, 1);
    assert.equal(parsed.elapsed_seconds, null);
  });

  it("survives garbage", () => {
    const stream = new NmapXmlStream();
    stream.write("<nmaprun><host><<<>>>&&&");
    assert.deepEqual(stream.end().hosts, []);
  });

  it("reports taskprogress and bounds script output", () => {
    const seen: NmapProgress[] = [];
    const stream = new NmapXmlStream((p) => seen.push(p));
    const long = "x".repeat(NMAP_PARSE_LIMITS.scriptOutputChars + 100);
    stream.write(
      `<nmaprun><taskprogress task="Connect Scan" percent="42.5"/><host><status state="up"/><ports><port protocol="tcp" portid="1"><state state="open"/><script id="a" output="${long}"/></port></ports></host></nmaprun>`,
    );
    const parsed = stream.end();
    assert.deepEqual(seen, [{ task: "Connect Scan", percent: 42.5 }]);
    assert.equal(
      parsed.hosts[0]?.ports[0]?.scripts[0]?.output.length,
      NMAP_PARSE_LIMITS.scriptOutputChars + 3,
    );
    assert.equal(parsed.truncated, true);
  });
});
