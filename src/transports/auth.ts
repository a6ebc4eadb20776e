import { timingSafeEqual } from "node:crypto";

/** No keys configured: open (the listener is loopback-only then). Otherwise a constant-time key match. */
export function authorized(header: string | undefined, keys: readonly string[]): boolean {
  if (keys.length === 0) return true;
  const given = Buffer.from(/^Bearer (.+)$/.exec(header ?? "")?.[1] ?? "");
  let match = false;
  for (const key of keys) {
    const expected = Buffer.from(key);
    if (given.length === expected.length && timingSafeEqual(given, expected)) match = true;
  }
  return match;
}
