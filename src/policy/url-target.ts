import { deny, ok, type Outcome } from "../errors.js";
import { checkHostTarget, UNSAFE_CHARS, type CheckedTarget, type TargetPolicy } from "./target.js";

/** An http(s) URL whose host passed the scope check, rewritten to the checked address. */
export interface CheckedUrl {
  readonly input: string;
  /** The URL the tool is given: the host replaced by the checked address, so nothing resolves it again. */
  readonly pinned: string;
  /** `name[:port]` for the Host header when the caller gave a name; null for an address. */
  readonly hostHeader: string | null;
  /** The caller's host name, when it was one. */
  readonly hostname: string | null;
  readonly host: CheckedTarget;
}

/**
 * Checks an http(s) URL target: one host, no credentials, the host scope-checked and pinned. The WHATWG
 * parser normalizes IPv4 notations and IDNs first, so what is checked is what would be connected to.
 */
export async function checkUrlTarget(raw: string, policy: TargetPolicy): Promise<Outcome<CheckedUrl>> {
  // The URL parser silently drops tabs and newlines; refuse them instead of guessing.
  if (UNSAFE_CHARS.test(raw) || raw.length > 2048)
    return deny(
      "validation_error",
      `target URL ${JSON.stringify(raw)} contains whitespace or control characters`,
    );
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return deny(
      "validation_error",
      `target ${JSON.stringify(raw)} is not a URL; give one like http://10.0.0.5:8080/`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    return deny("validation_error", `target URL scheme ${url.protocol} is refused; use http:// or https://`);
  if (url.username || url.password)
    return deny("validation_error", "target URL carries credentials (user:pass@); they are refused");
  if (url.hash) return deny("validation_error", "target URL has a #fragment; drop it");
  const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  const checked = await checkHostTarget(host, policy);
  if (!checked.ok) return checked;
  const named = checked.value.kind === "hostname";
  const pinned = new URL(url.href);
  pinned.hostname = checked.value.family === 6 ? `[${checked.value.argument}]` : checked.value.argument;
  return ok({
    input: raw,
    pinned: pinned.href,
    hostHeader: named ? url.host : null,
    hostname: named ? url.hostname : null,
    host: checked.value,
  });
}
