import { checkValue, describeValue, type ValueType } from "../policy/values.js";

/**
 * Script arguments a caller may set, reviewed by hand: nmap's libraries read many arguments (name servers,
 * URLs to follow, files to save), so anything not listed here is refused. Each belongs to one script and
 * is accepted only when that script runs.
 */
type ArgType = ValueType | { readonly kind: "webPath" };

interface ScriptArg {
  readonly script: string;
  readonly type: ArgType;
}

const WEB_PATH = { kind: "webPath" } as const;
const FLAG = { kind: "enum", values: ["true", "false"] } as const;

export const SCRIPT_ARGS: Readonly<Record<string, ScriptArg>> = {
  "http-title.url": { script: "http-title", type: WEB_PATH },
  "http-headers.path": { script: "http-headers", type: WEB_PATH },
  "http-headers.useget": { script: "http-headers", type: FLAG },
  "http-methods.url-path": { script: "http-methods", type: WEB_PATH },
  "http-methods.retest": { script: "http-methods", type: FLAG },
  "http-webdav-scan.path": { script: "http-webdav-scan", type: WEB_PATH },
  "http-generator.path": { script: "http-generator", type: WEB_PATH },
  "http-generator.redirects": { script: "http-generator", type: { kind: "int", min: 0, max: 5 } },
  "favicon.root": { script: "http-favicon", type: WEB_PATH },
  ssh_hostkey: {
    script: "ssh-hostkey",
    type: { kind: "enum", values: ["full", "bubble", "visual", "sha256", "all"] },
  },
  "banner.timeout": { script: "banner", type: { kind: "duration", maxMs: 30_000 } },
};

/** A path on the target's web server: starts with /, plain characters, no //, no .. . */
function isWebPath(value: string): boolean {
  // No "=" "," "{" "}" or quotes: they are syntax in nmap's --script-args.
  return /^\/[A-Za-z0-9._~%+@:&?/-]{0,255}$/.test(value) && !value.includes("//") && !value.includes("..");
}

/** Null when key=value may be passed with the chosen scripts, else what is allowed. */
export function whyScriptArgRefused(key: string, value: string, scripts: ReadonlySet<string>): string | null {
  const arg = Object.hasOwn(SCRIPT_ARGS, key) ? SCRIPT_ARGS[key] : undefined;
  const usable = Object.entries(SCRIPT_ARGS)
    .filter(([, a]) => scripts.has(a.script))
    .map(([k]) => k);
  if (!arg || !scripts.has(arg.script))
    return `script argument ${JSON.stringify(key)} is not a vetted argument of the chosen scripts; allowed with them: ${usable.join(", ") || "none"}`;
  if (arg.type.kind === "webPath")
    return isWebPath(value)
      ? null
      : `${key} must be a path on the target's web server, starting with / (no //, no ..)`;
  const problem = checkValue(arg.type, value);
  return problem === null ? null : `${key}: expected ${describeValue(arg.type)}`;
}
