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
