import { z } from "zod";
import { untrusted } from "./untrusted.js";
import { deny, ok, type Outcome } from "../errors.js";
import { flagsToArgv, type ArgWord } from "../policy/flags.js";
import { SqlmapOutputStream, type SqlmapParsed } from "./parsers/sqlmap-output.js";
import { plainText } from "./parsers/plain-text.js";
import { DBMS_NAMES, MAX_THREADS, SQLMAP_GRAMMAR } from "./sqlmap-grammar.js";
import { commonFields, fieldWordCollector, type PlanContext, type ToolSpec } from "./spec.js";

/** sqlmap's output directory inside the call's private working directory (its cwd), deleted with it. */
const OUTPUT_DIR = "sqlmap-output";
const ENUMERATIONS = {
  banner: "--banner",
  current_user: "--current-user",
  current_db: "--current-db",
  dbs: "--dbs",
  tables: "--tables",
  columns: "--columns",
} as const;

const printable = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[\x20-\x7e]*$/, "printable ASCII only");
const identifier = z
  .string()
  .regex(/^[A-Za-z0-9_$.][A-Za-z0-9_$.-]{0,63}$/)
  .optional();

const inputSchema = z
  .object({
    ...commonFields,
    target: z
      .string()
      .max(2048)
      .describe("The http(s) URL to test, query string included; its host must be in scope"),
    data: printable(4096).optional().describe("POST body to test, e.g. user=a&pass=b"),
    cookie: printable(4096).optional().describe("Cookie header value (a session), e.g. PHPSESSID=abc"),
    headers: z
      .record(z.string().max(64), z.string().max(512))
      .optional()
      .describe("Up to 5 extra headers (never Host, Authorization or Cookie)"),
    parameter: identifier.describe("Test only this parameter (-p)"),
    level: z
      .number()
      .int()
      .min(1)
      .max(3)
      .optional()
      .describe("Depth of tests 1-3 (default 1); 3 needs security.allow_intrusive"),
    risk: z
      .number()
      .int()
      .min(1)
      .max(2)
      .optional()
      .describe("Risk of payloads 1-2 (default 1); 2 needs security.allow_intrusive"),
    technique: z
      .string()
      .regex(/^[BEUSTQ]{1,6}$/)
      .optional()
      .describe("Technique letters: B boolean, E error, U union, S stacked, T time, Q inline (default all)"),
    threads: z.number().int().min(1).max(MAX_THREADS).optional().describe("Concurrent requests (default 1)"),
    dbms: z.enum(DBMS_NAMES).optional().describe("The back-end DBMS, when known"),
    time_sec: z.number().int().min(1).max(10).optional().describe("Delay for time-based tests (default 5)"),
    banner: z.boolean().optional().describe("Retrieve the DBMS banner"),
    current_user: z.boolean().optional().describe("Retrieve the current DBMS user"),
    current_db: z.boolean().optional().describe("Retrieve the current database"),
    dbs: z.boolean().optional().describe("List databases"),
    tables: z.boolean().optional().describe("List tables (of database, when given)"),
    columns: z.boolean().optional().describe("List columns (of database and table, when given)"),
    database: identifier.describe("Database to enumerate (-D)"),
    table: identifier.describe("Table to enumerate (-T)"),
    dump: z
      .boolean()
      .optional()
      .describe("Copy table rows (needs security.allow_intrusive; rows capped by tool.sqlmap.max_dump_rows)"),
    dump_rows: z.number().int().min(1).max(1_000_000).optional().describe("Rows to dump per table"),
  })
  .strict();

type SqlmapInput = z.infer<typeof inputSchema>;

const technique = z.object({ type: z.string(), title: z.string(), payload: z.string() });
const parsedSchema = z.object({
  injectable: z.array(z.object({ parameter: z.string(), place: z.string(), techniques: z.array(technique) })),
  dbms: z.string().nullable(),
  banner: z.string().nullable(),
  current_user: z.string().nullable(),
  current_db: z.string().nullable(),
  is_dba: z.boolean().nullable(),
  hostname: z.string().nullable(),
  databases: z.array(z.string()),
  users: z.array(z.string()),
  tables: z.array(z.object({ database: z.string(), tables: z.array(z.string()) })),
  columns: z.array(
    z.object({
      database: z.string(),
      table: z.string(),
      columns: z.array(z.object({ name: z.string(), type: z.string() })),
    }),
  ),
  dumps: z.array(
    z.object({
      database: z.string(),
      table: z.string(),
      columns: z.array(z.string()),
      rows: z.array(z.array(z.string())),
    }),
  ),
  critical: z.array(z.string()),
  truncated: z.boolean(),
}) satisfies z.ZodType<SqlmapParsed>;

/**
 * Typed fields that may carry a session or credentials (POST data, cookie, headers) go to sqlmap in a
 * configuration file in the call's private directory, not in argv, which every local process can read and
 * the audit log records. Values are printable ASCII without line breaks, so a value cannot add a key.
 */
const PRIVATE_FIELDS = ["data", "cookie", "headers"];
const REQUEST_FILE = "sqlmap-request.conf";

function files(input: SqlmapInput): Record<string, string> {
  const headers = Object.entries(input.headers ?? {}).map(([name, value]) => `${name}: ${value}`);
  const lines = [
    ...(input.data === undefined ? [] : [`data = ${input.data}`]),
    ...(input.cookie === undefined ? [] : [`cookie = ${input.cookie}`]),
    // A value over several lines: continuation lines are indented.
    ...(headers.length === 0 ? [] : [`headers = ${headers.join("\n\t")}`]),
  ];
  return lines.length === 0 ? {} : { [REQUEST_FILE]: `[Target]\n\n[Request]\n${lines.join("\n")}\n` };
}

function fieldWords(input: SqlmapInput): ArgWord[] {
  const { words, add } = fieldWordCollector();
  if (input.data !== undefined) add("data", "--data", input.data);
  if (input.cookie !== undefined) add("cookie", "--cookie", input.cookie);
  for (const [name, value] of Object.entries(input.headers ?? {}))
    add("headers", "--header", `${name}: ${value}`);
  if (input.parameter !== undefined) add("parameter", "-p", input.parameter);
  if (input.level !== undefined) add("level", "--level", String(input.level));
  if (input.risk !== undefined) add("risk", "--risk", String(input.risk));
  if (input.technique !== undefined) add("technique", "--technique", input.technique);
  if (input.threads !== undefined) add("threads", "--threads", String(input.threads));
  if (input.dbms !== undefined) add("dbms", "--dbms", input.dbms);
  if (input.time_sec !== undefined) add("time_sec", "--time-sec", String(input.time_sec));
  for (const [field, flag] of Object.entries(ENUMERATIONS))
    if (input[field as keyof typeof ENUMERATIONS]) add(field, flag);
  if (input.database !== undefined) add("database", "-D", input.database);
  if (input.table !== undefined) add("table", "-T", input.table);
  if (input.dump) add("dump", "--dump");
  if (input.dump_rows !== undefined) add("dump_rows", "--stop", String(input.dump_rows));
  return words;
}

/** --dump copies at most tool.sqlmap.max_dump_rows rows per table: --start/--stop are checked or added. */
function dumpBounds(ctx: PlanContext): Outcome<string[]> {
  const value = (flag: string): number | undefined => {
    const found = ctx.flags.find((f) => f.rule.flag === flag)?.value;
    return found === undefined ? undefined : Number(found);
  };
  const dumping = ctx.flags.some((f) => f.rule.flag === "--dump");
  const start = value("--start");
  const stop = value("--stop");
  if (!dumping)
    return start === undefined && stop === undefined
      ? ok([])
      : deny("validation_error", "--start, --stop and dump_rows apply only with --dump");
  const cap = ctx.config.tool.sqlmap.max_dump_rows;
  const first = start ?? 1;
  if (stop !== undefined && stop < first)
    return deny("validation_error", `--stop ${stop} is before --start ${first}`);
  if (stop !== undefined && stop - first + 1 > cap)
    return deny(
      "flag_denied",
      `--dump of ${stop - first + 1} rows per table; at most ${cap} (tool.sqlmap.max_dump_rows)`,
    );
  return ok([
    ...(start === undefined ? ["--start=1"] : []),
    ...(stop === undefined ? [`--stop=${first + cap - 1}`] : []),
  ]);
}

function plan(input: SqlmapInput, ctx: PlanContext): Outcome<string[]> {
  if (ctx.target.kind !== "url") throw new Error("sqlmap needs a URL target");
  const { pinned, hostHeader } = ctx.target.url;
  // Short options' values are words of their own; sqlmap pre-scans words for option-like text.
  const dashed = ctx.flags.find((f) => !f.rule.flag.startsWith("--") && f.value?.startsWith("-"));
  if (dashed)
    return deny(
      "validation_error",
      `${dashed.rule.flag} ${JSON.stringify(dashed.value)}: a value may not start with "-"`,
    );
  const bounds = dumpBounds(ctx);
  if (!bounds.ok) return bounds;
  // Typed request fields were checked by the grammar like any option, but travel in a private file.
  const flags = ctx.flags.filter((f) => !PRIVATE_FIELDS.includes(f.origin));
  const privateFile = flags.length < ctx.flags.length ? ["-c", REQUEST_FILE] : [];
  return ok([
    ...privateFile,
    "-u",
    pinned,
    ...(hostHeader ? [`--host=${hostHeader}`] : []),
    // No prompts, nothing followed off the checked URL, and nothing written outside the call's directory.
    "--batch",
    // "follow" answers the 3xx question, "refresh" the meta-refresh / Refresh-header / script-redirect one.
    "--answers=follow=N,refresh=N",
    "--ignore-redirects",
    "--disable-coloring",
    `--output-dir=${OUTPUT_DIR}`,
    // Long options as one `--name=value` word; short options' values cannot start with "-".
    ...flagsToArgv(flags, (flag) => flag.startsWith("--")),
    ...bounds.value,
  ]);
}

function summarize(parsed: SqlmapParsed): string {
  const parts: string[] = [];
  // Everything sqlmap parsed may echo the target (parameter names, error text), so all of it is quoted.
  if (parsed.injectable.length === 0)
    parts.push(parsed.critical[0] ? untrusted(parsed.critical[0], 300) : "no injectable parameter found");
  else
    parts.push(
      parsed.injectable
        .map(
          (p) =>
            `${untrusted(p.parameter, 60)} (${untrusted(p.place, 20)}) injectable: ${untrusted(p.techniques.map((t) => t.type).join(", "), 200)}`,
        )
        .join("; "),
    );
  if (parsed.dbms) parts.push(`back-end DBMS ${untrusted(parsed.dbms, 80)}`);
  if (parsed.banner) parts.push(`banner ${untrusted(parsed.banner)}`);
  if (parsed.current_user) parts.push(`current user ${untrusted(parsed.current_user)}`);
  if (parsed.current_db) parts.push(`current database ${untrusted(parsed.current_db)}`);
  const names = (list: string[]): string => untrusted(list.slice(0, 30).join(", "), 400);
  if (parsed.databases.length) parts.push(`databases: ${names(parsed.databases)}`);
  for (const t of parsed.tables.slice(0, 5))
    parts.push(`tables of ${untrusted(t.database)}: ${names(t.tables)}`);
  for (const c of parsed.columns.slice(0, 5))
    parts.push(`columns of ${untrusted(c.table)}: ${names(c.columns.map((col) => col.name))}`);
  for (const d of parsed.dumps.slice(0, 5))
    parts.push(`${d.rows.length} rows dumped from ${untrusted(d.table)}`);
  return parts.join("; ");
}

export const sqlmap: ToolSpec<SqlmapInput, SqlmapParsed> = {
  name: "sqlmap",
  title: "sqlmap SQL injection test",
  description:
    "Test one in-scope http(s) URL (query string, POST data, cookie) for SQL injection and enumerate what it exposes: banner, current user and database, databases, tables, columns. Only that URL is tested; redirects are not followed; nothing is written outside a private per-call directory. Level 3, risk 2 and --dump (bounded rows) need security.allow_intrusive; OS, file and registry takeover options are refused.",
  annotations: {
    title: "sqlmap SQL injection test",
    readOnlyHint: false,
    destructiveHint: false,
    idempotentHint: false,
    openWorldHint: true,
  },
  binary: "sqlmap",
  versionArgs: ["--version"],
  inputSchema,
  parsedSchema,
  target: { kind: "url", maxNetworkPrefix: 32 },
  grammar: SQLMAP_GRAMMAR,
  limits: { maxOpenFiles: 1024, maxFileBytes: 64 * 1024 * 1024, maxDataBytes: 1024 * 1024 * 1024 },
  fieldWords,
  plan,
  files,
  createParser: (onProgress) => {
    let found = 0;
    return new SqlmapOutputStream((message) => {
      onProgress({ progress: ++found, message });
    });
  },
  cleanOutput: plainText,
  summarize,
};
