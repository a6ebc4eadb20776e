import { readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { join, sep } from "node:path";
import { deny, ok, type Outcome } from "../errors.js";

/** A vetted wordlist: a regular file inside a wordlist directory, within the size cap. */
export interface Wordlist {
  readonly name: string;
  /** The real path (symlinks resolved) the tool reads. */
  readonly path: string;
  readonly lines: number;
  readonly bytes: number;
}

/** The lists shipped with the package (wordlists/ beside src/ and dist/). */
export const SHIPPED_WORDLIST_DIR = new URL("../../wordlists", import.meta.url).pathname;

const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/**
 * Finds a wordlist by catalog name: `<dir>/<name>.txt` or `<dir>/<name>` in the shipped directory, then
 * the operator's. The caller never gives a path; what is found must really lie inside its directory.
 */
export function findWordlist(
  name: string,
  operatorDirs: readonly string[],
  maxBytes: number,
): Outcome<Wordlist> {
  if (!NAME.test(name) || name.includes(".."))
    return deny(
      "validation_error",
      `wordlist ${JSON.stringify(name)} is not a catalog name (letters, digits, ._-); paths are never accepted`,
    );
  for (const dir of [SHIPPED_WORDLIST_DIR, ...operatorDirs]) {
    let root: string;
    try {
      root = realpathSync(dir);
    } catch {
      continue;
    }
    for (const candidate of [join(dir, `${name}.txt`), join(dir, name)]) {
      let real: string;
      try {
        real = realpathSync(candidate);
      } catch {
        continue;
      }
      if (!real.startsWith(root + sep))
        return deny(
          "flag_denied",
          `wordlist ${name} resolves outside its wordlist directory ${dir}; refused`,
        );
      const stat = statSync(real);
      if (!stat.isFile()) return deny("validation_error", `wordlist ${name} is not a regular file`);
      if (stat.size > maxBytes)
        return deny(
          "validation_error",
          `wordlist ${name} is ${stat.size} bytes; the cap is ${maxBytes} (tool.gobuster.max_wordlist_bytes)`,
        );
      return ok({ name, path: real, lines: countLines(real), bytes: stat.size });
    }
  }
  return deny(
    "not_found",
    `no wordlist named ${name}; available: ${listWordlists(operatorDirs).join(", ") || "none"}`,
  );
}

function countLines(path: string): number {
  const text = readFileSync(path);
  let lines = 0;
  for (const byte of text) if (byte === 0x0a) lines++;
  return text.length > 0 && text[text.length - 1] !== 0x0a ? lines + 1 : lines;
}

/** Catalog names in the shipped and operator directories. */
export function listWordlists(operatorDirs: readonly string[]): string[] {
  const names = new Set<string>();
  for (const dir of [SHIPPED_WORDLIST_DIR, ...operatorDirs]) {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      continue;
    }
    for (const entry of entries) {
      const name = entry.replace(/\.txt$/, "");
      if (NAME.test(name)) names.add(name);
    }
  }
  return [...names].sort();
}
