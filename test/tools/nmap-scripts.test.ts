import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadScriptCatalog } from "../../src/tools/nmap-scripts.js";

// nmap's own script.db, as installed from Debian's package.
const catalog = loadScriptCatalog();

function tier(name: string): string | undefined {
  return catalog.byName.get(name)?.tier;
}

describe("the nmap script allow-list computed from script.db", () => {
  it("allows plain discovery scripts", () => {
    for (const name of ["http-title", "banner", "ssh-hostkey", "ssl-cert", "http-headers"])
      assert.equal(tier(name), "allowed", name);
  });

  it("gates vuln, brute and intrusive scripts behind allow_intrusive", () => {
    for (const name of ["http-vuln-cve2017-5638", "ftp-brute", "http-slowloris-check"])
      assert.equal(tier(name), "intrusive", name);
  });

  it("never allows external, broadcast, dos, exploit or file-touching scripts", () => {
    const never: [string, RegExp][] = [
      ["http-fetch", /files/],
      ["targets-asn", /external/],
      ["whois-ip", /external/],
      ["broadcast-ping", /broadcast/],
      ["http-slowloris", /dos/],
      ["http-shellshock", /exploit/],
      ["ftp-bounce", /third-party/],
      ["targets-xml", /./],
    ];
    for (const [name, reason] of never) {
      const info = catalog.byName.get(name);
      assert.equal(info?.tier, "never", name);
      assert.match(info.reason, reason, name);
    }
  });

  it("every allowed script is in default/safe/discovery/version and in no excluded category", () => {
    const excluded = [
      "external",
      "broadcast",
      "intrusive",
      "brute",
      "dos",
      "exploit",
      "fuzzer",
      "malware",
      "vuln",
    ];
    for (const info of catalog.byName.values()) {
      if (info.tier !== "allowed") continue;
      assert.ok(
        info.categories.some((c) => ["default", "safe", "discovery", "version"].includes(c)),
        info.name,
      );
      assert.ok(!info.categories.some((c) => excluded.includes(c)), info.name);
    }
  });

  it("default_scripts expands to allowed scripts of the default category only", () => {
    assert.ok(catalog.defaults.length > 20);
    for (const name of catalog.defaults) {
      assert.equal(tier(name), "allowed", name);
      assert.ok(catalog.byName.get(name)?.categories.includes("default"), name);
    }
  });

  it("script arguments that name files are not offered", () => {
    assert.ok(catalog.byName.get("http-title")?.args.has("http-title.url"));
    assert.equal(catalog.byName.get("ssh-hostkey")?.args.has("ssh-hostkey.known-hosts"), false);
    for (const info of catalog.byName.values())
      for (const arg of info.args) assert.doesNotMatch(arg, /file|newtargets|path/i, `${info.name}: ${arg}`);
  });
});
