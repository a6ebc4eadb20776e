import { z } from "zod";
import { untrusted } from "./untrusted.js";
import type { Config } from "../config/schema.js";
import { deny, ok, type Outcome } from "../errors.js";
import { flagsToArgv, type ArgWord } from "../policy/flags.js";
import { DIG_GRAMMAR, QUERY_CLASSES, RECORD_TYPES, ZONE_TRANSFERS } from "./dig-grammar.js";
import { DigOutputStream, type DigParsed } from "./parsers/dig-output.js";
import {
  commonFields,
  fieldWordCollector,
  type PlanContext,
  type SecondaryTarget,
  type TargetKind,
  type ToolSpec,
} from "./spec.js";

const inputSchema = z
  .object({
    ...commonFields,
    target: z
      .string()
      .max(253)
      .describe(
        "The name to look up (an allowed host name or a name under an allowed .domain), or an in-scope address for a reverse (PTR) lookup",
      ),
    record_type: z
      .enum(RECORD_TYPES)
      .optional()
      .describe("Record type (default A; PTR for an address). AXFR and IXFR need security.allow_intrusive"),
    ixfr_serial: z
      .number()
      .int()
      .min(0)
      .max(4_294_967_295)
      .optional()
      .describe("IXFR: the serial to transfer changes since (default 0)"),
    query_class: z.enum(QUERY_CLASSES).optional().describe("Query class (default IN)"),
    server: z
      .string()
      .max(253)
      .optional()
      .describe(
        "The DNS server to ask: an in-scope address or host name (default: tool.dig.default_server; the machine's own resolver is never used)",
      ),
    port: z.number().int().min(1).max(65_535).optional().describe("The DNS server's port (default 53)"),
    tcp: z.boolean().optional().describe("Query over TCP (+tcp)"),
    dnssec: z.boolean().optional().describe("Ask for DNSSEC records (+dnssec)"),
  })
  .strict();

type DigInput = z.infer<typeof inputSchema>;

const record = z.object({
  name: z.string(),
  ttl: z.number(),
  class: z.string(),
  type: z.string(),
  data: z.string(),
});
const parsedSchema = z.object({
  status: z.string().nullable(),
  flags: z.array(z.string()),
  answers: z.array(record),
  authority: z.array(record),
  additional: z.array(record),
  query_time_ms: z.number().nullable(),
  server: z.string().nullable(),
  errors: z.array(z.string()),
  truncated: z.boolean(),
}) satisfies z.ZodType<DigParsed>;

/** An address (or something meant as one) is a reverse lookup; anything with a letter is a name. */
function targetKind(input: DigInput): TargetKind {
  return /^[0-9./-]+$|:/.test(input.target) ? "host" : "domain";
}

function fieldWords(input: DigInput): ArgWord[] {
  const { words, add } = fieldWordCollector();
  if (input.record_type !== undefined)
    add(
      "record_type",
      "-t",
      input.record_type === "IXFR" ? `IXFR=${input.ixfr_serial ?? 0}` : input.record_type,
    );
  if (input.query_class !== undefined) add("query_class", "-c", input.query_class);
  if (input.port !== undefined) add("port", "-p", String(input.port));
  if (input.tcp) add("tcp", "+tcp");
  if (input.dnssec) add("dnssec", "+dnssec");
  return words;
}

function secondaryTargets(input: DigInput, config: Readonly<Config>): SecondaryTarget[] {
  const server = input.server ?? config.tool.dig.default_server;
  return server === undefined
    ? []
    : [{ field: input.server === undefined ? "tool.dig.default_server" : "server", value: server }];
}

function plan(input: DigInput, ctx: PlanContext): Outcome<string[]> {
  const type = ctx.flags.find((f) => f.rule.flag === "-t");
  const transfer = type?.value?.replace(/=.*$/, "");
  if (transfer !== undefined && ZONE_TRANSFERS.includes(transfer) && !ctx.allowIntrusive)
    return deny(
      "flag_denied",
      `${transfer} (in ${type?.origin ?? "record_type"}) copies a whole zone and needs security.allow_intrusive: true`,
    );
  let question: string[];
  if (ctx.target.kind === "domain") question = ["-q", ctx.target.domain];
  else if (ctx.target.kind === "host" && ctx.target.host.kind === "address")
    question = ["-x", ctx.target.host.argument];
  else
    return deny(
      "validation_error",
      `a reverse lookup takes one address, not ${JSON.stringify(input.target)}`,
    );
  // Never the machine's own resolver by default: it lies outside the scope, and queries for target names
  // would leak there.
  const [server] = ctx.secondary.values();
  if (server === undefined)
    return deny(
      "validation_error",
      "give server: the in-scope DNS server to ask (or set tool.dig.default_server); the machine's own resolver is not used",
    );
  // -r: never read a .digrc (HOME is the call's empty directory anyway).
  return ok([
    "-r",
    ...flagsToArgv(ctx.flags, (flag) => flag.startsWith("+")),
    `@${server.argument}`,
    ...question,
  ]);
}

function summarize(parsed: DigParsed): string {
  if (parsed.status === null && parsed.answers.length === 0) return parsed.errors[0] ?? "no answer";
  const shown = parsed.answers
    .slice(0, 20)
    .map((r) => `${untrusted(r.name, 80)} ${r.type} ${untrusted(r.data, 120)}`);
  const more = parsed.answers.length > 20 ? `, ... (${parsed.answers.length} in all)` : "";
  const count = `${parsed.answers.length} answer${parsed.answers.length === 1 ? "" : "s"}`;
  return `${parsed.status ?? "transfer"}, ${count}${shown.length ? `: ${shown.join("; ")}${more}` : ""}`;
}

export const dig: ToolSpec<DigInput, DigParsed> = {
  name: "dig",
  title: "dig DNS lookup",
  description:
    "Look up DNS records of an in-scope name, or the PTR record of an in-scope address, optionally asking a given in-scope DNS server. Zone transfers (AXFR, IXFR) need security.allow_intrusive; +trace, search domains and key files are refused.",
  annotations: {
    title: "dig DNS lookup",
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: true,
  },
  binary: "dig",
  versionArgs: ["-v"],
  inputSchema,
  parsedSchema,
  target: { kind: targetKind, maxNetworkPrefix: 32 },
  grammar: DIG_GRAMMAR,
  limits: { maxOpenFiles: 256, maxFileBytes: 1024 * 1024, maxDataBytes: 512 * 1024 * 1024 },
  fieldWords,
  secondaryTargets,
  plan,
  createParser: () => new DigOutputStream(),
  summarize,
};
