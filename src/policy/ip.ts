/** IP addresses as integers, so containment is arithmetic instead of string matching. */
export type Family = 4 | 6;

export interface Address {
  readonly family: Family;
  readonly value: bigint;
}

export interface Network {
  readonly family: Family;
  readonly base: bigint;
  readonly prefix: number;
}

const BITS: Record<Family, number> = { 4: 32, 6: 128 };

/** Strict dotted decimal, the one IPv4 form we pass on: four parts, 0-255, no leading zeros. */
export function parseIPv4(text: string): bigint | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return null;
    const n = Number(part);
    if (n > 255) return null;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

/**
 * What inet_aton (and so getaddrinfo and nmap) would read from a numeric string: 1-4 parts, each decimal,
 * octal (leading 0) or hex (0x); the last part fills the remaining bytes. Used to recognise non-standard
 * notations so they can be refused with their real meaning, never to accept them.
 */
export function parseInetAton(text: string): bigint | null {
  const parts = text.split(".");
  if (parts.length < 1 || parts.length > 4) return null;
  const numbers: bigint[] = [];
  for (const part of parts) {
    let n: bigint;
    if (/^0x[0-9a-f]*$/i.test(part)) n = part.length === 2 ? 0n : BigInt(part);
    else if (/^0[0-7]*$/.test(part)) n = part.length === 1 ? 0n : BigInt("0o" + part.slice(1));
    else if (/^[1-9][0-9]*$/.test(part)) n = BigInt(part);
    else return null;
    numbers.push(n);
  }
  const last = numbers.pop() ?? 0n;
  let value = 0n;
  for (const n of numbers) {
    if (n > 255n) return null;
    value = (value << 8n) | n;
  }
  const lastBits = BigInt(8 * (4 - numbers.length));
  if (last >= 1n << lastBits) return null;
  return (value << lastBits) | last;
}

/** RFC 4291 text forms, including `::` and a dotted IPv4 tail; no zone ids. */
export function parseIPv6(text: string): bigint | null {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || text.length > 45) return null;
  const lastColon = text.lastIndexOf(":");
  if (lastColon < 0) return null;
  let hex = text;
  const tail = text.slice(lastColon + 1);
  if (tail.includes(".")) {
    const v4 = parseIPv4(tail);
    if (v4 === null) return null;
    hex = `${text.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const halves = hex.split("::");
  if (halves.length > 2) return null;
  const split = (s: string): string[] => (s === "" ? [] : s.split(":"));
  const left = split(halves[0] ?? "");
  const right = split(halves[1] ?? "");
  const missing = 8 - left.length - right.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  let value = 0n;
  for (const group of [...left, ...Array<string>(missing).fill("0"), ...right]) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return null;
    value = (value << 16n) | BigInt("0x" + group);
  }
  return value;
}

/** The IPv4 address inside ::ffff:a.b.c.d, which the kernel sends to as IPv4. */
export function unmapIPv4(value: bigint): bigint | null {
  return value >> 32n === 0xffffn ? value & 0xffffffffn : null;
}

/** Parses a literal in the forms we accept (strict IPv4 or IPv6); IPv4-mapped IPv6 becomes IPv4. */
export function parseAddress(text: string): Address | null {
  const v4 = parseIPv4(text);
  if (v4 !== null) return { family: 4, value: v4 };
  const v6 = parseIPv6(text);
  if (v6 === null) return null;
  const mapped = unmapIPv4(v6);
  return mapped === null ? { family: 6, value: v6 } : { family: 4, value: mapped };
}

/** `a.b.c.d/n` or `v6/n`; host bits are cleared (nmap scans the whole network either way). */
export function parseNetwork(text: string): Network | null {
  const slash = text.indexOf("/");
  if (slash < 0) {
    const address = parseAddress(text);
    return address && { family: address.family, base: address.value, prefix: BITS[address.family] };
  }
  const prefixText = text.slice(slash + 1);
  if (!/^(0|[1-9][0-9]{0,2})$/.test(prefixText)) return null;
  let prefix = Number(prefixText);
  const addressText = text.slice(0, slash);
  let family: Family;
  let value: bigint;
  const v4 = parseIPv4(addressText);
  if (v4 !== null) {
    family = 4;
    value = v4;
  } else {
    const v6 = parseIPv6(addressText);
    if (v6 === null) return null;
    const mapped = unmapIPv4(v6);
    if (mapped !== null && prefix >= 96) {
      family = 4;
      value = mapped;
      prefix -= 96;
    } else {
      family = 6;
      value = v6;
    }
  }
  if (prefix > BITS[family]) return null;
  return { family, base: value & mask(family, prefix), prefix };
}

function mask(family: Family, prefix: number): bigint {
  const bits = BigInt(BITS[family]);
  return ((1n << bits) - 1n) ^ ((1n << (bits - BigInt(prefix))) - 1n);
}

export function networkSize(net: Network): bigint {
  return 1n << BigInt(BITS[net.family] - net.prefix);
}

export function contains(outer: Network, inner: Network): boolean {
  return (
    outer.family === inner.family &&
    outer.prefix <= inner.prefix &&
    (inner.base & mask(outer.family, outer.prefix)) === outer.base
  );
}

export function overlaps(a: Network, b: Network): boolean {
  return contains(a, b) || contains(b, a);
}

export function hostNetwork(address: Address): Network {
  return { family: address.family, base: address.value, prefix: BITS[address.family] };
}

export function formatAddress(address: Address): string {
  if (address.family === 4) {
    const v = address.value;
    return [24n, 16n, 8n, 0n].map((shift) => String((v >> shift) & 0xffn)).join(".");
  }
  const groups = Array.from({ length: 8 }, (_, i) =>
    Number((address.value >> BigInt(112 - 16 * i)) & 0xffffn),
  );
  // RFC 5952: compress the longest run (length >= 2) of zero groups, the first one on a tie.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}

export function formatNetwork(net: Network): string {
  const base = formatAddress({ family: net.family, value: net.base });
  return net.prefix === BITS[net.family] ? base : `${base}/${net.prefix}`;
}

export function maxPrefix(family: Family): number {
  return BITS[family];
}
