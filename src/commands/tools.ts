import type { Deps } from "../deps.js";
import { SCRIPT_ARGS } from "../tools/nmap-script-args.js";
import { listWordlists } from "../tools/wordlists.js";
import { printLine } from "./output.js";
import { toolStatus } from "./tool-status.js";

/** `security-mcp tools [--json]`: each tool, enabled or not, binary found or not, version. */
export async function toolsCommand(deps: Deps, json: boolean): Promise<number> {
  const statuses = await Promise.all(deps.tools.map((spec) => toolStatus(spec, deps)));
  if (json) {
    const catalog = deps.catalogs.nmapScripts();
    const scripts =
      catalog instanceof Error
        ? { error: catalog.message }
        : {
            allowed: [...catalog.byName.values()].filter((s) => s.tier === "allowed").map((s) => s.name),
            intrusive: [...catalog.byName.values()].filter((s) => s.tier === "intrusive").map((s) => s.name),
            default: catalog.defaults,
            script_args: Object.keys(SCRIPT_ARGS),
          };
    printLine(
      JSON.stringify(
        statuses.map((s) =>
          s.name === "nmap"
            ? { ...s, scripts }
            : s.name === "gobuster"
              ? { ...s, wordlists: listWordlists(deps.config.tool.gobuster.wordlist_dirs) }
              : s,
        ),
        null,
        2,
      ),
    );
    return 0;
  }
  for (const s of statuses) {
    const state = s.enabled ? "enabled " : "disabled";
    const found = s.binary ? `${s.binary} (${s.version ?? "version unknown"})` : "binary not found";
    printLine(`${s.name.padEnd(10)} ${state}  ${found}`);
  }
  return 0;
}
