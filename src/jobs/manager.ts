import { randomUUID } from "node:crypto";
import type { Deps } from "../deps.js";
import { invokeTool, type CallContext } from "../pipeline.js";
import { refusedResult, type ToolResult } from "../result.js";
import type { AnyToolSpec } from "../tools/spec.js";
import {
  SERVER_RUN,
  type JobRecord,
  type JobStatus,
  type JobStore,
  type RawPage,
  type Retention,
} from "./store.js";

export type Started = { readonly refused: ToolResult } | { readonly job: JobRecord };

interface Running {
  readonly controller: AbortController;
  readonly done: Promise<JobRecord>;
}

/**
 * Every call that runs becomes a job: a direct call is a job awaited to its end, scan_start one answered
 * as soon as it passes policy. Both go through invokeTool, so jobs have exactly the pipeline's checks.
 */
export class JobManager {
  readonly #running = new Map<string, Running>();

  constructor(
    private readonly store: JobStore,
    private readonly retention: () => Retention,
  ) {}

  /** A direct tool call: runs to its end; its record (and raw output) is kept when it ran. */
  async call(
    spec: AnyToolSpec,
    input: unknown,
    deps: Deps,
    ctx: CallContext & { readonly owner: string },
  ): Promise<{ result: ToolResult; job: JobRecord | null }> {
    // Set by the pipeline's callback once the call passed policy (a holder, so the compiler sees it change).
    const opened: { job: JobRecord | null } = { job: null };
    const result = await invokeTool(spec, input, deps, {
      ...ctx,
      onAdmitted: () => {
        // A store that cannot be written costs the call its record and link, never its result.
        try {
          opened.job = this.#open(spec, input, ctx.owner);
        } catch (error) {
          deps.log.error({ err: error, dir: this.store.dir }, "job record could not be written");
        }
      },
    });
    if (opened.job === null) return { result, job: null };
    try {
      return { result, job: this.#finish(opened.job, result) };
    } catch (error) {
      deps.log.error({ err: error, dir: this.store.dir }, "job result could not be written");
      return { result, job: null };
    }
  }

  /** scan_start: answers once the call passed policy (a job) or was refused (the refusal, nothing kept). */
  async start(spec: AnyToolSpec, input: unknown, deps: Deps, owner: string, via: string): Promise<Started> {
    const controller = new AbortController();
    const opened: { job: JobRecord | null } = { job: null };
    const storeError: { message: string | null } = { message: null };
    let admitted: () => void = () => undefined;
    const admission = new Promise<"admitted">((resolve) => {
      admitted = () => {
        resolve("admitted");
      };
    });
    const finished = invokeTool(spec, input, deps, {
      via,
      client: owner,
      signal: controller.signal,
      maxOutputBytes: deps.config.jobs.max_output_size,
      onAdmitted: () => {
        try {
          opened.job = this.#open(spec, input, owner);
        } catch (error) {
          // Without a record nobody could collect the job: stop it before it starts.
          deps.log.error({ err: error, dir: this.store.dir }, "job record could not be written");
          storeError.message = error instanceof Error ? error.message : String(error);
          controller.abort();
          return;
        }
        admitted();
      },
      onProgress: (update) => {
        if (opened.job) opened.job.progress = { progress: update.progress, message: update.message };
      },
    });
    const first = await Promise.race([admission, finished]);
    const job = opened.job;
    if (storeError.message !== null) {
      const refused = first === "admitted" ? await finished : first;
      return {
        refused: refusedResult(spec.name, refused.fields.target, refused.fields.correlation_id, {
          type: "execution_error",
          message: `the job could not be stored in ${this.store.dir} (jobs.dir): ${storeError.message}`,
        }),
      };
    }
    if (first !== "admitted" || job === null) return { refused: first as ToolResult };
    const done = finished.then((result) => {
      try {
        return this.#finish(job, result);
      } catch (error) {
        deps.log.error({ err: error, dir: this.store.dir }, "job result could not be written");
        return job;
      }
    });
    this.#running.set(job.id, { controller, done });
    void done.finally(() => this.#running.delete(job.id));
    return { job };
  }

  /** The owner's job, or undefined (another owner's job is as invisible as one that never existed). */
  get(id: string, owner: string): JobRecord | undefined {
    const record = this.store.get(id);
    return record?.owner === owner ? record : undefined;
  }

  list(owner: string): JobRecord[] {
    return this.store
      .all()
      .filter((r) => r.owner === owner)
      .sort((a, b) => b.created_at.localeCompare(a.created_at));
  }

  page(record: JobRecord, offset: number, limit: number): RawPage {
    return this.store.readRaw(record.id, offset, limit);
  }

  /** Stops a running job (its process group is killed) and waits for its record to settle. */
  async cancel(record: JobRecord): Promise<JobRecord> {
    const running = this.#running.get(record.id);
    if (!running) return record;
    running.controller.abort();
    return running.done;
  }

  /** Running jobs' promises, for a graceful shutdown. */
  whenIdle(): Promise<unknown> {
    return Promise.allSettled([...this.#running.values()].map((r) => r.done));
  }

  #open(spec: AnyToolSpec, input: unknown, owner: string): JobRecord {
    const target = (input as { target?: unknown } | null)?.target;
    const record: JobRecord = {
      id: randomUUID(),
      tool: spec.name,
      owner,
      target: typeof target === "string" ? target : "",
      status: "running",
      created_at: new Date().toISOString(),
      finished_at: null,
      progress: null,
      summary: null,
      result: null,
      raw_bytes: 0,
      server_pid: process.pid,
      server_run: SERVER_RUN,
    };
    this.store.save(record);
    return record;
  }

  #finish(record: JobRecord, result: ToolResult): JobRecord {
    const { fields } = result;
    record.status = statusOf(fields.error_type);
    record.finished_at = new Date().toISOString();
    record.summary = result.summary;
    record.result = { ...fields, stdout: "" };
    record.raw_bytes = this.store.saveRaw(record.id, fields.stdout);
    this.store.save(record);
    this.store.prune(this.retention());
    return record;
  }
}

function statusOf(errorType: ToolResult["fields"]["error_type"]): JobStatus {
  if (errorType === null) return "completed";
  return errorType === "cancelled" ? "cancelled" : "failed";
}
