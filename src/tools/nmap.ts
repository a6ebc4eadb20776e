import { z } from "zod";
import { deny, ok, type Outcome } from "../errors.js";
import { flagsToArgv, type ArgWord } from "../policy/flags.js";
import { NMAP_GRAMMAR, SCAN_TYPE_FLAGS } from "./nmap-grammar.js";
import { whyScriptArgRefused } from "./nmap-script-args.js";
import type { ScriptCatalog } from "./nmap-scripts.js";
import { NmapXmlStream, type NmapParsed } from "./parsers/nmap-xml.js";
import { untrusted } from "./untrusted.js";
import { commonFields, fieldWordCollector, hostOf, type PlanContext, type ToolSpec } from "./spec.js";

const SCAN_TYPES = {
  connect: "-sT",
  syn: "-sS",
  udp: "-sU",
  ack: "-sA",
  fin: "-sF",
  null: "-sN",
  xmas: "-sX",
  window: "-sW",
  maimon: "-sM",
  ping: "-sn",
} as const;

const SCRIPT_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const CATEGORIES = new Set([
  "all",
  "auth",
  "broadcast",
  "brute",
  "default",
  "discovery",
  "dos",
  "exploit",
  "external",
  "fuzzer",
  "intrusive",
  "malware",
  "safe",
  "version",
  "vuln",
]);

const inputSchema = z
  .object({
    ...commonFields,
    ports: z.string().max(1024).optional().describe("Ports to scan, e.g. 22,80,443 or 1-1024 or T:80,U:53"),
    top_ports: z
      .number()
      .int()
      .min(1)
      .max(65_535)
      .optional()
      .describe("Scan the N most common ports instead of `ports`"),
    scan_type: z
      .enum(Object.keys(SCAN_TYPES) as [keyof typeof SCAN_TYPES, ...(keyof typeof SCAN_TYPES)[]])
      .optional()
      .describe(
        "connect (default, no privileges), syn/udp/ack/fin/null/xmas/window/maimon (need raw sockets), or ping (host discovery only)",
      ),
    service_version: z.boolean().optional().describe("Probe open ports for service and version (-sV)"),
    os_detection: z.boolean().optional().describe("OS detection (-O); needs raw sockets"),
    timing: z
      .number()
      .int()
      .min(0)
      .max(4)
      .optional()
      .describe("Timing template T0 (slowest) to T4 (aggressive)"),
    host_timeout_sec: z
      .number()
      .int()
      .min(1)
      .max(86_400)
      .optional()
      .describe("Give up on a host after this many seconds"),
    max_retries: z.number().int().min(0).max(10).optional().describe("Probe retransmissions per port"),
    skip_host_discovery: z.boolean().optional().describe("Treat the host as up (-Pn)"),
    scripts: z
      .array(z.string().max(64))
      .max(50)
      .optional()
      .describe("NSE scripts by exact name, from the server's vetted list (no categories, globs or paths)"),
    default_scripts: z.boolean().optional().describe("Run the vetted scripts of nmap's default category"),
    script_args: z
      .record(z.string().max(128), z.string().max(256))
      .optional()
      .describe('Arguments documented by the chosen scripts, e.g. {"http-title.url": "/admin"}'),
  })
  .strict();

type NmapInput = z.infer<typeof inputSchema>;

const scriptSchema = z.object({ id: z.string(), output: z.string() });
const parsedSchema = z.object({
  hosts: z.array(
    z.object({
      state: z.string(),
      addresses: z.array(z.object({ addr: z.string(), type: z.string() })),
      hostnames: z.array(z.string()),
      ports: z.array(
        z.object({
          protocol: z.string(),
          port: z.number(),
          state: z.string(),
          reason: z.string().nullable(),
          service: z.string().nullable(),
          product: z.string().nullable(),
          version: z.string().nullable(),
          extrainfo: z.string().nullable(),
          scripts: z.array(scriptSchema),
        }),
      ),
      scripts: z.array(scriptSchema),
      os: z.array(z.object({ name: z.string(), accuracy: z.number() })),
    }),
  ),
  hosts_up: z.number().nullable(),
  hosts_total: z.number().nullable(),
  elapsed_seconds: z.number().nullable(),
  error: z.string().nullable(),
  truncated: z.boolean(),
}) satisfies z.ZodType<NmapParsed>;

function fieldWords(input: NmapInput): ArgWord[] {
  const { words, add } = fieldWordCollector();
  if (input.ports !== undefined) add("ports", "-p", input.ports);
  if (input.top_ports !== undefined) add("top_ports", "--top-ports", String(input.top_ports));
  if (input.scan_type !== undefined) add("scan_type", SCAN_TYPES[input.scan_type]);
  if (input.service_version) add("service_version", "-sV");
  if (input.os_detection) add("os_detection", "-O");
  if (input.timing !== undefined) add("timing", "-T", String(input.timing));
  if (input.host_timeout_sec !== undefined)
    add("host_timeout_sec", "--host-timeout", `${input.host_timeout_sec}s`);
  if (input.max_retries !== undefined) add("max_retries", "--max-retries", String(input.max_retries));
  if (input.skip_host_discovery) add("skip_host_discovery", "-Pn");
  return words;
}

function plan(input: NmapInput, ctx: PlanContext): Outcome<string[]> {
  const given = new Set(ctx.flags.map((f) => f.rule.flag));
  if (given.has("-p") && (given.has("--top-ports") || given.has("-F")))
    return deny("validation_error", "give either ports (-p) or top_ports (--top-ports/-F), not both");
  const scripts = scriptArgv(input, ctx);
  if (!scripts.ok) return scripts;
  const hasScanType = SCAN_TYPE_FLAGS.some((f) => given.has(f));
  const target = hostOf(ctx.target);
  return ok([
    // Server-owned: XML on stdout for the parser, progress, no DNS of its own (we resolved and pinned).
    "-oX",
    "-",
    "--no-stylesheet",
    "--stats-every",
    "2s",
    "-n",
    // nmap decides by uid: tell it when raw sockets come from its file capability, or are not there at all.
    ...(ctx.rawVia === "process" ? [] : ctx.rawVia === "file" ? ["--privileged"] : ["--unprivileged"]),
    ...(target.family === 6 ? ["-6"] : []),
    ...(hasScanType ? [] : ["-sT"]),
    ...flagsToArgv(ctx.flags),
    ...scripts.value,
    "--",
    target.argument,
  ]);
}

function scriptArgv(input: NmapInput, ctx: PlanContext): Outcome<string[]> {
  const requested = input.scripts ?? [];
  const args = Object.entries(input.script_args ?? {});
  if (requested.length === 0 && !input.default_scripts) {
    return args.length === 0
      ? ok([])
      : deny("validation_error", "script_args given without scripts or default_scripts");
  }
  const catalog = ctx.catalogs.nmapScripts();
  if (catalog instanceof Error)
    return deny(
      "not_found",
      `nmap's script database could not be read (${catalog.message}), so no script can be vetted`,
    );
  const names = new Set(input.default_scripts ? catalog.defaults : []);
  for (const name of requested) {
    const refused = whyScriptRefused(name, catalog, ctx.allowIntrusive);
    if (refused) return refused;
    names.add(name);
  }
  const argv = ["--script", [...names].join(",")];
  if (args.length === 0) return ok(argv);
  const pairs: string[] = [];
  for (const [key, value] of args) {
    const refused = whyScriptArgRefused(key, value, names);
    if (refused) return deny("flag_denied", refused);
    pairs.push(`${key}=${value}`);
  }
  return ok([...argv, "--script-args", pairs.join(",")]);
}

function whyScriptRefused(
  name: string,
  catalog: ScriptCatalog,
  allowIntrusive: boolean,
): Outcome<never> | null {
  if (CATEGORIES.has(name))
    return deny(
      "flag_denied",
      `"${name}" is a script category; categories are never passed to nmap. Name scripts exactly, or set default_scripts: true`,
    );
  if (!SCRIPT_NAME.test(name))
    return deny(
      "flag_denied",
      `script ${JSON.stringify(name)} is refused: only exact script names (no paths, globs, commas or expressions)`,
    );
  const info = catalog.byName.get(name);
  if (!info)
    return deny(
      "not_found",
      `"${name}" is not an nmap script known to this server's nmap; see \`security-mcp tools --json\` for the allowed scripts`,
    );
  if (info.tier === "never") return deny("flag_denied", `script ${name} is never run here: ${info.reason}`);
  if (info.tier === "intrusive" && !allowIntrusive)
    return deny(
      "flag_denied",
      `script ${name} is in ${info.categories.join("/")} and needs security.allow_intrusive: true`,
    );
  return null;
}

/**
 * Ranked for a model's context: hosts with open ports first (most first), each with its services; then how
 * many hosts were up with nothing open; hosts down last. Versions and names the hosts sent are quoted.
 */
function summarize(parsed: NmapParsed): string {
  const withOpen = parsed.hosts
    .map((host) => ({ host, open: host.ports.filter((p) => p.state === "open") }))
    .filter((h) => h.open.length > 0)
    .sort((a, b) => b.open.length - a.open.length);
  const lines = withOpen.map(({ host, open }) => {
    const address = host.addresses[0]?.addr ?? "?";
    const names = host.hostnames.length ? ` ${untrusted(host.hostnames.slice(0, 3).join(" "))}` : "";
    const list = open
      .slice(0, 20)
      .map((p) => {
        const product = [p.product, p.version].filter(Boolean).join(" ");
        // Script findings (a page title, a server header) say most about a port; the first two, shortened.
        const scripts = p.scripts
          .slice(0, 2)
          .map((script) => ` ${script.id} ${untrusted(script.output, 80)}`)
          .join("");
        return `${p.port}/${p.protocol}${p.service ? ` ${p.service}` : ""}${product ? ` ${untrusted(product, 60)}` : ""}${scripts}`;
      })
      .join(", ");
    const os = host.os[0] ? `; OS ${untrusted(host.os[0].name, 60)}` : "";
    return `${address}${names}: ${open.length} open: ${list}${open.length > 20 ? ", ..." : ""}${os}`;
  });
  const quiet = parsed.hosts.filter((h) => h.state === "up" && !h.ports.some((p) => p.state === "open"));
  if (quiet.length > 0) {
    const shown = quiet.slice(0, 20).map((h) => h.addresses[0]?.addr ?? "?");
    lines.push(
      `${quiet.length} host${quiet.length === 1 ? "" : "s"} up with no open port found: ${shown.join(", ")}${quiet.length > 20 ? ", ..." : ""}`,
    );
  }
  const up = parsed.hosts_up ?? parsed.hosts.filter((h) => h.state === "up").length;
  const down = parsed.hosts_total === null ? 0 : parsed.hosts_total - up;
  if (down > 0) lines.push(`${down} host${down === 1 ? "" : "s"} down`);
  return lines.length > 0 ? lines.join("\n") : "no hosts found up";
}

export const nmap: ToolSpec<NmapInput, NmapParsed> = {
  name: "nmap",
  title: "Nmap port and service scanner",
  description:
    "Scan one host or network inside the configured scope for open ports, services, versions and OS, with vetted NSE scripts. Connect scan by default; results are parsed from nmap's XML into `parsed`.",
  annotations: {
    title: "Nmap port and service scanner",
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: false,
    openWorldHint: true,
  },
  binary: "nmap",
  versionArgs: ["--version"],
  inputSchema,
  parsedSchema,
  target: { kind: "host", maxNetworkPrefix: 22 },
  grammar: NMAP_GRAMMAR,
  limits: { maxOpenFiles: 4096, maxFileBytes: 16 * 1024 * 1024, maxDataBytes: 2 * 1024 * 1024 * 1024 },
  fieldWords,
  plan,
  createParser(onProgress) {
    // nmap restarts percent at 0 for each phase (ping, connect, service scan): count phases so progress only grows.
    let phase = -1;
    let task = "";
    let last = -1;
    return new NmapXmlStream((p) => {
      if (p.task !== task) {
        task = p.task;
        phase++;
      }
      const progress = phase * 100 + p.percent;
      if (progress <= last) return;
      last = progress;
      onProgress({ progress, message: `${p.task} ${p.percent.toFixed(0)}%` });
    });
  },
  summarize,
};
