import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkDomainTarget } from "../../src/policy/domain-target.js";
import { compileRules, type Scope } from "../../src/policy/scope.js";
import { checkHostTarget, type TargetPolicy } from "../../src/policy/target.js";
import { checkUrlTarget } from "../../src/policy/url-target.js";
import { tableResolver } from "../helpers.js";

function scope(allowed: string[], excluded: string[] = []): Scope {
  const a = compileRules(allowed);
  const e = compileRules(excluded);
  if (typeof a === "string" || typeof e === "string") throw new Error("bad test scope");
  return { allowed: a, excluded: e };
}

const resolver = tableResolver({ "web.lab.internal": ["10.20.0.5"], "evil.lab.internal": ["8.8.8.8"] });
const defaults = scope(["RFC1918", ".lab.internal"], ["10.20.0.66"]);
const policy = (extra: Partial<TargetPolicy> = {}): TargetPolicy => ({
  scope: defaults,
  maxNetworkPrefix: 24,
  capHint: "set by tool.masscan.max_network_prefix",
  resolver,
  ...extra,
});

describe("masscan ranges", () => {
  const ranged = policy({ allowRanges: true, ipv4Only: true });
  it("accepts a range inside the scope, canonical", async () => {
    const outcome = await checkHostTarget("10.20.0.1-10.20.0.20", ranged);
    assert.ok(outcome.ok);
    assert.equal(outcome.value.kind, "range");
    assert.equal(outcome.value.argument, "10.20.0.1-10.20.0.20");
  });
  const refused: [string, RegExp][] = [
    ["10.20.0.20-10.20.0.1", /lowest first/],
    ["10.20.0.1-10.20.2.1", /largest allowed is 256/],
    ["10.255.255.250-11.0.0.5", /outside the scope/],
    ["10.20.0.60-10.20.0.70", /excluded/],
    ["10.20.0.1-8.8.8.8", /lowest first/],
    ["10.1-10.2", /two dotted-decimal/],
    ["fd00::1", /IPv6/],
  ];
  for (const [target, message] of refused) {
    it(`refuses ${target}`, async () => {
      const outcome = await checkHostTarget(target, ranged);
      assert.equal(outcome.ok, false);
      assert.match(outcome.denial.message, message);
    });
  }
  it("ranges stay refused for tools that do not take them", async () => {
    assert.equal((await checkHostTarget("10.20.0.1-10.20.0.5", policy())).ok, false);
  });
});

describe("URL targets", () => {
  it("pins a name to its checked address and keeps the name for the Host header", async () => {
    const outcome = await checkUrlTarget("http://web.lab.internal:8080/app/?q=1", policy());
    assert.ok(outcome.ok);
    assert.equal(outcome.value.pinned, "http://10.20.0.5:8080/app/?q=1");
    assert.equal(outcome.value.hostHeader, "web.lab.internal:8080");
  });
  it("normalizes IPv4 notations the way a URL parser does, then checks the real address", async () => {
    const outcome = await checkUrlTarget("http://0x0a.20.0.5/", policy());
    assert.ok(outcome.ok);
    assert.equal(outcome.value.pinned, "http://10.20.0.5/");
    assert.equal(outcome.value.hostHeader, null);
  });
  const refused: [string, string, RegExp][] = [
    ["ftp://10.20.0.5/", "validation_error", /scheme/],
    ["file:///etc/passwd", "validation_error", /scheme/],
    ["http://user:pw@10.20.0.5/", "validation_error", /credentials/],
    ["http://10.20.0.5/#x", "validation_error", /fragment/],
    ["http://10.20.0.5/\nx", "validation_error", /whitespace/],
    ["http://8.8.8.8/", "scope_denied", /outside the scope/],
    ["http://0x08080808/", "scope_denied", /8\.8\.8\.8 is outside/],
    ["http://[::ffff:8.8.8.8]/", "scope_denied", /8\.8\.8\.8/],
    ["http://evil.lab.internal/", "scope_denied", /resolves to 8\.8\.8\.8/],
    ["http://169.254.169.254/latest/meta-data/", "scope_denied", /metadata/],
    ["http://10.20.0.66/", "scope_denied", /excluded/],
    ["not a url", "validation_error", /whitespace/],
    ["web.lab.internal", "validation_error", /not a URL/],
  ];
  for (const [target, type, message] of refused) {
    it(`refuses ${JSON.stringify(target)}`, async () => {
      const outcome = await checkUrlTarget(target, policy());
      assert.equal(outcome.ok, false);
      assert.equal(outcome.denial.type, type);
      assert.match(outcome.denial.message, message);
    });
  }
});

describe("domain targets", () => {
  const s = scope(["RFC1918", ".lab.internal", "exact.example"], [".secret.lab.internal"]);
  for (const domain of ["lab.internal", "corp.lab.internal", "LAB.INTERNAL.", "exact.example"]) {
    it(`accepts ${domain}`, () => {
      assert.ok(checkDomainTarget(domain, s).ok);
    });
  }
  const refused: [string, RegExp][] = [
    ["example.com", /not under an allowed domain; allowed: \.lab\.internal, exact\.example/],
    ["evil-lab.internal", /not under/],
    ["internal", /not under/],
    ["sub.exact.example", /not under/],
    ["x.secret.lab.internal", /excluded/],
    ["-d", /not a domain/],
    ["10.0.0.1", /not a domain/],
    ["lab.internal;id", /not a domain/],
  ];
  for (const [domain, message] of refused) {
    it(`refuses ${domain}`, () => {
      const outcome = checkDomainTarget(domain, s);
      assert.equal(outcome.ok, false);
      assert.match(outcome.denial.message, message);
    });
  }
});
