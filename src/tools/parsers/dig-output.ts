import { LineSplitter } from "./lines.js";

/** Bound that keeps one parsed answer small enough for a model's context (a zone transfer can be huge). */
export const DIG_MAX_RECORDS = 2000;

export interface DnsRecord {
  name: string;
  ttl: number;
  class: string;
  type: string;
  data: string;
}

export interface DigParsed {
  /** The response code of the last answer (NOERROR, NXDOMAIN, SERVFAIL, ...); null when none came. */
  status: string | null;
  /** Header flags of the last answer (qr, aa, rd, ra, ad, cd, tc). */
  flags: string[];
  answers: DnsRecord[];
  authority: DnsRecord[];
  additional: DnsRecord[];
  query_time_ms: number | null;
  /** The server that answered, as dig names it (address#port). */
  server: string | null;
  /** dig's own error lines (timeouts, refused connections, failed transfers). */
  errors: string[];
  truncated: boolean;
}

type Section = "answers" | "authority" | "additional" | null;

const SECTIONS: Readonly<Record<string, Section>> = {
  "ANSWER SECTION": "answers",
  "AUTHORITY SECTION": "authority",
  "ADDITIONAL SECTION": "additional",
};
const HEADER = /^;; ->>HEADER<<- opcode: \w+, status: ([A-Z]+), id: \d+/;
const FLAGS = /^;; flags:([^;]*);/;
const RECORD = /^(\S+)\s+(\d+)\s+([A-Z0-9]+)\s+([A-Z0-9]+)\s*(.*)$/;
const ERROR =
  /^;; (communications error|connection timed out|no servers could be reached|Connection to .* failed|.*[Ee]rror)|^; Transfer failed|^dig: /;

/** Parses dig's standard output as it streams: header, flags, the three record sections, timing. */
export class DigOutputStream {
  readonly result: DigParsed = {
    status: null,
    flags: [],
    answers: [],
    authority: [],
    additional: [],
    query_time_ms: null,
    server: null,
    errors: [],
    truncated: false,
  };
  #section: Section = null;
  #records = 0;
  readonly #lines = new LineSplitter((line) => {
    this.#line(line.trimEnd());
  });

  write(chunk: Buffer): void {
    this.#lines.write(chunk);
  }

  end(): DigParsed {
    this.#lines.end();
    return this.result;
  }

  #line(line: string): void {
    const r = this.result;
    if (line === "") {
      this.#section = null;
      return;
    }
    let m = HEADER.exec(line);
    if (m) {
      r.status = m[1] ?? null;
      return;
    }
    m = FLAGS.exec(line);
    if (m) {
      r.flags = (m[1] ?? "").trim().split(/\s+/).filter(Boolean);
      return;
    }
    m = /^;; ([A-Z ]+SECTION):$/.exec(line);
    if (m) {
      this.#section = SECTIONS[m[1] ?? ""] ?? null;
      return;
    }
    m = /^;; Query time: (\d+) msec/.exec(line);
    if (m) {
      r.query_time_ms = Number(m[1]);
      return;
    }
    m = /^;; SERVER: (\S+?)(\(|$)/.exec(line);
    if (m) {
      r.server = m[1] ?? null;
      return;
    }
    if (ERROR.test(line)) {
      if (r.errors.length < 20) r.errors.push(line.replace(/^;+ ?/, ""));
      return;
    }
    if (line.startsWith(";")) return;
    // Records outside a section are a zone transfer's answer.
    this.#record(line, this.#section ?? "answers");
  }

  #record(line: string, section: Exclude<Section, null>): void {
    const m = RECORD.exec(line);
    if (!m) return;
    if (this.#records >= DIG_MAX_RECORDS) {
      this.result.truncated = true;
      return;
    }
    this.#records++;
    this.result[section].push({
      name: m[1] ?? "",
      ttl: Number(m[2]),
      class: m[3] ?? "",
      type: m[4] ?? "",
      data: m[5] ?? "",
    });
  }
}
