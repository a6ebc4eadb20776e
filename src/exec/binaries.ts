import { accessSync, constants } from "node:fs";
import { join } from "node:path";

/** The fixed PATH tools are looked up in; the caller's environment never decides which binary runs. */
export const TOOL_PATH = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

export function findBinary(name: string, dirs: readonly string[] = TOOL_PATH): string | null {
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return null;
}

/**
 * findBinary with answers kept for a few seconds: a lookup is six syscalls, and under load they showed up
 * as a tenth of a refused call's cost. Short enough that installing a tool is noticed almost at once.
 */
export function cachedFindBinary(
  ttlMs = 5000,
  now: () => number = Date.now,
): (name: string) => string | null {
  const cache = new Map<string, { path: string | null; at: number }>();
  return (name) => {
    const hit = cache.get(name);
    if (hit && now() - hit.at < ttlMs) return hit.path;
    const path = findBinary(name);
    cache.set(name, { path, at: now() });
    return path;
  };
}
