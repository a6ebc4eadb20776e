import { createHash, randomUUID } from "node:crypto";
import type { z } from "zod";
import { isEnabled, type Deps } from "./deps.js";
import { execute, type Prepared } from "./execute.js";
import { deny, ok, type Outcome } from "./errors.js";
import { parseFlags, type ArgWord } from "./policy/flags.js";
import { splitArgs } from "./policy/split-args.js";
import { checkSecondaryTargets, checkTarget } from "./target-check.js";
import { refusedResult, type ToolResult } from "./result.js";
import type { Logger } from "./observability/log.js";
import type { ResultFields } from "./result.js";
import type { AnyToolSpec, Checked, CommonInput, ProgressUpdate } from "./tools/spec.js";

export interface CallContext {
  readonly signal?: AbortSignal;
  readonly onProgress?: (update: ProgressUpdate) => void;
  /** Which door the call came through, for logs and the audit log. */
  readonly via: string;
  /** Who called: an API key's id over HTTP (never the key); the transport otherwise. */
  readonly client?: string;
  /** Told once the call has passed every policy check and will run (scan jobs answer scan_start then). */
  readonly onAdmitted?: () => void;
  /** Bytes of stdout kept, when not security.max_output_size (scan jobs keep more, for paging). */
  readonly maxOutputBytes?: number;
}

/**
 * The one path of every call: input schema -> policy (flags, scope) -> plan -> limiter -> exec -> parse ->
 * result. Expected failures come back as results; the catch here is the only broad one, for bugs.
 */
export async function invokeTool(
  spec: AnyToolSpec,
  rawInput: unknown,
  deps: Deps,
  ctx: CallContext,
): Promise<ToolResult> {
  const started = performance.now();
  const correlationId = readCorrelationId(rawInput) ?? randomUUID();
  const rawTarget = (rawInput as { target?: unknown } | null)?.target;
  const log = deps.log.child({ tool: spec.name, correlation_id: correlationId, via: ctx.via });
  deps.metrics.callStarted(spec.name);
  deps.events.emit("tool", {
    phase: "started",
    tool: spec.name,
    correlation_id: correlationId,
    via: ctx.via,
  });
  let result: ToolResult;
  let addresses: readonly string[] = [];
  try {
    const prepared = await prepare(spec, rawInput, deps);
    if (prepared.ok)
      addresses = [
        ...addressesOf(prepared.value.target),
        ...prepared.value.secondary.flatMap((host) => host.addresses),
      ];
    if (prepared.ok) ctx.onAdmitted?.();
    result = prepared.ok
      ? await execute(spec, prepared.value, deps, { ...ctx, correlationId })
      : refusedResult(spec.name, rawTarget, correlationId, prepared.denial);
  } catch (error) {
    log.error({ err: error }, "tool call failed unexpectedly");
    result = refusedResult(spec.name, rawTarget, correlationId, {
      type: "execution_error",
      message: `internal error: ${error instanceof Error ? error.message : String(error)}`,
    });
  }
  const seconds = Number(((performance.now() - started) / 1000).toFixed(3));
  const { fields } = result;
  deps.metrics.callEnded(spec.name, fields.error_type, seconds);
  deps.events.emit("tool", {
    phase: "ended",
    tool: spec.name,
    correlation_id: correlationId,
    via: ctx.via,
    error_type: fields.error_type,
    seconds,
  });
  recordAudit(deps, ctx, fields, addresses, seconds, log);
  log.info(
    { target: fields.target, error_type: fields.error_type, returncode: fields.returncode, seconds },
    fields.error_type === null ? "tool call succeeded" : `tool call ended: ${fields.error_type}`,
  );
  return result;
}

function addressesOf(target: Checked): readonly string[] {
  switch (target.kind) {
    case "host":
      return target.host.addresses.length > 0 ? target.host.addresses : [target.host.argument];
    case "url":
      return target.url.host.addresses;
    case "domain":
      return [];
  }
}

function recordAudit(
  deps: Deps,
  ctx: CallContext,
  fields: ResultFields,
  addresses: readonly string[],
  seconds: number,
  log: Logger,
): void {
  // Hashed piece by piece: output can be megabytes, and a joined copy would be garbage for every call.
  const ran = fields.command.length > 0;
  try {
    deps.audit.record({
      time: new Date().toISOString(),
      via: ctx.via,
      client: ctx.client ?? ctx.via,
      correlation_id: fields.correlation_id ?? "",
      tool: fields.tool,
      target: fields.target,
      addresses,
      command: fields.command,
      decision: ran ? "ran" : "refused",
      error_type: fields.error_type,
      duration_seconds: seconds,
      returncode: fields.returncode,
      output_bytes: Buffer.byteLength(fields.stdout) + Buffer.byteLength(fields.stderr),
      output_sha256: ran
        ? createHash("sha256").update(fields.stdout).update(fields.stderr).digest("hex")
        : null,
    });
  } catch (error) {
    // The call already happened; losing its record is an operator alarm, not the caller's problem.
    log.error({ err: error }, "audit record could not be written");
  }
}

function readCorrelationId(rawInput: unknown): string | null {
  const value = (rawInput as { correlation_id?: unknown } | null)?.correlation_id;
  return typeof value === "string" && /^[A-Za-z0-9._:-]{1,128}$/.test(value) ? value : null;
}

async function prepare(spec: AnyToolSpec, rawInput: unknown, deps: Deps): Promise<Outcome<Prepared>> {
  const { config } = deps;
  if (!isEnabled(config, spec.name))
    return deny("validation_error", `tool ${spec.name} is disabled by tool.include/tool.exclude`);
  const parsedInput = (spec.inputSchema as z.ZodType<CommonInput>).safeParse(rawInput);
  if (!parsedInput.success) return deny("validation_error", describeInputIssues(spec, parsedInput.error));
  const input = parsedInput.data;
  if (spec.intrusive === true && !config.security.allow_intrusive)
    return deny(
      "flag_denied",
      `${spec.name} is intrusive (${spec.title}) and needs security.allow_intrusive: true`,
    );

  const binary = deps.findBinary(spec.binary);
  if (binary === null)
    return deny(
      "not_found",
      `${spec.binary} is not installed (looked in the server's PATH); install it, e.g. apt-get install ${spec.binary}`,
    );
  const rawVia = await rawSocketSource(deps, binary);
  if (spec.requiresRaw && rawVia === null)
    return deny(
      "execution_error",
      `${spec.name} needs raw sockets: this server process lacks CAP_NET_RAW${deps.sandbox.mode === "bwrap" ? " (file capabilities do not apply inside the bwrap sandbox)" : ` and so does ${binary}`}. Run the server as root or with CAP_NET_RAW, or without bwrap: setcap cap_net_raw+ep ${binary}`,
    );

  const extra = extraWords(input.extra_args, config.security.max_args_length);
  if (!extra.ok) return extra;
  const words: ArgWord[] = [...spec.fieldWords(input), ...extra.value];
  const flags = parseFlags(words, spec.grammar, {
    allowIntrusive: config.security.allow_intrusive,
    netRaw: rawVia !== null,
  });
  if (!flags.ok) return flags;

  const target = await checkTarget(spec, input, deps);
  if (!target.ok) return target;
  const secondary = await checkSecondaryTargets(spec, input, deps);
  if (!secondary.ok) return secondary;

  const args = spec.plan(input, {
    target: target.value,
    secondary: secondary.value,
    config,
    flags: flags.value,
    allowIntrusive: config.security.allow_intrusive,
    rawVia,
    catalogs: deps.catalogs,
  });
  if (!args.ok) return args;
  const raw = spec.requiresRaw === true || flags.value.some((f) => f.rule.requiresRaw === true);
  return ok({
    input,
    target: target.value,
    secondary: [...secondary.value.values()],
    args: args.value,
    files: spec.files?.(input) ?? {},
    binary,
    raw,
  });
}

/**
 * Where this tool's raw sockets would come from: the server's own CAP_NET_RAW, or the binary's file
 * capability. The latter does not apply under bwrap, which sets no_new_privs.
 */
async function rawSocketSource(deps: Deps, binary: string): Promise<"process" | "file" | null> {
  if (deps.netRaw) return "process";
  if (deps.sandbox.mode === "limits" && (await deps.binaryHasNetRaw(binary))) return "file";
  return null;
}

function describeInputIssues(spec: AnyToolSpec, error: z.ZodError): string {
  const problems = error.issues.map((issue) => {
    if (issue.code === "unrecognized_keys")
      return `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.join(", ")} (see the ${spec.name} tool's input schema)`;
    const field = issue.path.join(".") || "input";
    return `${field}: ${issue.message}`;
  });
  return `invalid input for ${spec.name}: ${problems.join("; ")}`;
}

function extraWords(extra: string | string[] | undefined, maxBytes: number): Outcome<ArgWord[]> {
  if (extra === undefined) return ok([]);
  const bytes =
    typeof extra === "string"
      ? Buffer.byteLength(extra)
      : extra.reduce((n, w) => n + Buffer.byteLength(w) + 1, 0);
  if (bytes > maxBytes)
    return deny(
      "validation_error",
      `extra_args is ${bytes} bytes; the limit is ${maxBytes} (security.max_args_length)`,
    );
  const split = typeof extra === "string" ? splitArgs(extra) : ok(extra);
  if (!split.ok) return split;
  return ok(split.value.map((text) => ({ text, origin: "extra_args" })));
}
