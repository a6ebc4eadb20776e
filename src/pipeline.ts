import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { z } from "zod";
import { isEnabled, toolSetting, type Deps } from "./deps.js";
import { deny, ok, type Denial, type Outcome } from "./errors.js";
import { runProcess, type RunOutcome } from "./exec/run.js";
import { limitedArgv, toolEnvironment } from "./exec/sandbox.js";
import { parseFlags, type ArgWord } from "./policy/flags.js";
import { splitArgs } from "./policy/split-args.js";
import { checkTarget, describeChecked } from "./target-check.js";
import { LimiterFull } from "./resilience/limiter.js";
import { refusedResult, type ToolResult } from "./result.js";
import type { AnyToolSpec, Checked, CommonInput, ProgressUpdate } from "./tools/spec.js";

export interface CallContext {
  readonly signal?: AbortSignal;
  readonly onProgress?: (update: ProgressUpdate) => void;
  /** Which door the call came through, for logs. */
  readonly via: string;
}

interface Prepared {
  readonly input: CommonInput;
  readonly target: Checked;
  readonly args: string[];
  readonly binary: string;
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
  let result: ToolResult;
  try {
    const prepared = await prepare(spec, rawInput, deps);
    result = prepared.ok
      ? await execute(spec, prepared.value, deps, ctx, correlationId)
      : refusedResult(spec.name, rawTarget, correlationId, prepared.denial);
  } catch (error) {
    log.error({ err: error }, "tool call failed unexpectedly");
    result = refusedResult(spec.name, rawTarget, correlationId, {
      type: "execution_error",
      message: `internal error: ${error instanceof Error ? error.message : String(error)}`,
    });
  }
  const { fields } = result;
  log.info(
    {
      target: fields.target,
      error_type: fields.error_type,
      returncode: fields.returncode,
      seconds: Number(((performance.now() - started) / 1000).toFixed(3)),
    },
    fields.error_type === null ? "tool call succeeded" : `tool call ended: ${fields.error_type}`,
  );
  return result;
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

  const extra = extraWords(input.extra_args, config.security.max_args_length);
  if (!extra.ok) return extra;
  const words: ArgWord[] = [...spec.fieldWords(input), ...extra.value];
  const flags = parseFlags(words, spec.grammar, {
    allowIntrusive: config.security.allow_intrusive,
    netRaw: deps.netRaw,
  });
  if (!flags.ok) return flags;

  const target = await checkTarget(spec, input, deps);
  if (!target.ok) return target;

  const args = spec.plan(input, {
    target: target.value,
    config,
    flags: flags.value,
    allowIntrusive: config.security.allow_intrusive,
    netRaw: deps.netRaw,
    catalogs: deps.catalogs,
  });
  if (!args.ok) return args;
  const binary = deps.findBinary(spec.binary);
  if (binary === null)
    return deny(
      "not_found",
      `${spec.binary} is not installed (looked in the server's PATH); install it, e.g. apt-get install ${spec.binary}`,
    );
  if (spec.requiresRaw && !deps.netRaw && !(await deps.binaryHasNetRaw(binary)))
    return deny(
      "execution_error",
      `${spec.name} needs raw sockets: neither this server process nor ${binary} has CAP_NET_RAW. Run as root, or: setcap cap_net_raw+ep ${binary}`,
    );
  return ok({ input, target: target.value, args: args.value, binary });
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

async function execute(
  spec: AnyToolSpec,
  prepared: Prepared,
  deps: Deps,
  ctx: CallContext,
  correlationId: string,
): Promise<ToolResult> {
  const { config } = deps;
  const limitSec = toolSetting(config, spec.name, "timeout");
  const timeoutSec = Math.min(Math.max(prepared.input.timeout_sec ?? limitSec, 1), limitSec);
  const limiter = deps.limiters.get(spec.name);
  if (!limiter) throw new Error(`no limiter for ${spec.name}`);
  let release: () => void;
  try {
    release = await limiter.acquire(ctx.signal);
  } catch (error) {
    const denial: Denial =
      error instanceof LimiterFull
        ? { type: "resource_exhausted", message: `${spec.name} is busy: ${error.message}; retry later` }
        : { type: "cancelled", message: "the call was cancelled while waiting for a free slot" };
    return refusedResult(spec.name, prepared.input.target, correlationId, denial);
  }
  const workdir = await mkdtemp(join(tmpdir(), "security-mcp-"));
  try {
    const parser = spec.createParser((update) => ctx.onProgress?.(update));
    const command = [prepared.binary, ...prepared.args];
    const outcome = await runProcess(
      {
        argv: limitedArgv(command, { cpuSeconds: timeoutSec + 10, ...spec.limits }),
        cwd: workdir,
        env: toolEnvironment(workdir),
        timeoutMs: timeoutSec * 1000,
        graceMs: config.tool.kill_grace_period * 1000,
        maxStdoutBytes: config.security.max_output_size,
        maxStderrBytes: config.security.max_output_size,
        ...(ctx.signal ? { signal: ctx.signal } : {}),
        onStdout: (chunk) => {
          try {
            parser.write(chunk);
          } catch (error) {
            // A parser bug must not take the server down from inside a stream handler; stdout is kept.
            deps.log.error({ err: error, tool: spec.name }, "output parser failed");
          }
        },
      },
      deps.reaper,
    );
    const parsed: unknown = parser.end();
    const failure = describeFailure(
      spec.name,
      outcome,
      timeoutSec,
      limitSec,
      config.security.max_output_size,
    );
    const fields = {
      tool: spec.name,
      target: prepared.input.target,
      command,
      returncode: outcome.returncode,
      stdout: spec.cleanOutput ? spec.cleanOutput(outcome.stdout) : outcome.stdout,
      stderr: spec.cleanOutput ? spec.cleanOutput(outcome.stderr) : outcome.stderr,
      truncated_stdout: outcome.truncatedStdout,
      truncated_stderr: outcome.truncatedStderr,
      timed_out: outcome.timedOut,
      cancelled: outcome.cancelled,
      error: failure?.message ?? null,
      error_type: failure?.type ?? null,
      execution_time: Number((outcome.durationMs / 1000).toFixed(3)),
      correlation_id: correlationId,
      parsed,
    };
    const summary = `${spec.name} ${describeChecked(prepared.target)}: ${spec.summarize(parsed)}`;
    return {
      fields,
      isError: failure !== null,
      summary: failure ? `${summary}\n${failure.type}: ${failure.message}` : summary,
    };
  } finally {
    release();
    await rm(workdir, { recursive: true, force: true });
  }
}

function describeFailure(
  tool: string,
  outcome: RunOutcome,
  timeoutSec: number,
  limitSec: number,
  maxOutput: number,
): Denial | null {
  if (outcome.spawnError !== null)
    return { type: "execution_error", message: `${tool} could not be started: ${outcome.spawnError}` };
  if (outcome.timedOut)
    return {
      type: "timeout",
      message: `${tool} was stopped after ${timeoutSec} s (timeout_sec, at most ${limitSec} s for this tool); the output so far is kept`,
    };
  if (outcome.cancelled)
    return {
      type: "cancelled",
      message: `${tool} was stopped because the call was cancelled; the output so far is kept`,
    };
  if (outcome.truncatedStdout || outcome.truncatedStderr)
    return {
      type: "resource_exhausted",
      message: `${tool}'s output passed ${maxOutput} bytes (security.max_output_size), so it was stopped; the output so far is kept. Narrow the scan (fewer ports or hosts)`,
    };
  if (outcome.returncode !== 0) {
    const tail = outcome.stderr.trim().split("\n").slice(-5).join("\n").slice(-800);
    const how = outcome.signal ? `was killed by ${outcome.signal}` : `exited with code ${outcome.returncode}`;
    return { type: "execution_error", message: `${tool} ${how}${tail ? `: ${tail}` : ""}` };
  }
  return null;
}
