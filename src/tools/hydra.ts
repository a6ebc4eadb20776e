import { z } from "zod";
import { deny, ok, type Outcome } from "../errors.js";
import { flagsToArgv, type ArgWord } from "../policy/flags.js";
import { HYDRA_GRAMMAR, HYDRA_SERVICES, MAX_THREADS, type HydraService } from "./hydra-grammar.js";
import { HydraOutputStream, type HydraParsed } from "./parsers/hydra-output.js";
import { SHIPPED_CREDENTIAL_DIR } from "./wordlists.js";
import { commonFields, fieldWordCollector, type PlanContext, type ToolSpec } from "./spec.js";

const DEFAULT_THREADS = 4;
const DEFAULT_LISTS = { usernames: "default-usernames", passwords: "common-passwords" } as const;
const INLINE_FILES = { usernames: "usernames.txt", passwords: "passwords.txt" } as const;
const MAX_INLINE = 32;

const inlineList = z
  .array(
    z
      .string()
      .min(1)
      .max(128)
      // eslint-disable-next-line no-control-regex
      .regex(/^[^\u0000-\u001f\u007f]*$/, "no control characters or line breaks"),
  )
  .min(1)
  .max(MAX_INLINE);
const credentialField = (what: "usernames" | "passwords") =>
  z
    .union([z.string().max(64), inlineList])
    .optional()
    .describe(
      `A catalog name of a ${what.slice(0, -1)} list (default ${DEFAULT_LISTS[what]}), or an inline array of at most ${MAX_INLINE} ${what}; never a path`,
    );
// Printable ASCII without the backslash (hydra's escape character); colons are escaped when assembled.
const formPart = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[\x20-\x5b\x5d-\x7e]*$/);

const inputSchema = z
  .object({
    ...commonFields,
    target: z.string().max(253).describe("One host: an in-scope address or host name"),
    service: z.enum(HYDRA_SERVICES).describe("The service to log in to"),
    port: z.number().int().min(1).max(65_535).optional().describe("Port, when not the service's default"),
    usernames: credentialField("usernames"),
    passwords: credentialField("passwords"),
    path: z
      .string()
      .max(512)
      // No colon: hydra would read what follows as further module options.
      .regex(/^\/[\x21-\x39\x3b-\x5b\x5d-\x7e]*$/)
      .optional()
      .describe("http(s)-get/head/post: the protected page (default /; no colon)"),
    form: z
      .object({
        path: formPart(512).regex(/^\//).describe("The page the form is sent to, e.g. /login"),
        body: formPart(1024)
          .regex(/\^PASS\^/, "must contain ^PASS^")
          .describe("Form fields with ^USER^ and ^PASS^ placeholders, e.g. user=^USER^&pass=^PASS^"),
        failure: formPart(128).optional().describe("Text on the page after a failed login"),
        success: formPart(128).optional().describe("Text on the page after a successful login"),
      })
      .strict()
      .optional()
      .describe("http(s)-get-form/post-form: the login form; give failure or success, not both"),
    threads: z
      .number()
      .int()
      .min(1)
      .max(MAX_THREADS)
      .optional()
      .describe(`Parallel connections (default ${DEFAULT_THREADS})`),
    stop_at_first: z.boolean().optional().describe("Stop at the first valid credential (-f, default true)"),
  })
  .strict();

type HydraInput = z.infer<typeof inputSchema>;

const parsedSchema = z.object({
  credentials: z.array(
    z.object({
      host: z.string(),
      port: z.number(),
      service: z.string(),
      login: z.string().nullable(),
      password: z.string(),
    }),
  ),
  planned_attempts: z.number().nullable(),
}) satisfies z.ZodType<HydraParsed>;

const isForm = (s: HydraService): boolean => s.endsWith("-form");
const takesPath = (s: HydraService): boolean => /^https?-(get|head|post)$/.test(s);

function fieldWords(input: HydraInput): ArgWord[] {
  const { words, add } = fieldWordCollector();
  if (input.threads !== undefined) add("threads", "-t", String(input.threads));
  if (input.stop_at_first !== false) add("stop_at_first", "-f");
  return words;
}

function files(input: HydraInput): Record<string, string> {
  const written: Record<string, string> = {};
  for (const what of ["usernames", "passwords"] as const) {
    const list = input[what];
    if (Array.isArray(list)) written[INLINE_FILES[what]] = `${list.join("\n")}\n`;
  }
  return written;
}

/** A list's file (shipped or operator catalog, or the call's inline file) and its entry count. */
function credentialList(
  input: HydraInput,
  what: "usernames" | "passwords",
  ctx: PlanContext,
): Outcome<{ path: string; count: number }> {
  const given = input[what];
  if (Array.isArray(given)) return ok({ path: INLINE_FILES[what], count: given.length });
  const found = ctx.catalogs.credentials(given ?? DEFAULT_LISTS[what]);
  if (!found.ok)
    return found.denial.type === "not_found"
      ? deny("not_found", `${what}: ${found.denial.message}. For inline values give an array, e.g. ["admin"]`)
      : found;
  return ok({ path: found.value.path, count: found.value.lines });
}

/** Passwords -x MIN:MAX:CHARSET generates: a, A and 1 stand for letter and digit classes. */
export function generatedCount(spec: string): number {
  const [min, max, charset = ""] = spec.split(":");
  const classes = { a: 26, A: 26, "1": 10 } as Record<string, number>;
  const size = [...new Set(charset)].reduce((n, c) => n + (classes[c] ?? 1), 0);
  let total = 0;
  for (let length = Number(min); length <= Number(max); length++) total += size ** length;
  return total;
}

function moduleOption(input: HydraInput): Outcome<string[]> {
  const { service } = input;
  if (isForm(service)) {
    const form = input.form;
    if (!form) return deny("validation_error", `${service} needs form: {path, body, failure or success}`);
    if ((form.failure === undefined) === (form.success === undefined))
      return deny("validation_error", "form needs exactly one of failure or success");
    // hydra splits its module option at colons; \: is a literal one.
    const escape = (text: string): string => text.replace(/:/g, "\\:");
    const marker =
      form.failure !== undefined ? `F=${escape(form.failure)}` : `S=${escape(form.success ?? "")}`;
    return ok([`${escape(form.path)}:${escape(form.body)}:${marker}`]);
  }
  if (input.form) return deny("validation_error", `form applies only to the *-form services, not ${service}`);
  if (takesPath(service)) return ok([input.path ?? "/"]);
  if (input.path !== undefined)
    return deny("validation_error", `path applies only to http(s)-get/head/post, not ${service}`);
  return ok([]);
}

function plan(input: HydraInput, ctx: PlanContext): Outcome<string[]> {
  if (ctx.target.kind !== "host") throw new Error("hydra needs a host target");
  const host = ctx.target.host;
  if (host.kind !== "address" && host.kind !== "hostname")
    return deny("validation_error", `hydra attacks one host, not the ${host.kind} ${host.input}`);
  const option = moduleOption(input);
  if (!option.ok) return option;
  const generator = ctx.flags.find((f) => f.rule.flag === "-x")?.value;
  const users = credentialList(input, "usernames", ctx);
  if (!users.ok) return users;
  if (generator !== undefined && input.passwords !== undefined)
    return deny("validation_error", "give passwords or -x, not both");
  const passwords = generator === undefined ? credentialList(input, "passwords", ctx) : null;
  if (passwords && !passwords.ok) return passwords;
  const extraTries = ctx.flags.find((f) => f.rule.flag === "-e")?.value?.length ?? 0;
  const perUser = (passwords ? passwords.value.count : generatedCount(generator ?? "")) + extraTries;
  const attempts = users.value.count * perUser;
  const cap = ctx.config.tool.hydra.max_attempts;
  if (attempts > cap)
    return deny(
      "flag_denied",
      `this call would try ${attempts} logins (${users.value.count} user names x ${perUser} passwords); the cap is ${cap} (tool.hydra.max_attempts)`,
    );
  const given = new Set(ctx.flags.map((f) => f.rule.flag));
  return ok([
    "-I",
    ...(given.has("-t") ? [] : ["-t", String(DEFAULT_THREADS)]),
    ...flagsToArgv(ctx.flags),
    "-L",
    users.value.path,
    ...(passwords ? ["-P", passwords.value.path] : []),
    ...(input.port === undefined ? [] : ["-s", String(input.port)]),
    ...(host.family === 6 ? ["-6"] : []),
    host.argument,
    input.service,
    ...option.value,
  ]);
}

function summarize(parsed: HydraParsed): string {
  const found = parsed.credentials;
  if (found.length === 0) return "no valid credentials found";
  const shown = found
    .slice(0, 10)
    .map((c) => `${c.login === null ? "" : `${c.login} / `}${c.password} (${c.service} port ${c.port})`);
  return `${found.length} valid credential${found.length === 1 ? "" : "s"}: ${shown.join("; ")}${found.length > 10 ? "; ..." : ""}`;
}

export const hydra: ToolSpec<HydraInput, HydraParsed> = {
  name: "hydra",
  title: "hydra login brute force",
  description:
    "Try user names and passwords against one in-scope service (ssh, ftp, http forms, databases, ...). Brute force: needs security.allow_intrusive. Lists come from the catalog by name or as short inline arrays; attempts are capped by tool.hydra.max_attempts; stops at the first valid credential unless stop_at_first is false.",
  annotations: {
    title: "hydra login brute force",
    readOnlyHint: false,
    destructiveHint: false,
    idempotentHint: false,
    openWorldHint: true,
  },
  binary: "hydra",
  versionArgs: ["-h"],
  intrusive: true,
  inputSchema,
  parsedSchema,
  target: { kind: "host", maxNetworkPrefix: 32 },
  grammar: HYDRA_GRAMMAR,
  limits: { maxOpenFiles: 1024, maxFileBytes: 16 * 1024 * 1024, maxDataBytes: 512 * 1024 * 1024 },
  fieldWords,
  plan,
  files,
  createParser: (onProgress) =>
    new HydraOutputStream((count) => {
      onProgress({ progress: count, message: `${count} valid credential${count === 1 ? "" : "s"} found` });
    }),
  readOnlyPaths: (config) => [SHIPPED_CREDENTIAL_DIR, ...config.tool.hydra.wordlist_dirs],
  summarize,
};
