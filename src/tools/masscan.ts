import { z } from "zod";
import { untrusted } from "./untrusted.js";
import { deny, ok, type Outcome } from "../errors.js";
import { flagsToArgv, type ArgWord } from "../policy/flags.js";
import { MASSCAN_GRAMMAR } from "./masscan-grammar.js";
import { plainText } from "./parsers/plain-text.js";
import { MasscanJsonStream, type MasscanParsed } from "./parsers/masscan-json.js";
import { commonFields, fieldWordCollector, hostOf, type PlanContext, type ToolSpec } from "./spec.js";

const DEFAULT_RATE = 100;
const DEFAULT_WAIT = 3;

const inputSchema = z
  .object({
    ...commonFields,
    target: z
      .string()
      .max(253)
      .describe(
        "IPv4 address, CIDR (default cap /24) or range a.b.c.d-e.f.g.h, or a host name, inside the scope",
      ),
    ports: z
      .string()
      .max(1024)
      .optional()
      .describe("Ports to scan (required here or as -p): 80,443,8000-8100 or U:53"),
    rate: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .optional()
      .describe(`Packets per second (default ${DEFAULT_RATE}); above 1000 needs security.allow_intrusive`),
    wait: z
      .number()
      .int()
      .min(0)
      .max(30)
      .optional()
      .describe(`Seconds to wait for late replies (default ${DEFAULT_WAIT})`),
    retries: z.number().int().min(0).max(5).optional().describe("Retransmissions per probe"),
    banners: z.boolean().optional().describe("Grab banners (needs security.allow_intrusive)"),
  })
  .strict();

type MasscanInput = z.infer<typeof inputSchema>;

const parsedSchema = z.object({
  results: z.array(
    z.object({
      ip: z.string(),
      port: z.number(),
      protocol: z.string(),
      state: z.string(),
      reason: z.string().nullable(),
      ttl: z.number().nullable(),
      service: z.string().nullable(),
      banner: z.string().nullable(),
    }),
  ),
  truncated: z.boolean(),
}) satisfies z.ZodType<MasscanParsed>;

function fieldWords(input: MasscanInput): ArgWord[] {
  const { words, add } = fieldWordCollector();
  if (input.ports !== undefined) add("ports", "-p", input.ports);
  if (input.rate !== undefined) add("rate", "--rate", String(input.rate));
  if (input.wait !== undefined) add("wait", "--wait", String(input.wait));
  if (input.retries !== undefined) add("retries", "--retries", String(input.retries));
  if (input.banners) add("banners", "--banners");
  return words;
}

function plan(_input: MasscanInput, ctx: PlanContext): Outcome<string[]> {
  const given = new Set(ctx.flags.map((f) => f.rule.flag));
  if (!given.has("-p"))
    return deny("validation_error", 'masscan needs ports: set the ports field (e.g. "80,443")');
  const { adapter, router_mac: routerMac } = ctx.config.tool.masscan;
  return ok([
    // Server-owned: the checked target, JSON on stdout for the parser, defaults that keep scans gentle.
    "--range",
    hostOf(ctx.target).argument,
    ...flagsToArgv(ctx.flags),
    ...(given.has("--rate") ? [] : ["--rate", String(DEFAULT_RATE)]),
    ...(given.has("--wait") ? [] : ["--wait", String(DEFAULT_WAIT)]),
    ...(adapter === undefined ? [] : ["--adapter", adapter]),
    ...(routerMac === undefined ? [] : ["--router-mac", routerMac]),
    "-oJ",
    "-",
  ]);
}

function summarize(parsed: MasscanParsed): string {
  const open = parsed.results.filter((r) => r.state === "open");
  if (open.length === 0) return "no open ports found";
  const shown = open
    .slice(0, 30)
    .map((r) => `${r.ip}:${r.port}/${r.protocol}${r.banner ? ` ${untrusted(r.banner, 60)}` : ""}`)
    .join(", ");
  return `${open.length} open port${open.length === 1 ? "" : "s"}: ${shown}${open.length > 30 ? ", ..." : ""}`;
}

export const masscan: ToolSpec<MasscanInput, MasscanParsed> = {
  name: "masscan",
  title: "masscan fast port scanner",
  description:
    "SYN-scan IPv4 hosts, networks (up to /24 by default) or ranges inside the scope for open ports, at a capped packet rate (100/s by default). Needs raw sockets. Results come from masscan's JSON in `parsed.results`.",
  annotations: {
    title: "masscan fast port scanner",
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: false,
    openWorldHint: true,
  },
  binary: "masscan",
  versionArgs: ["--version"],
  inputSchema,
  parsedSchema,
  target: {
    kind: "host",
    maxNetworkPrefix: 24,
    intrusiveMaxNetworkPrefix: 16,
    allowRanges: true,
    ipv4Only: true,
  },
  requiresRaw: true,
  grammar: MASSCAN_GRAMMAR,
  limits: { maxOpenFiles: 1024, maxFileBytes: 16 * 1024 * 1024, maxDataBytes: 2 * 1024 * 1024 * 1024 },
  fieldWords,
  plan,
  createParser: () => new MasscanJsonStream(),
  cleanOutput: plainText,
  summarize,
};
