import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { Config } from "./config/schema.js";
import type { JobRecord } from "./jobs/store.js";
import type { ResultFields, ToolResult } from "./result.js";
import { UNTRUSTED_LEGEND } from "./tools/untrusted.js";

export const jobUri = (id: string): string => `scan://${id}`;
export const rawUri = (id: string): string => `scan://${id}/raw`;

/** What a model sees of a result: a bounded summary, bounded structured fields, and a link to the rest. */
export function toolAnswer(
  result: ToolResult,
  job: JobRecord | null,
  output: Readonly<Config["output"]>,
): CallToolResult {
  const uri = job ? rawUri(job.id) : null;
  const structured = boundFields(result.fields, output.structured_max_chars);
  return {
    content: [
      { type: "text", text: boundText(withLegend(result.summary), output.summary_max_chars, uri) },
      ...(job
        ? [
            {
              type: "resource_link" as const,
              uri: rawUri(job.id),
              name: `${job.tool}-${job.id}-raw`,
              title: `Raw output of ${job.tool} ${job.target}`,
              mimeType: "text/plain",
              size: job.raw_bytes,
            },
          ]
        : []),
    ],
    structuredContent: {
      ...structured.fields,
      truncated: structured.truncated,
      resource_uri: uri,
    },
    isError: result.isError,
  };
}

export function withLegend(summary: string): string {
  return summary.includes("«") ? `${UNTRUSTED_LEGEND}\n${summary}` : summary;
}

/** Text cut to `max` characters, saying where the rest is. */
export function boundText(text: string, max: number, uri: string | null): string {
  if (text.length <= max) return text;
  const note = `\n… cut at ${max} characters (output.summary_max_chars); ${uri ? `everything is in ${uri} and scan_result` : "narrow the call for less"}`;
  return `${text.slice(0, Math.max(0, max - note.length))}${note}`;
}

/**
 * Fields whose JSON fits `max` characters: stdout and stderr are cut to a head first, then the largest
 * list inside `parsed` is halved until it fits, and as a last resort `parsed` is dropped.
 */
export function boundFields(fields: ResultFields, max: number): { fields: ResultFields; truncated: boolean } {
  const size = (f: ResultFields): number => JSON.stringify(f).length;
  const share = Math.floor(max / 4);
  // Large output is over the cap anyway: no need to serialize megabytes to find that out.
  const plainlyOver = fields.stdout.length + fields.stderr.length > max;
  if (!plainlyOver && size(fields) <= max) return { fields, truncated: false };
  const bounded: ResultFields = {
    ...fields,
    stdout: fields.stdout.slice(0, share),
    stderr: fields.stderr.slice(0, Math.floor(share / 4)),
    parsed: structuredClone(fields.parsed),
  };
  for (let round = 0; round < 64 && size(bounded) > max; round++) {
    const list = largestList(bounded.parsed);
    if (list === null || list.length === 0) break;
    list.length = Math.floor(list.length / 2);
  }
  if (size(bounded) > max) bounded.parsed = null;
  return { fields: bounded, truncated: true };
}

function largestList(value: unknown): unknown[] | null {
  let best: unknown[] | null = null;
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      if (best === null || node.length > best.length) best = node;
      for (const item of node) visit(item);
    } else if (node !== null && typeof node === "object")
      for (const child of Object.values(node)) visit(child);
  };
  visit(value);
  return best;
}
