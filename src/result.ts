import { z } from "zod";
import { ERROR_TYPE_NAMES, type Denial, type ErrorType } from "./errors.js";

/** The result fields of CONTRACT.md, for structuredContent and the REST execute body. */
export function resultSchema(parsed: z.ZodType) {
  return z
    .object({
      tool: z.string(),
      target: z.string(),
      command: z.array(z.string()).describe("argv as run (empty when the call was refused before running)"),
      returncode: z.number().int().nullable(),
      stdout: z.string(),
      stderr: z.string(),
      truncated_stdout: z.boolean(),
      truncated_stderr: z.boolean(),
      timed_out: z.boolean(),
      cancelled: z.boolean(),
      error: z.string().nullable(),
      error_type: z.enum(ERROR_TYPE_NAMES).nullable(),
      execution_time: z.number().describe("seconds"),
      correlation_id: z.string().nullable(),
      parsed: parsed.nullable(),
    })
    .strict();
}

export interface ResultFields {
  tool: string;
  target: string;
  command: string[];
  returncode: number | null;
  stdout: string;
  stderr: string;
  truncated_stdout: boolean;
  truncated_stderr: boolean;
  timed_out: boolean;
  cancelled: boolean;
  error: string | null;
  error_type: ErrorType | null;
  execution_time: number;
  correlation_id: string | null;
  parsed: unknown;
}

export interface ToolResult {
  readonly fields: ResultFields;
  readonly summary: string;
  readonly isError: boolean;
}

/** A call refused or failed before the tool ran. */
export function refusedResult(
  tool: string,
  target: unknown,
  correlationId: string | null,
  denial: Denial,
): ToolResult {
  return {
    isError: true,
    summary: `${tool}: ${denial.type}: ${denial.message}`,
    fields: {
      tool,
      target: typeof target === "string" ? target : "",
      command: [],
      returncode: null,
      stdout: "",
      stderr: "",
      truncated_stdout: false,
      truncated_stderr: false,
      timed_out: false,
      cancelled: false,
      error: denial.message,
      error_type: denial.type,
      execution_time: 0,
      correlation_id: correlationId,
      parsed: null,
    },
  };
}
