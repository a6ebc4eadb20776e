import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { isEnabled, type Deps } from "../deps.js";
import { ERROR_TYPE_NAMES } from "../errors.js";
import { boundFields, boundText, rawUri, withLegend } from "../tool-answer.js";
import { JOB_STATUSES, type JobRecord } from "./store.js";

const jobId = z.string().max(64).describe("The job id scan_start returned");
const INPUTS = {
  scan_start: z
    .object({
      tool: z.string().max(64).describe("The tool to run: nmap, masscan, gobuster, hydra, sqlmap or dig"),
      arguments: z
        .record(z.string(), z.unknown())
        .describe("That tool's input, exactly as for a direct call (target, extra_args, typed fields)"),
    })
    .strict(),
  scan_status: z.object({ job_id: jobId }).strict(),
  scan_result: z
    .object({
      job_id: jobId,
      offset: z
        .number()
        .int()
        .min(0)
        .optional()
        .describe("Byte offset in the raw output (next_offset of the last page)"),
      limit: z
        .number()
        .int()
        .min(16)
        .optional()
        .describe("Bytes of raw output per page (at most output.summary_max_chars)"),
    })
    .strict(),
  scan_cancel: z.object({ job_id: jobId }).strict(),
  scan_list: z.object({}).strict(),
};
export type JobToolName = keyof typeof INPUTS;

const jobView = {
  job_id: z.string().nullable(),
  tool: z.string(),
  target: z.string(),
  status: z.enum([...JOB_STATUSES, "refused"]),
  created_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  progress: z.object({ progress: z.number(), message: z.string() }).nullable(),
  summary: z.string().nullable(),
  error_type: z.enum(ERROR_TYPE_NAMES).nullable(),
  error: z.string().nullable(),
  raw_bytes: z.number(),
  resource_uri: z.string().nullable(),
};
type JobView = { [K in keyof typeof jobView]: z.infer<(typeof jobView)[K]> };
const rawPage = z.object({
  offset: z.number(),
  length: z.number(),
  total_bytes: z.number(),
  next_offset: z.number().nullable(),
  data: z.string(),
});
const OUTPUTS = {
  scan_start: z.object(jobView).strict(),
  scan_status: z.object(jobView).strict(),
  scan_result: z.object({ ...jobView, parsed: z.unknown(), truncated: z.boolean(), raw: rawPage }).strict(),
  scan_cancel: z.object(jobView).strict(),
  scan_list: z.object({ jobs: z.array(z.object(jobView).strict()) }).strict(),
} satisfies Record<JobToolName, z.ZodType>;

const DESCRIPTIONS: Record<JobToolName, { title: string; description: string; readOnly: boolean }> = {
  scan_start: {
    title: "Start a scan job",
    description:
      "Start any tool as a background job and get its job_id at once, for scans that outlast a client's timeout. The call passes exactly the checks of a direct call: a refusal comes back immediately. Poll scan_status, then read scan_result.",
    readOnly: false,
  },
  scan_status: {
    title: "Scan job status",
    description: "Status and progress of one of your jobs.",
    readOnly: true,
  },
  scan_result: {
    title: "Scan job result",
    description:
      "The result of one of your jobs: the summary and parsed findings, and its raw output in pages (offset, limit; follow next_offset until it is null). With offset or limit given, the text is that page of raw output.",
    readOnly: true,
  },
  scan_cancel: {
    title: "Cancel a scan job",
    description: "Stop one of your running jobs; its process group is killed and the output so far kept.",
    readOnly: false,
  },
  scan_list: {
    title: "List scan jobs",
    description: "Your jobs, newest first (at most 50).",
    readOnly: true,
  },
};

export const JOB_TOOL_NAMES = Object.keys(INPUTS) as JobToolName[];

export function isJobTool(name: string): name is JobToolName {
  return (JOB_TOOL_NAMES as string[]).includes(name);
}

function schema(type: z.ZodType, io: "input" | "output"): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(type, { io, unrepresentable: "any" });
  return rest;
}

export function describeJobTools(): Tool[] {
  return JOB_TOOL_NAMES.map((name) => ({
    name,
    title: DESCRIPTIONS[name].title,
    description: DESCRIPTIONS[name].description,
    inputSchema: schema(INPUTS[name], "input") as Tool["inputSchema"],
    outputSchema: schema(OUTPUTS[name], "output") as Tool["outputSchema"],
    annotations: {
      title: DESCRIPTIONS[name].title,
      readOnlyHint: DESCRIPTIONS[name].readOnly,
      destructiveHint: false,
      idempotentHint: DESCRIPTIONS[name].readOnly,
      openWorldHint: name === "scan_start",
    },
  }));
}

function view(job: JobRecord): JobView {
  return {
    job_id: job.id,
    tool: job.tool,
    target: job.target,
    status: job.status,
    created_at: job.created_at,
    finished_at: job.finished_at,
    progress: job.progress,
    summary: job.summary,
    error_type: job.result?.error_type ?? null,
    error: job.result?.error ?? null,
    raw_bytes: job.raw_bytes,
    resource_uri: rawUri(job.id),
  };
}

function describe(job: JobRecord): string {
  const progress = job.progress ? ` (${job.progress.message})` : "";
  if (job.status === "running") return `job ${job.id}: ${job.tool} ${job.target} is running${progress}`;
  return `job ${job.id}: ${job.tool} ${job.target} ${job.status}${job.summary ? `\n${withLegend(job.summary)}` : ""}`;
}

function answer(text: string, structured: object, max: number, isError = false): CallToolResult {
  return {
    content: [{ type: "text", text: boundText(text, max, null) }],
    structuredContent: structured as Record<string, unknown>,
    isError,
  };
}

function problem(message: string, max: number): CallToolResult {
  return { content: [{ type: "text", text: boundText(message, max, null) }], isError: true };
}

/** The scan_* tools; `owner` is the caller (an API key's id over HTTP), who alone sees its jobs. */
export async function callJobTool(
  name: JobToolName,
  args: unknown,
  deps: Deps,
  owner: string,
  via: string,
): Promise<CallToolResult> {
  const max = deps.config.output.summary_max_chars;
  const parsed = INPUTS[name].safeParse(args ?? {});
  if (!parsed.success)
    return problem(
      `invalid input for ${name}: ${parsed.error.issues.map((i) => `${i.path.join(".") || "input"}: ${i.message}`).join("; ")}`,
      max,
    );
  const input = parsed.data as {
    tool?: string;
    arguments?: unknown;
    job_id?: string;
    offset?: number;
    limit?: number;
  };
  if (name === "scan_list") {
    const jobs = deps.jobs.list(owner).slice(0, 50);
    const lines = jobs.map((j) => `${j.id} ${j.tool} ${j.target} ${j.status}`);
    return answer(lines.join("\n") || "no jobs", { jobs: jobs.map(view) }, max);
  }
  if (name === "scan_start") {
    const spec = deps.tools.find((t) => t.name === input.tool && isEnabled(deps.config, t.name));
    if (!spec)
      return problem(
        `no enabled tool named ${JSON.stringify(input.tool)}; available: ${deps.tools
          .filter((t) => isEnabled(deps.config, t.name))
          .map((t) => t.name)
          .join(", ")}`,
        max,
      );
    const started = await deps.jobs.start(spec, input.arguments, deps, owner, via);
    if ("refused" in started) {
      const { fields } = started.refused;
      const refused: JobView = {
        job_id: null,
        tool: fields.tool,
        target: fields.target,
        status: "refused",
        created_at: null,
        finished_at: null,
        progress: null,
        summary: started.refused.summary,
        error_type: fields.error_type,
        error: fields.error,
        raw_bytes: 0,
        resource_uri: null,
      };
      return answer(started.refused.summary, refused, max, true);
    }
    return answer(
      `job ${started.job.id} started: ${spec.name} ${started.job.target}; poll scan_status, then scan_result`,
      view(started.job),
      max,
    );
  }
  const job = deps.jobs.get(input.job_id ?? "", owner);
  if (!job) return problem(`no job ${JSON.stringify(input.job_id)} of yours; scan_list shows your jobs`, max);
  if (name === "scan_status") return answer(describe(job), view(job), max);
  if (name === "scan_cancel") {
    const settled = await deps.jobs.cancel(job);
    return answer(describe(settled), view(settled), max);
  }
  const paging = input.offset !== undefined || input.limit !== undefined;
  const page = deps.jobs.page(job, input.offset ?? 0, Math.min(input.limit ?? max, max));
  const bounded = job.result
    ? boundFields({ ...job.result, stdout: "" }, deps.config.output.structured_max_chars)
    : { fields: null, truncated: false };
  const text = paging ? page.data : describe(job);
  return answer(
    text || "(no raw output)",
    { ...view(job), parsed: bounded.fields?.parsed ?? null, truncated: bounded.truncated, raw: page },
    max,
  );
}
