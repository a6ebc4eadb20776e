import { readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The NSE scripts a caller may name, computed from nmap's own script.db and script sources. Decided per
 * script, by exact name: categories, plus a scan of the source for what the categories do not say.
 */
export type ScriptTier = "allowed" | "intrusive" | "never";

export interface ScriptInfo {
  readonly name: string;
  readonly categories: readonly string[];
  readonly tier: ScriptTier;
  /** Why a "never" script is never run. */
  readonly reason: string;
}

export interface ScriptCatalog {
  readonly byName: ReadonlyMap<string, ScriptInfo>;
  /** `default_scripts: true` expands to these: the `default` category's allowed scripts. */
  readonly defaults: readonly string[];
}

const SAFE = ["default", "safe", "discovery", "version"];
const GATED = ["vuln", "brute", "intrusive"];
/** external: contacts third parties; broadcast: sends to the LAN whatever the target. */
const NEVER = ["external", "broadcast", "dos", "exploit", "fuzzer", "malware"];

/** What a script's source reveals that its categories do not; the first match makes it "never". */
const UNSAFE_SOURCE: readonly [RegExp, string][] = [
  [
    /\bio\.(open|output|lines|popen|write|input)\b|\bos\.(execute|remove|rename|tmpname)\b|\bloadfile\b|\bdofile\b/,
    "it reads or writes files or runs programs",
  ],
  [/\btarget\.add\b|newtargets|ALLOW_NEW_TARGETS/, "it adds scan targets"],
  // A prerule runs before the scan, on no target at all: whatever it contacts was never scope-checked.
  [/^prerule\s*=/m, "it runs before the scan (prerule), independent of the checked target"],
  // nmap 7.93's crawler keeps to the port, not the host, so it follows links to other hosts.
  [/require\s*\(?\s*["']httpspider["']/, "its crawler (httpspider) follows links to other hosts"],
];

/** Scripts whose categories and source look harmless but that make the target or us contact third parties. */
const NEVER_BY_NAME: Readonly<Record<string, string>> = {
  "ftp-bounce": "it makes the FTP server reach a third-party host (scanme.nmap.org by default)",
};

export const DEFAULT_SCRIPTS_DIR = "/usr/share/nmap/scripts";

export function loadScriptCatalog(dir = DEFAULT_SCRIPTS_DIR): ScriptCatalog {
  const db = readFileSync(join(dir, "script.db"), "utf8");
  const byName = new Map<string, ScriptInfo>();
  for (const match of db.matchAll(
    /filename\s*=\s*"([a-z0-9._-]+)\.nse"\s*,\s*categories\s*=\s*\{([^}]*)\}/g,
  )) {
    const name = match[1] ?? "";
    const categories = [...(match[2] ?? "").matchAll(/"([a-z]+)"/g)].map((m) => m[1] ?? "");
    let source: string;
    try {
      source = readFileSync(join(dir, `${name}.nse`), "utf8");
    } catch {
      byName.set(name, {
        name,
        categories,
        tier: "never",
        reason: "its source could not be read, so it cannot be vetted",
      });
      continue;
    }
    byName.set(name, classify(name, categories, source));
  }
  const defaults = [...byName.values()]
    .filter((s) => s.tier === "allowed" && s.categories.includes("default"))
    .map((s) => s.name)
    .sort();
  return { byName, defaults };
}

function classify(name: string, categories: readonly string[], source: string): ScriptInfo {
  const never = (reason: string): ScriptInfo => ({ name, categories, tier: "never", reason });
  const named = NEVER_BY_NAME[name];
  if (named) return never(named);
  const category = categories.find((c) => NEVER.includes(c));
  if (category) return never(`it is in the "${category}" category`);
  const unsafe = UNSAFE_SOURCE.find(([pattern]) => pattern.test(source));
  if (unsafe) return never(unsafe[1]);
  if (categories.some((c) => GATED.includes(c))) return { name, categories, tier: "intrusive", reason: "" };
  if (categories.some((c) => SAFE.includes(c))) return { name, categories, tier: "allowed", reason: "" };
  return never(`its categories (${categories.join(", ")}) are not vetted`);
}
