import { z } from "zod";
import { untrusted } from "./untrusted.js";
import { deny, ok, type Outcome } from "../errors.js";
import { flagsToArgv, type ArgWord } from "../policy/flags.js";
import { GOBUSTER_GRAMMAR, MODE_FLAGS } from "./gobuster-grammar.js";
import { GobusterLineStream, type GobusterParsed } from "./parsers/gobuster-lines.js";
import { plainText } from "./parsers/plain-text.js";
import { SHIPPED_WORDLIST_DIR } from "./wordlists.js";
import {
  commonFields,
  fieldWordCollector,
  type PlanContext,
  type TargetKind,
  type ToolSpec,
} from "./spec.js";

const MODES = ["dir", "vhost", "dns"] as const;
type Mode = (typeof MODES)[number];
const DEFAULT_WORDLIST: Record<Mode, string> = { dir: "common", vhost: "vhost-common", dns: "dns-common" };
const DEFAULT_THREADS = 10;

const inputSchema = z
  .object({
    ...commonFields,
    target: z
      .string()
      .max(2048)
      .describe("dir/vhost: an http(s) URL whose host is in scope; dns: a domain under an allowed domain"),
    mode: z
      .enum(MODES)
      .optional()
      .describe("dir (paths, default), vhost (virtual hosts) or dns (subdomains)"),
    wordlist: z
      .string()
      .max(64)
      .optional()
      .describe("Catalog name of a wordlist (default common, vhost-common or dns-common); never a path"),
    extensions: z
      .array(z.string().regex(/^[a-z0-9]{1,10}$/))
      .max(20)
      .optional()
      .describe('dir: file extensions to try, e.g. ["php", "txt"]'),
    status_codes: z
      .string()
      .max(256)
      .optional()
      .describe('dir: status codes to report, e.g. "200,204,301-302"'),
    negative_status_codes: z.string().max(256).optional().describe("dir: status codes to hide (default 404)"),
    threads: z
      .number()
      .int()
      .min(1)
      .max(50)
      .optional()
      .describe(`Concurrent requests (default ${DEFAULT_THREADS})`),
    headers: z
      .record(z.string().max(64), z.string().max(512))
      .optional()
      .describe("dir/vhost: up to 5 extra headers (never Host, Authorization or Cookie)"),
    no_tls_validation: z.boolean().optional().describe("dir/vhost: skip TLS certificate checks (-k)"),
  })
  .strict();

type GobusterInput = z.infer<typeof inputSchema>;

const parsedSchema = z.object({
  findings: z.array(
    z.union([
      z.object({
        kind: z.literal("path"),
        path: z.string(),
        status: z.number(),
        size: z.number().nullable(),
        redirect: z.string().nullable(),
      }),
      z.object({
        kind: z.literal("vhost"),
        name: z.string(),
        status: z.number(),
        size: z.number().nullable(),
      }),
      z.object({ kind: z.literal("dns"), name: z.string(), addresses: z.array(z.string()) }),
    ]),
  ),
  truncated: z.boolean(),
}) satisfies z.ZodType<GobusterParsed>;

function modeOf(input: GobusterInput): Mode {
  return input.mode ?? "dir";
}

function fieldWords(input: GobusterInput): ArgWord[] {
  const { words, add } = fieldWordCollector();
  if (input.extensions !== undefined) add("extensions", "-x", input.extensions.join(","));
  if (input.status_codes !== undefined) add("status_codes", "-s", input.status_codes);
  if (input.negative_status_codes !== undefined)
    add("negative_status_codes", "-b", input.negative_status_codes);
  if (input.threads !== undefined) add("threads", "-t", String(input.threads));
  for (const [name, value] of Object.entries(input.headers ?? {})) add("headers", "-H", `${name}: ${value}`);
  if (input.no_tls_validation) add("no_tls_validation", "-k");
  return words;
}

function plan(input: GobusterInput, ctx: PlanContext): Outcome<string[]> {
  const mode = modeOf(input);
  const outside = ctx.flags.find((f) => !MODE_FLAGS[mode].includes(f.rule.flag));
  if (outside)
    return deny("flag_denied", `${outside.rule.flag} (in ${outside.origin}) does not apply to ${mode} mode`);
  const settings = ctx.config.tool.gobuster;
  const wordlist = ctx.catalogs.wordlist(input.wordlist ?? DEFAULT_WORDLIST[mode]);
  if (!wordlist.ok) return wordlist;
  // Each extension is another request per word, so the brute-force rule counts requests, not lines.
  const extensions = ctx.flags.find((f) => f.rule.flag === "-x")?.value?.split(",").length ?? 0;
  const requests = wordlist.value.lines * (1 + extensions);
  if (requests > settings.max_wordlist_lines && !ctx.allowIntrusive)
    return deny(
      "flag_denied",
      `wordlist ${wordlist.value.name} has ${wordlist.value.lines} lines${extensions ? ` and ${extensions} extensions (${requests} requests)` : ""}; more than ${settings.max_wordlist_lines} (tool.gobuster.max_wordlist_lines) is brute force and needs security.allow_intrusive`,
    );
  const given = new Set(ctx.flags.map((f) => f.rule.flag));
  if (given.has("-s") && given.has("-b"))
    return deny("validation_error", "give status_codes (-s) or negative_status_codes (-b), not both");
  const common = [
    "-q",
    "-z",
    "--no-color",
    "-w",
    wordlist.value.path,
    ...(given.has("-t") ? [] : ["-t", String(DEFAULT_THREADS)]),
    ...flagsToArgv(ctx.flags),
  ];
  const target = ctx.target;
  if (mode === "dns") {
    if (target.kind !== "domain") throw new Error("dns mode needs a domain target");
    return ok(["dns", "-d", target.domain, "-i", ...common]);
  }
  if (target.kind !== "url") throw new Error(`${mode} mode needs a URL target`);
  const { pinned, hostHeader, hostname } = target.url;
  if (mode === "vhost") {
    if (hostname === null)
      return deny(
        "validation_error",
        "vhost mode needs a host name in the URL (its domain is appended to each word), not an address",
      );
    return ok(["vhost", "-u", pinned, "--append-domain", "--domain", hostname, ...common]);
  }
  // gobuster rejects -s with its default -b 404; an empty -b lets the caller's positive list apply.
  const blacklist = given.has("-s") && !given.has("-b") ? ["-b", ""] : [];
  return ok([
    "dir",
    "-u",
    pinned,
    ...(hostHeader ? ["-H", `Host: ${hostHeader}`] : []),
    ...blacklist,
    ...common,
  ]);
}

function summarize(parsed: GobusterParsed): string {
  if (parsed.findings.length === 0) return "nothing found";
  const shown = parsed.findings.slice(0, 30).map((f) => {
    switch (f.kind) {
      case "path":
        return `${f.path} (${f.status}${f.redirect ? ` -> ${untrusted(f.redirect, 80)}` : ""})`;
      case "vhost":
        return `${f.name} (${f.status})`;
      case "dns":
        return `${f.name}${f.addresses.length ? ` ${untrusted(f.addresses.join(", "), 80)}` : ""}`;
    }
  });
  return `${parsed.findings.length} found: ${shown.join(", ")}${parsed.findings.length > 30 ? ", ..." : ""}`;
}

export const gobuster: ToolSpec<GobusterInput, GobusterParsed> = {
  name: "gobuster",
  title: "gobuster content, vhost and subdomain enumeration",
  description:
    "Enumerate paths (dir), virtual hosts (vhost) or subdomains (dns) of an in-scope target with a wordlist chosen by catalog name. The shipped lists are small; lists longer than tool.gobuster.max_wordlist_lines (5000 by default) count as brute force and need security.allow_intrusive. Redirects are never followed.",
  annotations: {
    title: "gobuster enumeration",
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: true,
  },
  binary: "gobuster",
  versionArgs: ["version"],
  inputSchema,
  parsedSchema,
  target: {
    kind: (input: GobusterInput): TargetKind => (modeOf(input) === "dns" ? "domain" : "url"),
    maxNetworkPrefix: 32,
  },
  grammar: GOBUSTER_GRAMMAR,
  // A data-size cap, not an address-space one: Go reserves large virtual ranges at start.
  limits: { maxOpenFiles: 1024, maxFileBytes: 16 * 1024 * 1024, maxDataBytes: 1024 * 1024 * 1024 },
  fieldWords,
  plan,
  createParser: () => new GobusterLineStream(),
  readOnlyPaths: (config) => [SHIPPED_WORDLIST_DIR, ...config.tool.gobuster.wordlist_dirs],
  cleanOutput: plainText,
  summarize,
};
