import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readFileSync } from "node:fs";
import { SCRIPT_ARGS, whyScriptArgRefused } from "../../src/tools/nmap-script-args.js";
import { DEFAULT_SCRIPTS_DIR, loadScriptCatalog } from "../../src/tools/nmap-scripts.js";

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

  it("refuses scripts that run before the scan or crawl off the host", () => {
    for (const name of ["dns-client-subnet-scan", "unittest"])
      assert.match(catalog.byName.get(name)?.reason ?? "", /prerule/, name);
    for (const name of [
      "http-grep",
      "http-auth-finder",
      "http-backup-finder",
      "http-comments-displayer",
      "http-referer-checker",
    ])
      assert.match(catalog.byName.get(name)?.reason ?? "", /httpspider/, name);
  });
});

describe("the vetted script arguments", () => {
  it("each belongs to an allowed script that really reads it", () => {
    for (const [key, arg] of Object.entries(SCRIPT_ARGS)) {
      assert.equal(tier(arg.script), "allowed", `${key}: ${arg.script}`);
      const source = readFileSync(`${DEFAULT_SCRIPTS_DIR}/${arg.script}.nse`, "utf8");
      const spellings = [`"${key}"`, `'${key}'`, `args.${key}`];
      if (key.startsWith(`${arg.script}.`)) spellings.push(`".${key.slice(arg.script.length + 1)}"`);
      assert.ok(
        spellings.some((s) => source.includes(s)),
        `${arg.script} never reads ${key}`,
      );
    }
  });

  it("accepts typed values only, and only with their script", () => {
    const withTitle = new Set(["http-title"]);
    assert.equal(whyScriptArgRefused("http-title.url", "/admin/login.php?x", withTitle), null);
    const refused: [string, string, Set<string>, RegExp][] = [
      ["http-title.url", "/a", new Set(["banner"]), /not a vetted argument/],
      ["http-title.url", "http://10.0.0.9/", withTitle, /path on the target/],
      ["http-title.url", "//10.0.0.9/", withTitle, /path on the target/],
      ["http-title.url", "/../../etc/passwd", withTitle, /path on the target/],
      ["http-title.url", "/a,newtargets", withTitle, /path on the target/],
      ["http-title.url", "/a=b", withTitle, /path on the target/],
      ["dns-client-subnet-scan.nameserver", "10.0.0.9", new Set(["dns-client-subnet-scan"]), /not a vetted/],
      ["upnp-info.override", "false", new Set(["upnp-info"]), /not a vetted/],
      ["ldap.savesearch", "loot", new Set(["ldap-search"]), /not a vetted/],
      ["newtargets", "1", withTitle, /not a vetted/],
      ["__proto__", "x", withTitle, /not a vetted/],
      ["ssh_hostkey", "everything", new Set(["ssh-hostkey"]), /one of full/],
    ];
    for (const [key, value, scripts, message] of refused)
      assert.match(whyScriptArgRefused(key, value, scripts) ?? "", message, `${key}=${value}`);
  });
});
