import { deny, ok, type Denial, type Outcome } from "../errors.js";
import {
  formatAddress,
  formatNetwork,
  hostNetwork,
  maxPrefix,
  networkSize,
  parseAddress,
  parseInetAton,
  parseNetwork,
  overlaps,
  parseIPv4,
  type Address,
  type Family,
  type Network,
} from "./ip.js";
import { isHostname, nameMatches, whyAddressOutOfScope, whyOutOfScope, type Scope } from "./scope.js";

/** A target that passed the scope check, in the one form the tool is given. */
export interface CheckedTarget {
  readonly input: string;
  readonly kind: "address" | "network" | "range" | "hostname";
  readonly family: Family;
  /** Canonical address, CIDR or range passed to the tool: never the caller's text, never a name to look up again. */
  readonly argument: string;
  /** For an address or hostname, every address it stands for (all were checked). */
  readonly addresses: readonly string[];
  /** Every network the target spans, for checks that compare addresses. */
  readonly covered: readonly Network[];
}

/** Resolves a name to address literals (A and AAAA); rejects when it cannot. */
export type Resolver = (name: string) => Promise<string[]>;

export interface TargetPolicy {
  readonly scope: Scope;
  /** Largest IPv4 network allowed, as a prefix length; IPv6 gets the same address count. */
  readonly maxNetworkPrefix: number;
  /** Where the cap comes from and how to raise it, for the refusal message. */
  readonly capHint: string;
  readonly resolver: Resolver;
  /** Accept `a.b.c.d-e.f.g.h` IPv4 ranges (masscan). */
  readonly allowRanges?: boolean;
  /** Refuse IPv6 (tools that cannot scan it). */
  readonly ipv4Only?: boolean;
}

// Control characters are exactly what this pattern exists to catch.
export const UNSAFE_CHARS =
  // eslint-disable-next-line no-control-regex
  /[\s\u0000-\u001f\u007f-\u009f\u00a0\u1680\u2000-\u200f\u2028-\u202f\u205f\u3000\ufeff]/;

/**
 * Syntax refusals that need no parsing: each names what was refused and what to give instead. An option
 * look-alike or a multi-host spec is a scope refusal (it would reach hosts nobody checked); the rest is
 * plain bad input.
 */
function whyMalformed(text: string, allowRanges: boolean): Denial | null {
  const shown = JSON.stringify(text);
  if (text.length === 0)
    return { type: "validation_error", message: "target is empty; give one host name, IP address or CIDR" };
  if (text.length > 253) return { type: "validation_error", message: "target is longer than 253 characters" };
  if (UNSAFE_CHARS.test(text))
    return {
      type: "scope_denied",
      message: `target ${shown} contains whitespace or control characters; give exactly one host name, IP address or CIDR`,
    };
  if (text.startsWith("-"))
    return {
      type: "scope_denied",
      message: `target ${shown} starts with "-", which the tool would read as an option; give one host name, IP address or CIDR`,
    };
  if (/[,;|]/.test(text))
    return {
      type: "scope_denied",
      message: `target ${shown} names several hosts; give one host name, IP address or CIDR per call`,
    };
  if (text.includes("*") || (/^[0-9.-]+$/.test(text) && text.includes("-") && !allowRanges))
    return {
      type: "scope_denied",
      message: `target ${shown} is a wildcard or range that names several hosts; give one address or a CIDR such as 10.0.0.0/24`,
    };
  if (/[^\x20-\x7e]/.test(text))
    return {
      type: "validation_error",
      message: `target ${shown} is not ASCII; give an internationalized name in its xn-- (punycode) form`,
    };
  if (text.includes("%"))
    return { type: "validation_error", message: `target ${shown} has an IPv6 zone id, which is refused` };
  if (/[[\]]/.test(text))
    return { type: "validation_error", message: `target ${shown}: give an IPv6 address without brackets` };
  if (/[^a-zA-Z0-9.:/_-]/.test(text))
    return {
      type: "validation_error",
      message: `target ${shown} contains characters that are not part of a host name, IP address or CIDR`,
    };
  return null;
}

function capFor(family: Family, maxNetworkPrefix: number): number {
  return maxPrefix(family) - (32 - maxNetworkPrefix);
}

/** Canonicalizes a host target (address, CIDR or hostname), resolves names, and checks every address. */
export async function checkHostTarget(raw: string, policy: TargetPolicy): Promise<Outcome<CheckedTarget>> {
  if (policy.ipv4Only && raw.includes(":"))
    return deny("validation_error", `${raw} is IPv6, which this tool cannot scan; give an IPv4 target`);
  const checked = await checkAgainstScope(raw, policy);
  if (!checked.ok) return checked;
  if (policy.ipv4Only && checked.value.family === 6)
    return deny("validation_error", `${raw} is IPv6, which this tool cannot scan; give an IPv4 target`);
  const excluded = await whyExcludedByName(checked.value, policy);
  return excluded ? { ok: false, denial: excluded } : checked;
}

/**
 * Excluded host names protect their addresses too: each is resolved now (DNS may have changed since the
 * config was read), and one that cannot be resolved refuses the call, since nobody can then tell.
 */
async function whyExcludedByName(target: CheckedTarget, policy: TargetPolicy): Promise<Denial | null> {
  const names = policy.scope.excluded.flatMap((r) => (r.kind === "host" ? [r.name] : []));
  if (names.length === 0) return null;
  const covered = target.covered;
  for (const name of names) {
    let literals: string[];
    try {
      literals = await policy.resolver(name);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return {
        type: "scope_denied",
        message: `excluded host ${name} (security.excluded_targets) could not be resolved (${reason}), so ${target.input} cannot be shown to be a different host; fix the entry or use its address`,
      };
    }
    for (const literal of literals) {
      const address = parseAddress(literal);
      const hit = address && covered.find((net) => overlaps(net, hostNetwork(address)));
      if (hit)
        return {
          type: "scope_denied",
          message: `${formatNetwork(hit)} includes ${formatAddress(address)}, the address of ${name}, which is excluded by security.excluded_targets`,
        };
    }
  }
  return null;
}

async function checkAgainstScope(raw: string, policy: TargetPolicy): Promise<Outcome<CheckedTarget>> {
  const malformed = whyMalformed(raw, policy.allowRanges ?? false);
  if (malformed) return { ok: false, denial: malformed };
  const text = raw;
  if (policy.allowRanges && /^[0-9.]+-[0-9.]+$/.test(text)) return checkRange(raw, policy);

  if (text.includes("/")) {
    const net = parseNetwork(text);
    if (!net)
      return deny("validation_error", `target ${JSON.stringify(text)} is not a valid IPv4 or IPv6 CIDR`);
    const cap = capFor(net.family, policy.maxNetworkPrefix);
    if (net.prefix < cap)
      return deny(
        "scope_denied",
        `network ${formatNetwork(net)} has ${networkSize(net)} addresses; the largest allowed is /${cap} (${2 ** (32 - policy.maxNetworkPrefix)} addresses, ${policy.capHint}); split it into smaller networks`,
      );
    const why = whyOutOfScope(policy.scope, net);
    if (why) return deny("scope_denied", why);
    const argument = formatNetwork(net);
    return ok({
      input: raw,
      kind: net.prefix === maxPrefix(net.family) ? "address" : "network",
      family: net.family,
      argument,
      addresses: [],
      covered: [net],
    });
  }

  const address = parseAddress(text);
  if (address) return checkAddress(raw, address, policy);
  if (text.includes(":"))
    return deny("validation_error", `target ${JSON.stringify(text)} is not a valid IPv6 address`);

  const lowered = text.toLowerCase();
  const aton = parseInetAton(lowered);
  if (aton !== null) {
    const real = formatAddress({ family: 4, value: aton });
    return deny(
      "validation_error",
      `target ${JSON.stringify(text)} is a non-standard IPv4 notation that the OS would read as ${real}; write the address in dotted decimal (${real})`,
    );
  }
  const name = lowered.replace(/\.$/, "");
  if (!isHostname(name))
    return deny(
      "validation_error",
      `target ${JSON.stringify(text)} is neither a valid IP address, CIDR nor host name (letters, digits, "-" and "." only)`,
    );
  return checkHostname(raw, name, policy);
}

function checkAddress(raw: string, address: Address, policy: TargetPolicy): Outcome<CheckedTarget> {
  const why = whyAddressOutOfScope(policy.scope, address);
  if (why) return deny("scope_denied", why);
  const argument = formatAddress(address);
  return ok({
    input: raw,
    kind: "address",
    family: address.family,
    argument,
    addresses: [argument],
    covered: [hostNetwork(address)],
  });
}

async function checkHostname(
  raw: string,
  name: string,
  policy: TargetPolicy,
): Promise<Outcome<CheckedTarget>> {
  const excluded = nameMatches(policy.scope.excluded, name);
  if (excluded)
    return deny("scope_denied", `${name} is excluded by security.excluded_targets entry ${excluded.label}`);
  let literals: string[];
  try {
    literals = await policy.resolver(name);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return deny(
      "scope_denied",
      `${name} could not be resolved (${reason}), so its addresses cannot be checked against the scope`,
    );
  }
  if (literals.length === 0) return deny("scope_denied", `${name} resolved to no address`);
  const vouched = nameMatches(policy.scope.allowed, name)?.kind === "host";
  const addresses: Address[] = [];
  for (const literal of literals) {
    const address = parseAddress(literal);
    if (!address)
      return deny("scope_denied", `${name} resolved to an unusable address ${JSON.stringify(literal)}`);
    const why = whyAddressOutOfScope(policy.scope, address, vouched);
    if (why) return deny("scope_denied", `${name} resolves to ${formatAddress(address)}: ${why}`);
    addresses.push(address);
  }
  // Prefer IPv4 so a dual-stack name behaves like the tool's own default; the choice is pinned either way.
  const chosen = addresses.find((a) => a.family === 4) ?? addresses[0];
  if (!chosen) return deny("scope_denied", `${name} resolved to no address`);
  return ok({
    input: raw,
    kind: "hostname",
    family: chosen.family,
    argument: formatAddress(chosen),
    addresses: [...new Set(addresses.map(formatAddress))],
    covered: addresses.map(hostNetwork),
  });
}

/** `a.b.c.d-e.f.g.h`: every address between, checked as the CIDR blocks that tile it. */
function checkRange(raw: string, policy: TargetPolicy): Outcome<CheckedTarget> {
  const [startText = "", endText = ""] = raw.split("-");
  const start = parseIPv4(startText);
  const end = parseIPv4(endText);
  if (start === null || end === null || start > end)
    return deny(
      "validation_error",
      `target ${JSON.stringify(raw)} is not a range of two dotted-decimal IPv4 addresses, lowest first`,
    );
  const count = end - start + 1n;
  const capSize = 1n << BigInt(32 - policy.maxNetworkPrefix);
  if (count > capSize)
    return deny(
      "scope_denied",
      `range ${raw} has ${count} addresses; the largest allowed is ${capSize} (a /${policy.maxNetworkPrefix}, ${policy.capHint})`,
    );
  const blocks = tileRange(start, end);
  for (const block of blocks) {
    const why = whyOutOfScope(policy.scope, block);
    if (why) return deny("scope_denied", `range ${raw}: ${why}`);
  }
  const argument = `${formatAddress({ family: 4, value: start })}-${formatAddress({ family: 4, value: end })}`;
  return ok({ input: raw, kind: "range", family: 4, argument, addresses: [], covered: blocks });
}

/** The smallest list of CIDR blocks that covers exactly start..end. */
function tileRange(start: bigint, end: bigint): Network[] {
  const blocks: Network[] = [];
  let cursor = start;
  while (cursor <= end) {
    let prefix = 32;
    while (prefix > 0) {
      const size = 1n << BigInt(33 - prefix);
      if (cursor % size !== 0n || cursor + size - 1n > end) break;
      prefix--;
    }
    blocks.push({ family: 4, base: cursor, prefix });
    cursor += 1n << BigInt(32 - prefix);
  }
  return blocks;
}
