import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compileRules, type Scope } from "../../src/policy/scope.js";
import { checkHostTarget, type TargetPolicy } from "../../src/policy/target.js";
import { tableResolver } from "../helpers.js";

function scope(allowed: string[], excluded: string[] = []): Scope {
  const a = compileRules(allowed);
  const e = compileRules(excluded);
  if (typeof a === "string" || typeof e === "string") throw new Error("bad test scope");
  return { allowed: a, excluded: e };
}

// Names resolve from this table only: no test here sends a DNS query.
const resolver = tableResolver({
  "db.lab.internal": ["10.20.0.5"],
  "dual.lab.internal": ["fd00::5", "10.20.0.6"],
  "rebind.lab.internal": ["10.20.0.7", "8.8.8.8"],
  "meta.lab.internal": ["169.254.169.254"],
  "mapped.lab.internal": ["::ffff:8.8.8.8"],
  "public.example.com": ["203.0.113.10"],
  "secret.lab.internal": ["10.20.0.9"],
  localhost: ["127.0.0.1", "::1"],
});

const defaults = scope(["RFC1918", ".lab.internal"]);

function policy(s: Scope = defaults, maxNetworkPrefix = 22): TargetPolicy {
  return { scope: s, maxNetworkPrefix, capHint: "set by tool.nmap.max_network_prefix", resolver };
}

describe("targets refused under the default scope", () => {
  const attacks: [string, string, RegExp][] = [
    ["8.8.8.8", "scope_denied", /outside the scope; allowed: RFC1918, \.lab\.internal/],
    ["127.0.0.1", "scope_denied", /loopback/],
    ["::1", "scope_denied", /loopback/],
    ["localhost", "scope_denied", /loopback/],
    ["0.0.0.0", "scope_denied", /unspecified/],
    ["255.255.255.255", "scope_denied", /broadcast/],
    ["224.0.0.1", "scope_denied", /multicast/],
    ["169.254.169.254", "scope_denied", /metadata/],
    ["fe80::1", "scope_denied", /link-local/],
    ["ff02::1", "scope_denied", /multicast/],
    ["::ffff:8.8.8.8", "scope_denied", /8\.8\.8\.8 is outside/],
    ["::ffff:127.0.0.1", "scope_denied", /loopback/],
    ["10.0.0.0/8", "scope_denied", /largest allowed is \/22/],
    ["10.0.0.0/21", "scope_denied", /tool\.nmap\.max_network_prefix/],
    ["fd00::/64", "scope_denied", /largest allowed is \/118/],
    ["0.0.0.0/0", "scope_denied", /largest allowed/],
    ["10.1", "validation_error", /would read as 10\.0\.0\.1/],
    ["167772161", "validation_error", /10\.0\.0\.1/],
    ["0x0a000001", "validation_error", /10\.0\.0\.1/],
    ["0x7f000001", "validation_error", /127\.0\.0\.1/],
    ["012.0.0.1", "validation_error", /10\.0\.0\.1/],
    ["10.0.0.01", "validation_error", /10\.0\.0\.1/],
    ["0177.0.0.1", "validation_error", /127\.0\.0\.1/],
    ["10.0.0.256", "validation_error", /neither a valid IP/],
    ["-iL", "scope_denied", /starts with "-"/],
    ["--script=http-fetch", "scope_denied", /starts with "-"/],
    ["10.0.0.1 10.0.0.2", "scope_denied", /whitespace/],
    ["10.0.0.1\n", "scope_denied", /control characters/],
    ["10.0.0.1\u00a0", "scope_denied", /whitespace/],
    ["10.0.0.1,8.8.8.8", "scope_denied", /several hosts/],
    ["10.0.0.1;id", "scope_denied", /several hosts/],
    ["10.0.0.1-255", "scope_denied", /range/],
    ["10.0.0.*", "scope_denied", /wildcard/],
    ["[::1]", "validation_error", /without brackets/],
    ["fe80::1%eth0", "validation_error", /zone id/],
    ["$(id)", "validation_error", /characters/],
    ["db.lab.intérnal", "validation_error", /punycode/],
    ["", "validation_error", /empty/],
    ["rebind.lab.internal", "scope_denied", /resolves to 8\.8\.8\.8/],
    ["meta.lab.internal", "scope_denied", /metadata/],
    ["mapped.lab.internal", "scope_denied", /8\.8\.8\.8/],
    ["public.example.com", "scope_denied", /203\.0\.113\.10 is outside/],
    ["nowhere.lab.internal", "scope_denied", /could not be resolved/],
  ];
  for (const [target, type, message] of attacks) {
    it(`${JSON.stringify(target)} -> ${type}`, async () => {
      const outcome = await checkHostTarget(target, policy());
      assert.equal(outcome.ok, false, `${target} must be refused`);
      assert.equal(outcome.denial.type, type);
      assert.match(outcome.denial.message, message);
    });
  }
});

describe("targets accepted, in the form the tool is given", () => {
  const legit: [string, string, string[]][] = [
    ["10.0.0.5", "10.0.0.5", ["10.0.0.5"]],
    ["192.168.1.0/24", "192.168.1.0/24", []],
    ["192.168.1.77/24", "192.168.1.0/24", []],
    ["172.16.0.0/22", "172.16.0.0/22", []],
    ["::ffff:10.1.2.3", "10.1.2.3", ["10.1.2.3"]],
    ["db.lab.internal", "10.20.0.5", ["10.20.0.5"]],
    ["DB.LAB.INTERNAL.", "10.20.0.5", ["10.20.0.5"]],
  ];
  for (const [target, argument, addresses] of legit) {
    it(`${target} -> ${argument}`, async () => {
      const outcome = await checkHostTarget(target, policy());
      assert.ok(outcome.ok, outcome.ok ? "" : outcome.denial.message);
      assert.equal(outcome.value.argument, argument);
      if (addresses.length > 0) assert.deepEqual(outcome.value.addresses, addresses);
    });
  }

  it("a dual-stack name is pinned to its IPv4 address, after checking both", async () => {
    const outcome = await checkHostTarget("dual.lab.internal", policy(scope(["RFC1918", "fd00::/8"])));
    assert.ok(outcome.ok);
    assert.equal(outcome.value.argument, "10.20.0.6");
    assert.deepEqual(outcome.value.addresses, ["fd00::5", "10.20.0.6"]);
  });

  it("a dual-stack name is refused when one of its addresses is out of scope", async () => {
    const outcome = await checkHostTarget("dual.lab.internal", policy());
    assert.equal(outcome.ok, false);
  });

  it("loopback is in scope only when listed", async () => {
    const outcome = await checkHostTarget("localhost", policy(scope(["loopback"])));
    assert.ok(outcome.ok);
    assert.equal(outcome.value.argument, "127.0.0.1");
  });

  it("a larger cap allows a larger network", async () => {
    const outcome = await checkHostTarget("10.0.0.0/16", policy(defaults, 16));
    assert.ok(outcome.ok);
  });
});

describe("excluded_targets always wins", () => {
  const s = scope(["RFC1918", ".lab.internal"], ["10.0.0.5", "10.9.0.0/16", "secret.lab.internal"]);
  const cases: [string, RegExp][] = [
    ["10.0.0.5", /excluded by security\.excluded_targets entry 10\.0\.0\.5/],
    ["10.0.0.0/24", /excluded/],
    ["10.9.3.4", /10\.9\.0\.0\/16/],
    ["::ffff:10.0.0.5", /excluded/],
    ["secret.lab.internal", /excluded/],
  ];
  for (const [target, message] of cases) {
    it(target, async () => {
      const outcome = await checkHostTarget(target, policy(s));
      assert.equal(outcome.ok, false);
      assert.match(outcome.denial.message, message);
    });
  }
});

describe("an excluded host name protects its addresses", () => {
  const s = scope(["RFC1918", ".lab.internal"], ["secret.lab.internal"]);
  for (const target of ["10.20.0.9", "10.20.0.0/24", "::ffff:10.20.0.9"]) {
    it(target, async () => {
      const outcome = await checkHostTarget(target, policy(s));
      assert.equal(outcome.ok, false);
      assert.match(outcome.denial.message, /10\.20\.0\.9, the address of secret\.lab\.internal/);
    });
  }
  it("other addresses stay allowed", async () => {
    assert.ok((await checkHostTarget("10.20.0.5", policy(s))).ok);
  });
  it("an excluded name that cannot be resolved refuses the call (fail closed)", async () => {
    const outcome = await checkHostTarget("10.20.0.5", policy(scope(["RFC1918"], ["gone.lab.internal"])));
    assert.equal(outcome.ok, false);
    assert.match(outcome.denial.message, /excluded host gone\.lab\.internal .* could not be resolved/);
  });
});

describe("special blocks need an explicit entry", () => {
  it("0.0.0.0/0 in the scope still does not open the metadata address or loopback", async () => {
    for (const target of ["169.254.169.254", "127.0.0.1", "224.0.0.1"]) {
      const outcome = await checkHostTarget(target, policy(scope(["0.0.0.0/0"])));
      assert.equal(outcome.ok, false, target);
    }
  });
  it("an entry inside the block opens it", async () => {
    const outcome = await checkHostTarget("169.254.169.254", policy(scope(["169.254.169.254/32"])));
    assert.ok(outcome.ok);
  });
  it("an exact hostname entry vouches for its addresses but not for excluded or special ones", async () => {
    const vouched = await checkHostTarget("public.example.com", policy(scope(["public.example.com"])));
    assert.ok(vouched.ok);
    const meta = await checkHostTarget("meta.lab.internal", policy(scope(["meta.lab.internal"])));
    assert.equal(meta.ok, false);
  });
  it("a suffix entry does not vouch: the addresses decide", async () => {
    const outcome = await checkHostTarget("public.example.com", policy(scope([".example.com"])));
    assert.equal(outcome.ok, false);
  });
});

describe("scope entries", () => {
  it("accepts keywords, CIDRs, suffixes and hostnames", () => {
    const rules = compileRules([
      "RFC1918",
      "loopback",
      "10.0.0.0/24",
      "fd00::/8",
      "2001:db8::1",
      ".corp.example",
      "host.example",
    ]);
    assert.notEqual(typeof rules, "string");
  });
  for (const bad of ["10.0.0.0/33", "foo bar", "*.example.com", "http://x"]) {
    it(`refuses ${bad}`, () => {
      assert.equal(typeof compileRules([bad]), "string");
    });
  }
});
