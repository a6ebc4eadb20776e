import { readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { join, sep } from "node:path";
import { deny, ok, type Outcome } from "../errors.js";

/** A vetted list: a regular file inside one of its catalog's directories, within the size cap. */
export interface Wordlist {
  readonly name: string;
  /** The real path (symlinks resolved) the tool reads. */
  readonly path: string;
  readonly lines: number;
  readonly bytes: number;
}

/** Where lists of one kind are found, first directory first, and how large one may be. */
export interface ListCatalog {
  /** What a list is called in messages: "wordlist", "credential list". */
  readonly what: string;
  readonly dirs: readonly string[];
  readonly maxBytes: number;
  /** The config key that sets maxBytes, named in the refusal. */
  readonly maxBytesKey: string;
}

/** The lists shipped with the package (wordlists/ beside src/ and dist/). */
export const SHIPPED_WORDLIST_DIR = new URL("../../wordlists", import.meta.url).pathname;
/** Small user name and password lists for hydra, shipped with the package. */
export const SHIPPED_CREDENTIAL_DIR = new URL("../../wordlists/credentials", import.meta.url).pathname;

const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** gobuster's catalog: the shipped wordlists, then the operator's directories. */
export function findWordlist(
  name: string,
  operatorDirs: readonly string[],
  maxBytes: number,
): Outcome<Wordlist> {
  return findList(name, {
    what: "wordlist",
    dirs: [SHIPPED_WORDLIST_DIR, ...operatorDirs],
    maxBytes,
    maxBytesKey: "tool.gobuster.max_wordlist_bytes",
  });
}

/**
 * Finds a list by catalog name: `<dir>/<name>.txt` or `<dir>/<name>`, directory by directory. The caller
 * never gives a path; what is found must really lie inside its directory.
 */
export function findList(name: string, catalog: ListCatalog): Outcome<Wordlist> {
  const { what } = catalog;
  if (!NAME.test(name) || name.includes(".."))
    return deny(
      "validation_error",
      `${what} ${JSON.stringify(name)} is not a catalog name (letters, digits, ._-); paths are never accepted`,
    );
  for (const dir of catalog.dirs) {
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
        return deny("flag_denied", `${what} ${name} resolves outside its directory ${dir}; refused`);
      const stat = statSync(real);
      if (!stat.isFile()) return deny("validation_error", `${what} ${name} is not a regular file`);
      if (stat.size > catalog.maxBytes)
        return deny(
          "validation_error",
          `${what} ${name} is ${stat.size} bytes; the cap is ${catalog.maxBytes} (${catalog.maxBytesKey})`,
        );
      return ok({ name, path: real, lines: countLines(real), bytes: stat.size });
    }
  }
  return deny(
    "not_found",
    `no ${what} named ${name}; available: ${listNames(catalog.dirs).join(", ") || "none"}`,
  );
}

function countLines(path: string): number {
  const text = readFileSync(path);
  let lines = 0;
  for (const byte of text) if (byte === 0x0a) lines++;
  return text.length > 0 && text[text.length - 1] !== 0x0a ? lines + 1 : lines;
}

/** gobuster's catalog names: the shipped and operator wordlists. */
export function listWordlists(operatorDirs: readonly string[]): string[] {
  return listNames([SHIPPED_WORDLIST_DIR, ...operatorDirs]);
}

/** Catalog names of the regular files in the given directories. */
export function listNames(dirs: readonly string[]): string[] {
  const names = new Set<string>();
  for (const dir of dirs) {
    let entries: string[];
    try {
      entries = readdirSync(dir, { withFileTypes: true })
        .filter((e) => !e.isDirectory())
        .map((e) => e.name);
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
