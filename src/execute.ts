import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { constants, tmpdir } from "node:os";
import { basename, join } from "node:path";
import { toolSetting, type Deps } from "./deps.js";
import type { Denial } from "./errors.js";
import { bwrapArgv, limitsOnlyArgv } from "./exec/bwrap.js";
import { runProcess, type RunOutcome } from "./exec/run.js";
import { limitedArgv, toolEnvironment } from "./exec/sandbox.js";
import type { CircuitBreaker } from "./resilience/breaker.js";
import { LimiterFull, LimiterTimeout, type Limiter } from "./resilience/limiter.js";
import { refusedResult, type ResultFields, type ToolResult } from "./result.js";
import { describeChecked } from "./target-check.js";
import type { CheckedTarget } from "./policy/target.js";
import type { AnyToolSpec, Checked, CommonInput, ProgressUpdate } from "./tools/spec.js";

/** A call that passed every policy check: what runs, against what, and whether it needs raw sockets. */
export interface Prepared {
  readonly input: CommonInput;
  readonly target: Checked;
  /** Other hosts the call contacts (dig's server), checked like the target. */
  readonly secondary: readonly CheckedTarget[];
  readonly args: string[];
  /** Files written into the call's working directory before it starts (relative names). */
  readonly files: Readonly<Record<string, string>>;
  readonly binary: string;
  readonly raw: boolean;
}

export interface ExecContext {
  readonly signal?: AbortSignal;
  readonly onProgress?: (update: ProgressUpdate) => void;
  readonly correlationId: string;
  readonly maxOutputBytes?: number;
}

/**
 * breaker -> per-tool and global limiters -> sandboxed run -> parse -> result. The breaker hears only
 * how the tool itself did: timeouts, crashes, spawn errors and failed exits count; cancels and caps do not.
 */
export async function execute(
  spec: AnyToolSpec,
  prepared: Prepared,
  deps: Deps,
  ctx: ExecContext,
): Promise<ToolResult> {
  const refuse = (denial: Denial): ToolResult =>
    refusedResult(spec.name, prepared.input.target, ctx.correlationId, denial);
  if (deps.config.sandbox.required && deps.sandbox.mode !== "bwrap")
    return refuse({
      type: "execution_error",
      message: `sandbox.required is set but bwrap is unavailable (${deps.sandbox.reason ?? "unknown"}); no tool runs without it`,
    });
  const breaker = lookup(deps.breakers, spec.name);
  const admission = breaker.enter();
  if (!admission.admitted) {
    const seconds = Math.ceil(admission.retryAfterMs / 1000);
    return refuse({
      type: "circuit_breaker_open",
      message: `${spec.name} failed ${deps.config.circuit_breaker.failure_threshold} times in a row and is paused; retry_after ${seconds} s`,
    });
  }
  const slots = await acquireSlots(spec.name, deps, ctx.signal);
  if ("type" in slots) {
    breaker.abandon();
    return refuse(slots);
  }
  try {
    const result = await runSandboxed(spec, prepared, deps, ctx);
    recordOutcome(breaker, result.fields.error_type);
    return result;
  } catch (error) {
    breaker.abandon();
    throw error;
  } finally {
    slots.release();
  }
}

function lookup<T>(map: ReadonlyMap<string, T>, name: string): T {
  const value = map.get(name);
  if (value === undefined) throw new Error(`nothing registered for tool ${name}`);
  return value;
}

function recordOutcome(breaker: CircuitBreaker, errorType: ResultFields["error_type"]): void {
  if (errorType === null) breaker.success();
  else if (errorType === "timeout" || errorType === "execution_error") breaker.failure();
  else breaker.abandon();
}

/** A slot of the tool's own limit, then one of the global limit, each with a bounded, timed wait. */
async function acquireSlots(
  tool: string,
  deps: Deps,
  signal: AbortSignal | undefined,
): Promise<{ release: () => void } | Denial> {
  const waitMs = deps.config.tool.queue_timeout * 1000;
  const started = Date.now();
  const take = async (
    limiter: Limiter,
    what: string,
    remainingMs: number,
  ): Promise<(() => void) | Denial> => {
    try {
      return await limiter.acquire(signal, Math.max(remainingMs, 1));
    } catch (error) {
      if (error instanceof LimiterFull || error instanceof LimiterTimeout)
        return {
          type: "resource_exhausted",
          message: `${what} is busy: ${error.message}; retry in a minute or raise tool.${what === tool ? `${tool}.concurrency` : "global_concurrency"}`,
        };
      return { type: "cancelled", message: "the call was cancelled while waiting for a free slot" };
    }
  };
  const own = await take(lookup(deps.limiters, tool), tool, waitMs);
  if (typeof own !== "function") return own;
  const global = await take(deps.globalLimiter, "the server", waitMs - (Date.now() - started));
  if (typeof global !== "function") {
    own();
    return global;
  }
  return {
    release: () => {
      global();
      own();
    },
  };
}

async function runSandboxed(
  spec: AnyToolSpec,
  prepared: Prepared,
  deps: Deps,
  ctx: ExecContext,
): Promise<ToolResult> {
  const { config } = deps;
  const limitSec = toolSetting(config, spec.name, "timeout");
  const timeoutSec = Math.min(Math.max(prepared.input.timeout_sec ?? limitSec, 1), limitSec);
  const workdir = await mkdtemp(join(tmpdir(), "security-mcp-"));
  try {
    await writeCallFiles(workdir, prepared.files);
    const parser = spec.createParser((update) => ctx.onProgress?.(update));
    const command = [prepared.binary, ...prepared.args];
    const wrapper =
      deps.sandbox.mode === "bwrap"
        ? bwrapArgv({
            workdir,
            raw: prepared.raw,
            readOnly: spec.readOnlyPaths?.(config) ?? [],
            tmpBytes: config.sandbox.tmp_size,
          })
        : limitsOnlyArgv();
    const outcome = await runProcess(
      {
        argv: limitedArgv([...wrapper, ...command], { cpuSeconds: timeoutSec + 10, ...spec.limits }),
        cwd: workdir,
        env: toolEnvironment(workdir),
        timeoutMs: timeoutSec * 1000,
        graceMs: config.tool.kill_grace_period * 1000,
        maxStdoutBytes: ctx.maxOutputBytes ?? config.security.max_output_size,
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
      ctx.maxOutputBytes ?? config.security.max_output_size,
    );
    const fields: ResultFields = {
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
      correlation_id: ctx.correlationId,
      parsed,
    };
    const summary = `${spec.name} ${describeChecked(prepared.target)}: ${spec.summarize(parsed)}`;
    return {
      fields,
      isError: failure !== null,
      summary: failure ? `${summary}\n${failure.type}: ${failure.message}` : summary,
    };
  } finally {
    await rm(workdir, { recursive: true, force: true });
  }
}

async function writeCallFiles(workdir: string, files: Readonly<Record<string, string>>): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    // Names come from specs, never from callers; a separator would be a spec bug.
    if (name !== basename(name) || name.startsWith(".")) throw new Error(`bad call file name ${name}`);
    await writeFile(join(workdir, name), content, { mode: 0o600, flag: "wx" });
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
    const how = outcome.signal
      ? `was killed by ${outcome.signal}`
      : `exited with code ${outcome.returncode}${signalHint(outcome.returncode)}`;
    return { type: "execution_error", message: `${tool} ${how}${tail ? `: ${tail}` : ""}` };
  }
  return null;
}

/** bwrap and shells report a child killed by signal N as exit code 128+N. */
function signalHint(code: number | null): string {
  if (code === null || code <= 128 || code > 128 + 64) return "";
  const name = Object.entries(constants.signals).find(([, n]) => n === code - 128)?.[0];
  return name ? ` (killed by ${name})` : "";
}
