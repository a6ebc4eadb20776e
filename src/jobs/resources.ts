import type { ResourceTemplate, Resource } from "@modelcontextprotocol/sdk/types.js";
import type { Deps } from "../deps.js";
import { jobUri, rawUri } from "../tool-answer.js";

/** Pages of a resource read: large, since resources are for clients that store them, not a model's turn. */
const DEFAULT_PAGE = 1024 * 1024;
const MAX_PAGE = 16 * 1024 * 1024;

export const JOB_RESOURCE_TEMPLATES: ResourceTemplate[] = [
  {
    uriTemplate: "scan://{job_id}",
    name: "scan-job",
    title: "Scan job",
    description: "One of your jobs: status, summary and parsed findings (JSON)",
    mimeType: "application/json",
  },
  {
    uriTemplate: "scan://{job_id}/raw{?offset,limit}",
    name: "scan-job-raw",
    title: "Raw output of a scan job",
    description: `The job's raw output from byte offset (default 0), limit bytes (default ${DEFAULT_PAGE}, at most ${MAX_PAGE}), cut at whole characters`,
    mimeType: "text/plain",
  },
];

/** The caller's jobs, newest first (at most 100), each as its summary resource and its raw output. */
export function listJobResources(deps: Deps, owner: string): Resource[] {
  return deps.jobs
    .list(owner)
    .slice(0, 100)
    .flatMap((job) => [
      {
        uri: jobUri(job.id),
        name: `${job.tool}-${job.id}`,
        title: `${job.tool} ${job.target} (${job.status})`,
        mimeType: "application/json",
      },
      {
        uri: rawUri(job.id),
        name: `${job.tool}-${job.id}-raw`,
        title: `Raw output of ${job.tool} ${job.target}`,
        mimeType: "text/plain",
        size: job.raw_bytes,
      },
    ]);
}

const URI = /^scan:\/\/([0-9a-f-]{36})(\/raw)?(?:\?(.*))?$/;

/** A scan:// resource of the caller's, or null for anything else (another owner's job included). */
export function readJobResource(
  deps: Deps,
  owner: string,
  uri: string,
): { uri: string; mimeType: string; text: string } | null {
  const match = URI.exec(uri);
  if (!match) return null;
  const job = deps.jobs.get(match[1] ?? "", owner);
  if (!job) return null;
  if (match[2] === undefined) return { uri, mimeType: "application/json", text: JSON.stringify(job) };
  const query = new URLSearchParams(match[3] ?? "");
  const offset = Number(query.get("offset") ?? 0);
  const limit = Number(query.get("limit") ?? DEFAULT_PAGE);
  if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(limit) || limit < 16) return null;
  const page = deps.jobs.page(job, offset, Math.min(limit, MAX_PAGE));
  return { uri, mimeType: "text/plain", text: page.data };
}
