import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { RawPage } from "../../src/jobs/store.js";

/** Each job request runs under a 2-second client timeout, shorter than the jobs themselves. */
export const TIMEOUT = { timeout: 2000 };

export interface JobAnswer {
  job_id: string | null;
  status: string;
  error_type: string | null;
  summary: string | null;
  raw_bytes: number;
  resource_uri: string | null;
  raw?: RawPage;
}

export function jobOf(result: unknown): JobAnswer {
  return (result as CallToolResult).structuredContent as unknown as JobAnswer;
}

export function textOf(result: unknown): string {
  const [first] = (result as CallToolResult).content;
  return first?.type === "text" ? first.text : "";
}

/** The raw output job.sh big prints, built the same way. */
export function bigOutput(): string {
  let text = "";
  for (let i = 0; i < 4000; i++) text += `line ${i}: añb€c😀 ${String(i).padStart(60, "0")}\n`;
  return text;
}

/** Polls scan_status (each request under the 2-second client timeout) until the job is no longer running. */
export async function waitForJob(client: Client, jobId: string, timeoutMs = 15_000): Promise<JobAnswer> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = jobOf(
      await client.callTool({ name: "scan_status", arguments: { job_id: jobId } }, undefined, TIMEOUT),
    );
    if (status.status !== "running") return status;
    if (Date.now() > deadline) throw new Error(`job ${jobId} still running`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
