import {
  contains,
  formatNetwork,
  hostNetwork,
  overlaps,
  parseNetwork,
  type Address,
  type Network,
} from "./ip.js";

/** One entry of security.allowed_targets or security.excluded_targets, compiled. */
export type ScopeRule =
  | { readonly kind: "network"; readonly net: Network; readonly label: string }
  | { readonly kind: "suffix"; readonly suffix: string; readonly label: string }
  | { readonly kind: "host"; readonly name: string; readonly label: string };

export interface Scope {
  readonly allowed: readonly ScopeRule[];
  readonly excluded: readonly ScopeRule[];
}

const KEYWORDS: Record<string, readonly string[]> = {
  rfc1918: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"],
  loopback: ["127.0.0.0/8", "::1/128"],
};

/**
 * Blocks never scanned through a broad rule: the only way in is an allowed entry that lies inside the block
 * (for example `169.254.169.254/32` or the `loopback` keyword), so `0.0.0.0/0` never opens the cloud
 * metadata address.
 */
const SPECIAL_BLOCKS: readonly { readonly net: Network; readonly what: string }[] = [
  ["0.0.0.0/8", "the unspecified/this-network block"],
  ["127.0.0.0/8", "loopback"],
  ["169.254.0.0/16", "link-local (including the cloud metadata address 169.254.169.254)"],
  ["224.0.0.0/4", "multicast"],
  ["240.0.0.0/4", "reserved/broadcast (including 255.255.255.255)"],
  ["::/128", "the unspecified address"],
  ["::1/128", "loopback"],
  ["fe80::/10", "link-local"],
  ["ff00::/8", "multicast"],
].map(([cidr, what]) => ({ net: mustParse(cidr ?? ""), what: what ?? "" }));

function mustParse(cidr: string): Network {
  const net = parseNetwork(cidr);
  if (!net) throw new Error(`bad built-in network ${cidr}`);
  return net;
}

const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** A DNS name we are willing to resolve: LDH labels, and a last label that is not all digits. */
export function isHostname(name: string): boolean {
  return HOSTNAME.test(name) && !/(^|\.)[0-9]+$/.test(name);
}

/** Compiles scope entries; returns the error text for the first bad entry. */
export function compileRules(entries: readonly string[]): ScopeRule[] | string {
  const rules: ScopeRule[] = [];
  for (const raw of entries) {
    const entry = raw.trim();
    const keyword = KEYWORDS[entry.toLowerCase()];
    if (keyword) {
      for (const cidr of keyword) rules.push({ kind: "network", net: mustParse(cidr), label: entry });
      continue;
    }
    const net = parseNetwork(entry);
    if (net) {
      rules.push({ kind: "network", net, label: formatNetwork(net) });
      continue;
    }
    const name = entry.toLowerCase().replace(/\.$/, "");
    if (name.startsWith(".") && isHostname(name.slice(1))) {
      rules.push({ kind: "suffix", suffix: name, label: name });
      continue;
    }
    if (isHostname(name)) {
      rules.push({ kind: "host", name, label: name });
      continue;
    }
    return `"${raw}" is not RFC1918, loopback, an IPv4/IPv6 address or CIDR, a .suffix domain or a hostname`;
  }
  return rules;
}

export function describeScope(rules: readonly ScopeRule[]): string {
  const labels = [...new Set(rules.map((r) => r.label))];
  return labels.length === 0 ? "(nothing)" : labels.join(", ");
}

function networkRules(rules: readonly ScopeRule[]): Network[] {
  return rules.flatMap((r) => (r.kind === "network" ? [r.net] : []));
}

export function nameMatches(rules: readonly ScopeRule[], name: string): ScopeRule | undefined {
  return rules.find(
    (r) => (r.kind === "host" && r.name === name) || (r.kind === "suffix" && name.endsWith(r.suffix)),
  );
}

/**
 * Decides a network (a single address is a full-length network). Returns null when it may be scanned,
 * else why not. `vouched` is set for the addresses of a hostname the operator listed by exact name.
 */
export function whyOutOfScope(scope: Scope, net: Network, vouched = false): string | null {
  const shown = formatNetwork(net);
  const excludedBy = scope.excluded.find((r) => r.kind === "network" && overlaps(r.net, net));
  if (excludedBy) return `${shown} is excluded by security.excluded_targets entry ${excludedBy.label}`;
  const allowedNets = networkRules(scope.allowed);
  for (const block of SPECIAL_BLOCKS) {
    if (!overlaps(block.net, net)) continue;
    const explicit = allowedNets.some((a) => contains(block.net, a) && contains(a, net));
    if (!explicit)
      return `${shown} is ${block.what}, refused unless security.allowed_targets lists it explicitly (e.g. ${formatNetwork(block.net)} or an address inside it)`;
  }
  if (vouched || allowedNets.some((a) => contains(a, net))) return null;
  return `${shown} is outside the scope; allowed: ${describeScope(scope.allowed)}`;
}

export function whyAddressOutOfScope(scope: Scope, address: Address, vouched = false): string | null {
  return whyOutOfScope(scope, hostNetwork(address), vouched);
}
