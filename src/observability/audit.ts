import { createHash } from "node:crypto";
import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  statSync,
  writeSync,
} from "node:fs";
import { dirname } from "node:path";

/** What the audit log keeps of one call, refusals included. Never a secret: key ids, not keys. */
export interface AuditEntry {
  readonly time: string;
  readonly via: string;
  readonly client: string;
  readonly correlation_id: string;
  readonly tool: string;
  readonly target: string;
  readonly addresses: readonly string[];
  readonly command: readonly string[];
  readonly decision: "ran" | "refused";
  readonly error_type: string | null;
  readonly duration_seconds: number;
  readonly returncode: number | null;
  readonly output_bytes: number;
  readonly output_sha256: string | null;
}

/** A stored record: the entry, its place in the chain, and the hash that seals both. */
export interface AuditRecord extends AuditEntry {
  readonly seq: number;
  readonly prev: string;
  readonly hash: string;
}

export interface AuditSink {
  record(entry: AuditEntry): void;
}

export const noAudit: AuditSink = { record: () => undefined };

const GENESIS = "0".repeat(64);
const KEPT_ROTATIONS = 5;

/** sha256 over the record's JSON without its own hash, keys in a fixed order. */
export function hashRecord(record: Omit<AuditRecord, "hash">): string {
  const { seq, prev, ...entry } = record;
  const ordered = Object.fromEntries(
    Object.entries({ seq, prev, ...entry }).sort(([a], [b]) => a.localeCompare(b)),
  );
  return createHash("sha256").update(JSON.stringify(ordered)).digest("hex");
}

/**
 * Append-only JSONL where each record carries the hash of the one before, so an edit, a deletion or a
 * reordering breaks the chain. Files rotate by size (path.1 is the newest old one); the chain runs on
 * across them.
 */
export class AuditLog implements AuditSink {
  #prev = GENESIS;
  #seq = 0;
  // Kept open in append mode with its size tracked here: no open, stat and close for every record.
  #fd: number | null = null;
  #size = 0;

  constructor(
    private readonly path: string,
    private readonly maxBytes: number,
  ) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const last = lastRecord(path) ?? lastRecord(`${path}.1`);
    if (last) {
      this.#prev = last.hash;
      this.#seq = last.seq;
    }
  }

  record(entry: AuditEntry): void {
    const unsealed = { ...entry, seq: this.#seq + 1, prev: this.#prev };
    const record: AuditRecord = { ...unsealed, hash: hashRecord(unsealed) };
    const line = Buffer.from(`${JSON.stringify(record)}\n`);
    if (this.#open() + line.length > this.maxBytes && this.#size > 0) this.#rotate();
    // Synchronous on purpose: the record is on disk, in order, before the call's result leaves the server.
    writeSync(this.#descriptor(), line);
    this.#size += line.length;
    this.#prev = record.hash;
    this.#seq = record.seq;
  }

  close(): void {
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
  }

  /** Opens the file (again after a rotation, or after someone removed it) on first use; returns its size. */
  #open(): number {
    // A removed file would swallow every later record: start a new one (verify then shows the break).
    if (this.#fd !== null && fstatSync(this.#fd).nlink === 0) this.close();
    if (this.#fd === null) {
      this.#fd = openSync(this.path, "a", 0o600);
      this.#size = fstatSync(this.#fd).size;
    }
    return this.#size;
  }

  #descriptor(): number {
    this.#open();
    if (this.#fd === null) throw new Error("audit log is not open");
    return this.#fd;
  }

  #rotate(): void {
    this.close();
    for (let i = KEPT_ROTATIONS - 1; i >= 1; i--)
      if (existsSync(`${this.path}.${i}`)) renameSync(`${this.path}.${i}`, `${this.path}.${i + 1}`);
    renameSync(this.path, `${this.path}.1`);
    this.#size = 0;
  }
}

/** The last complete record of a file, read from its end (files can be large). */
function lastRecord(path: string): AuditRecord | null {
  if (!existsSync(path)) return null;
  const size = statSync(path).size;
  const length = Math.min(size, 256 * 1024);
  const buffer = Buffer.alloc(length);
  const fd = openSync(path, "r");
  try {
    readSync(fd, buffer, 0, length, size - length);
  } finally {
    closeSync(fd);
  }
  const lines = buffer.toString("utf8").trimEnd().split("\n");
  const last = lines[lines.length - 1];
  if (!last) return null;
  try {
    return JSON.parse(last) as AuditRecord;
  } catch {
    return null;
  }
}

export type VerifyResult =
  | { readonly ok: true; readonly records: number; readonly files: readonly string[] }
  | { readonly ok: false; readonly file: string; readonly line: number; readonly reason: string };

/**
 * Checks the chain of FILE and its rotated predecessors (FILE.5 ... FILE.1, FILE), oldest first; names the
 * first line that is not what the chain says it must be.
 */
export function verifyAuditLog(path: string): VerifyResult {
  const files = [
    ...Array.from({ length: KEPT_ROTATIONS }, (_, i) => `${path}.${KEPT_ROTATIONS - i}`),
    path,
  ].filter((f) => existsSync(f));
  let prev: string | null = null;
  let seq: number | null = null;
  let records = 0;
  for (const file of files) {
    const lines = readFileSync(file, "utf8").split("\n");
    if (lines[lines.length - 1] === "") lines.pop();
    for (const [index, text] of lines.entries()) {
      const line = index + 1;
      let record: AuditRecord;
      try {
        record = JSON.parse(text) as AuditRecord;
      } catch {
        return { ok: false, file, line, reason: "not a JSON record" };
      }
      const { hash, ...unsealed } = record;
      if (hashRecord(unsealed) !== hash)
        return { ok: false, file, line, reason: "its content does not match its hash (edited)" };
      if (prev !== null && record.prev !== prev)
        return {
          ok: false,
          file,
          line,
          reason: "it does not follow the record before it (a record was deleted, inserted or reordered)",
        };
      if (seq !== null && record.seq !== seq + 1)
        return {
          ok: false,
          file,
          line,
          reason: `sequence ${record.seq} follows ${seq} (records missing or reordered)`,
        };
      if (prev === null && record.seq === 1 && record.prev !== GENESIS)
        return { ok: false, file, line, reason: "the first record does not start the chain" };
      prev = hash;
      seq = record.seq;
      records++;
    }
  }
  return { ok: true, records, files };
}

/** `$XDG_STATE_HOME/security-mcp/audit.jsonl`, else `~/.local/state/security-mcp/audit.jsonl`. */
export function defaultAuditPath(env: NodeJS.ProcessEnv, home: string): string {
  const state =
    env.XDG_STATE_HOME && env.XDG_STATE_HOME.startsWith("/") ? env.XDG_STATE_HOME : `${home}/.local/state`;
  return `${state}/security-mcp/audit.jsonl`;
}
