import { readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The NSE scripts a caller may name, computed from nmap's own script.db and script sources. Decided per
 * script, by exact name: categories, plus a scan of the source for file access and target injection.
 */
export type ScriptTier = "allowed" | "intrusive" | "never";

export interface ScriptInfo {
  readonly name: string;
  readonly categories: readonly string[];
  readonly tier: ScriptTier;
  /** Why a "never" script is never run. */
  readonly reason: string;
  /** Script arguments the script documents (@args), minus any that name a file or add targets. */
  readonly args: ReadonlySet<string>;
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
/** Source patterns of scripts that touch files, run programs or add scan targets. */
const UNSAFE_SOURCE =
  /\bio\.(open|output|lines|popen|write|input)\b|\bos\.(execute|remove|rename|tmpname)\b|\btarget\.add\b|newtargets|ALLOW_NEW_TARGETS|\bloadfile\b|\bdofile\b/;
const FILE_ARG = /file|path|dir|folder|output|newtargets|db$|database|list$|wordlist|known-hosts/i;
/** Scripts whose categories look harmless but that make the target or us contact third parties. */
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
    let source = "";
    try {
      source = readFileSync(join(dir, `${name}.nse`), "utf8");
    } catch {
      // An unreadable script cannot be vetted, so it is never allowed.
      byName.set(name, {
        name,
        categories,
        tier: "never",
        reason: "its source could not be read",
        args: new Set(),
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
  const args = new Set(
    [...source.matchAll(/@args\s+([A-Za-z0-9_.-]+)/g)]
      .map((m) => m[1] ?? "")
      .filter((arg) => arg !== "" && !FILE_ARG.test(arg)),
  );
  const named = NEVER_BY_NAME[name];
  if (named) return { name, categories, tier: "never", reason: named, args };
  const never = categories.find((c) => NEVER.includes(c));
  if (never) return { name, categories, tier: "never", reason: `it is in the "${never}" category`, args };
  if (UNSAFE_SOURCE.test(source))
    return {
      name,
      categories,
      tier: "never",
      reason: "it reads or writes files, runs programs or adds targets",
      args,
    };
  if (categories.some((c) => GATED.includes(c)))
    return { name, categories, tier: "intrusive", reason: "", args };
  if (categories.some((c) => SAFE.includes(c)))
    return { name, categories, tier: "allowed", reason: "", args };
  return {
    name,
    categories,
    tier: "never",
    reason: `its categories (${categories.join(", ")}) are not vetted`,
    args,
  };
}
