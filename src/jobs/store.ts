import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import type { ResultFields } from "../result.js";

export const JOB_STATUSES = ["running", "completed", "failed", "cancelled", "interrupted"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** One call's record: what ran, for whom, how it ended. Its stdout lives beside it in `<id>.raw`. */
export interface JobRecord {
  id: string;
  tool: string;
  /** The API key id (HTTP) or transport that started it; only the owner sees it. */
  owner: string;
  target: string;
  status: JobStatus;
  created_at: string;
  finished_at: string | null;
  progress: { progress: number; message: string } | null;
  summary: string | null;
  /** The call's result without stdout (kept in the raw file). */
  result: ResultFields | null;
  raw_bytes: number;
  /** The server process running it, to tell a job of a live neighbour from one its server left behind. */
  server_pid: number;
  /** This server run's nonce: a restarted server that got the same pid (pid 1 in a container) is not it. */
  server_run: string;
}

export interface RawPage {
  offset: number;
  length: number;
  total_bytes: number;
  /** Where the next page starts; null after the last byte. */
  next_offset: number | null;
  data: string;
}

export interface Retention {
  readonly maxJobs: number;
  readonly maxTotalBytes: number;
  readonly maxAgeSeconds: number;
}

const ID = /^[0-9a-f-]{36}$/;
const RESCAN_MS = 5000;

/**
 * Jobs as files in one private directory: `<id>.json` (replaced atomically) and `<id>.raw`. Survives a
 * restart. Several servers may share the directory (each stdio client starts its own), so the directory is
 * read again when jobs are listed, and a job left "running" by a server process that no longer exists is
 * marked interrupted. Nothing touches the disk until the first job.
 */
export class JobStore {
  readonly #records = new Map<string, JobRecord>();
  #opened = false;
  #scannedAt = 0;

  constructor(readonly dir: string) {}

  get(id: string): JobRecord | undefined {
    if (!ID.test(id)) return undefined;
    return this.#records.get(id) ?? this.#load(`${id}.json`);
  }

  all(): JobRecord[] {
    this.#open();
    for (const entry of readdirSync(this.dir))
      if (entry.endsWith(".json") && !this.#records.has(entry.slice(0, -5))) this.#load(entry);
    return [...this.#records.values()];
  }

  #open(): void {
    if (this.#opened) return;
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    this.#opened = true;
  }

  #load(entry: string): JobRecord | undefined {
    let record: JobRecord;
    try {
      record = JSON.parse(readFileSync(join(this.dir, entry), "utf8")) as JobRecord;
    } catch {
      return undefined; // missing, or half-written by a crash before its atomic rename
    }
    if (!ID.test(record.id)) return undefined;
    this.#records.set(record.id, record);
    if (record.status === "running" && !isAlive(record.server_pid, record.server_run)) {
      record.status = "interrupted";
      record.finished_at = new Date().toISOString();
      this.save(record);
    }
    return record;
  }

  save(record: JobRecord): void {
    this.#open();
    this.#records.set(record.id, record);
    const path = join(this.dir, `${record.id}.json`);
    writeFileSync(`${path}.tmp`, JSON.stringify(record), { mode: 0o600 });
    renameSync(`${path}.tmp`, path);
  }

  saveRaw(id: string, raw: string): number {
    this.#open();
    writeFileSync(join(this.dir, `${id}.raw`), raw, { encoding: "utf8", mode: 0o600 });
    return Buffer.byteLength(raw);
  }

  /**
   * Bytes [offset, offset + limit) of a job's raw output, moved to whole UTF-8 characters: the start back to
   * the character it falls in, the end back before a character it would split. Pages that follow
   * next_offset therefore cover every byte exactly once.
   */
  readRaw(id: string, offset: number, limit: number): RawPage {
    let fd: number;
    try {
      fd = openSync(join(this.dir, `${id}.raw`), "r");
    } catch {
      return { offset: 0, length: 0, total_bytes: 0, next_offset: null, data: "" };
    }
    try {
      const total = fstatSync(fd).size;
      if (offset >= total)
        return { offset: total, length: 0, total_bytes: total, next_offset: null, data: "" };
      const lead = Math.min(offset, 3);
      const window = Buffer.alloc(Math.max(0, Math.min(limit + lead + 3, total - offset + lead)));
      const read = readSync(fd, window, 0, window.length, offset - lead);
      const bytes = window.subarray(0, read);
      let start = lead;
      while (start > 0 && isContinuation(bytes[start])) start--;
      let end = Math.min(lead + limit, bytes.length);
      if (end < bytes.length) end = characterStart(bytes, end, start);
      // A limit smaller than one character still moves forward by that character.
      if (end === start && start < bytes.length) end = characterEnd(bytes, start);
      const first = offset - lead + start;
      const next = offset - lead + end;
      return {
        offset: first,
        length: end - start,
        total_bytes: total,
        next_offset: next < total ? next : null,
        data: bytes.subarray(start, end).toString("utf8"),
      };
    } finally {
      closeSync(fd);
    }
  }

  delete(id: string): void {
    this.#records.delete(id);
    rmSync(join(this.dir, `${id}.json`), { force: true });
    rmSync(join(this.dir, `${id}.raw`), { force: true });
  }

  /** Drops the oldest finished jobs past any retention limit; running jobs are never dropped. */
  prune(retention: Retention, now = Date.now()): number {
    // Every server sharing the directory counts: the directory is read again, at most every few seconds
    // (one call's records come from memory between scans).
    const known = now - this.#scannedAt > RESCAN_MS ? this.all() : [...this.#records.values()];
    if (now - this.#scannedAt > RESCAN_MS) this.#scannedAt = now;
    const finished = known
      .filter((r) => r.status !== "running")
      .sort((a, b) => (a.finished_at ?? a.created_at).localeCompare(b.finished_at ?? b.created_at));
    let count = this.#records.size;
    let bytes = known.reduce((n, r) => n + r.raw_bytes, 0);
    let dropped = 0;
    for (const record of finished) {
      const ended = Date.parse(record.finished_at ?? record.created_at);
      const old = now - ended > retention.maxAgeSeconds * 1000;
      if (!old && count <= retention.maxJobs && bytes <= retention.maxTotalBytes) break;
      this.delete(record.id);
      count--;
      bytes -= record.raw_bytes;
      dropped++;
    }
    return dropped;
  }
}

/** Identifies this server run in job records. */
export const SERVER_RUN = randomUUID();

function isAlive(pid: number | undefined, run: string | undefined): boolean {
  if (pid === undefined) return false;
  if (pid === process.pid) return run === SERVER_RUN;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function isContinuation(byte: number | undefined): boolean {
  return byte !== undefined && (byte & 0xc0) === 0x80;
}

/** The start of the character at `at` (never before `floor`). */
function characterStart(bytes: Buffer, at: number, floor: number): number {
  let i = at;
  while (i > floor && isContinuation(bytes[i])) i--;
  return i;
}

function characterEnd(bytes: Buffer, at: number): number {
  let i = at + 1;
  while (i < bytes.length && isContinuation(bytes[i])) i++;
  return i;
}
