import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  formatAddress,
  formatNetwork,
  parseAddress,
  parseInetAton,
  parseIPv6,
  parseNetwork,
} from "../../src/policy/ip.js";

describe("IPv6 text forms", () => {
  const cases: [string, string | null][] = [
    ["::1", "::1"],
    ["::", "::"],
    ["2001:db8::1", "2001:db8::1"],
    ["2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"],
    ["1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"],
    ["1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304"],
    ["1::2::3", null],
    [":1::", null],
    ["1:2:3:4:5:6:7:8:9", null],
    ["fe80::1%eth0", null],
    ["12345::", null],
    ["::ffff:1.2.3", null],
  ];
  for (const [text, expected] of cases) {
    it(`${text} -> ${expected}`, () => {
      const value = parseIPv6(text);
      assert.equal(value === null ? null : formatAddress({ family: 6, value }), expected);
    });
  }
});

describe("IPv4-mapped IPv6 is treated as IPv4", () => {
  for (const text of ["::ffff:10.0.0.1", "::ffff:a00:1", "0:0:0:0:0:ffff:0a00:0001"]) {
    it(text, () => {
      const address = parseAddress(text);
      assert.ok(address);
      assert.equal(address.family, 4);
      assert.equal(formatAddress(address), "10.0.0.1");
    });
  }
});

describe("inet_aton readings of non-standard IPv4", () => {
  const cases: [string, string][] = [
    ["10.1", "10.0.0.1"],
    ["167772161", "10.0.0.1"],
    ["0x0a000001", "10.0.0.1"],
    ["012.0.0.1", "10.0.0.1"],
    ["0x7f.1", "127.0.0.1"],
    ["10.0.0.011", "10.0.0.9"],
    ["127.1", "127.0.0.1"],
  ];
  for (const [text, real] of cases) {
    it(`${text} is ${real}`, () => {
      const value = parseInetAton(text);
      assert.notEqual(value, null);
      assert.equal(formatAddress({ family: 4, value: value ?? 0n }), real);
      assert.equal(parseAddress(text), null, "never accepted as a plain address");
    });
  }
});

describe("networks", () => {
  it("clears host bits and converts mapped CIDRs to IPv4", () => {
    const net = parseNetwork("10.0.0.5/24");
    assert.ok(net);
    assert.equal(formatNetwork(net), "10.0.0.0/24");
    const mapped = parseNetwork("::ffff:10.0.0.0/120");
    assert.ok(mapped);
    assert.equal(formatNetwork(mapped), "10.0.0.0/24");
  });
  for (const bad of ["10.0.0.0/33", "10.0.0.0/024", "10.0.0.0/", "::/129", "10.0.0/24"]) {
    it(`refuses ${bad}`, () => {
      assert.equal(parseNetwork(bad), null);
    });
  }
});
