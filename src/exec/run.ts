import { spawn } from "node:child_process";
import { killGroup, type ProcessReaper } from "./reaper.js";

export interface RunRequest {
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  /** Time between SIGTERM and SIGKILL. */
  readonly graceMs: number;
  readonly maxStdoutBytes: number;
  readonly maxStderrBytes: number;
  readonly signal?: AbortSignal;
  /** Sees every stdout chunk that is kept (for streaming parsers). */
  readonly onStdout?: (chunk: Buffer) => void;
}

export interface RunOutcome {
  readonly returncode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly truncatedStdout: boolean;
  readonly truncatedStderr: boolean;
  readonly timedOut: boolean;
  readonly cancelled: boolean;
  /** Set when the process could not be started at all. */
  readonly spawnError: string | null;
  readonly durationMs: number;
}

const emptyOutcome: RunOutcome = {
  returncode: null,
  signal: null,
  stdout: "",
  stderr: "",
  truncatedStdout: false,
  truncatedStderr: false,
  timedOut: false,
  cancelled: false,
  spawnError: null,
  durationMs: 0,
};

type StopReason = "timeout" | "cancel" | "output";

/**
 * Runs argv without a shell in its own process group. Every way it can end is in the outcome: normal exit,
 * timeout or cancel (SIGTERM, then SIGKILL after the grace period, to the whole group), or an output cap
 * (the tool is stopped and the output kept up to the cap). Partial output is always kept.
 */
export function runProcess(request: RunRequest, reaper: ProcessReaper): Promise<RunOutcome> {
  const started = performance.now();
  return new Promise((resolveOnce) => {
    let settled = false;
    const resolve = (outcome: RunOutcome): void => {
      if (!settled) resolveOnce(outcome);
      settled = true;
    };
    const [file, ...args] = request.argv;
    if (file === undefined) throw new Error("runProcess needs a non-empty argv");
    const child = spawn(file, args, {
      cwd: request.cwd,
      env: request.env,
      detached: true,
      shell: false,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const stdout = new Capture(request.maxStdoutBytes);
    const stderr = new Capture(request.maxStderrBytes);
    let stopReason: StopReason | null = null;
    let spawnError: string | null = null;
    let killTimer: NodeJS.Timeout | undefined;
    const pgid = child.pid;
    if (pgid !== undefined) reaper.add(pgid);

    const stop = (reason: StopReason): void => {
      if (stopReason !== null || pgid === undefined) return;
      stopReason = reason;
      killGroup(pgid, "SIGTERM");
      killTimer = setTimeout(() => {
        killGroup(pgid, "SIGKILL");
      }, request.graceMs);
    };
    const timer = setTimeout(() => {
      stop("timeout");
    }, request.timeoutMs);
    const onAbort = (): void => {
      stop("cancel");
    };
    if (request.signal?.aborted) onAbort();
    request.signal?.addEventListener("abort", onAbort, { once: true });

    child.stdout.on("data", (chunk: Buffer) => {
      const kept = stdout.add(chunk);
      if (kept.length > 0) request.onStdout?.(kept);
      if (stdout.truncated) stop("output");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr.add(chunk);
      if (stderr.truncated) stop("output");
    });
    child.on("error", (error) => {
      spawnError = error.message;
      if (pgid === undefined) {
        clearTimeout(timer);
        request.signal?.removeEventListener("abort", onAbort);
        resolve({ ...emptyOutcome, spawnError, durationMs: performance.now() - started });
      }
    });
    // The leader has exited; whatever it left in its group is killed now, and the pipes get a moment to
    // drain before we stop waiting for an escaped grandchild that still holds them.
    child.on("exit", () => {
      if (pgid !== undefined) killGroup(pgid, "SIGKILL");
      setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
      }, 1000).unref();
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      clearTimeout(killTimer);
      request.signal?.removeEventListener("abort", onAbort);
      if (pgid !== undefined) {
        killGroup(pgid, "SIGKILL");
        reaper.delete(pgid);
      }
      resolve({
        returncode: code,
        signal,
        stdout: stdout.text(),
        stderr: stderr.text(),
        truncatedStdout: stdout.truncated,
        truncatedStderr: stderr.truncated,
        timedOut: stopReason === "timeout",
        cancelled: stopReason === "cancel",
        spawnError,
        durationMs: performance.now() - started,
      });
    });
  });
}

/** Keeps at most `limit` bytes; reports truncation as soon as a byte is dropped. */
class Capture {
  readonly #chunks: Buffer[] = [];
  #size = 0;
  truncated = false;

  constructor(private readonly limit: number) {}

  add(chunk: Buffer): Buffer {
    const room = this.limit - this.#size;
    const kept = chunk.length <= room ? chunk : chunk.subarray(0, Math.max(room, 0));
    if (kept.length < chunk.length) this.truncated = true;
    if (kept.length > 0) {
      this.#chunks.push(kept);
      this.#size += kept.length;
    }
    return kept;
  }

  text(): string {
    return Buffer.concat(this.#chunks).toString("utf8");
  }
}
