import { LineSplitter } from "./lines.js";
import { plainText } from "./plain-text.js";

/** Bound that keeps one parsed result small enough for a model's context. */
export const GOBUSTER_MAX_FINDINGS = 2000;

export type GobusterFinding =
  | { kind: "path"; path: string; status: number; size: number | null; redirect: string | null }
  | { kind: "vhost"; name: string; status: number; size: number | null }
  | { kind: "dns"; name: string; addresses: string[] };

export interface GobusterParsed {
  findings: GobusterFinding[];
  truncated: boolean;
}

const PATH = /^(\S+)\s+\(Status: (\d{3})\)(?: \[Size: (\d+)\])?(?: \[--> (.+)\])?$/;
const VHOST = /^Found: (\S+) Status: (\d{3}) \[Size: (\d+)\]/;
const DNS = /^Found: (\S+)(?: \[(.*)\])?$/;

export function parseGobusterLine(raw: string): GobusterFinding | null {
  const line = plainText(raw).trim();
  let m = PATH.exec(line);
  if (m)
    return {
      kind: "path",
      path: m[1] ?? "",
      status: Number(m[2]),
      size: m[3] === undefined ? null : Number(m[3]),
      redirect: m[4] ?? null,
    };
  m = VHOST.exec(line);
  if (m) return { kind: "vhost", name: m[1] ?? "", status: Number(m[2]), size: Number(m[3]) };
  m = DNS.exec(line);
  if (m)
    return {
      kind: "dns",
      name: m[1] ?? "",
      addresses: (m[2] ?? "")
        .split(",")
        .map((a) => a.trim())
        .filter((a) => a !== ""),
    };
  return null;
}

/** Parses gobuster's quiet output line by line as it streams. */
export class GobusterLineStream {
  readonly result: GobusterParsed = { findings: [], truncated: false };
  readonly #lines = new LineSplitter((line) => {
    this.#line(line);
  });

  write(chunk: Buffer | string): void {
    this.#lines.write(chunk);
  }

  end(): GobusterParsed {
    this.#lines.end();
    return this.result;
  }

  #line(line: string): void {
    const finding = parseGobusterLine(line);
    if (!finding) return;
    if (this.result.findings.length >= GOBUSTER_MAX_FINDINGS) this.result.truncated = true;
    else this.result.findings.push(finding);
  }
}
