import { LineSplitter } from "./lines.js";
/** Bound that keeps one parsed result small enough for a model's context. */
export const MASSCAN_MAX_RESULTS = 5000;

export interface MasscanResult {
  ip: string;
  port: number;
  protocol: string;
  state: string;
  reason: string | null;
  ttl: number | null;
  service: string | null;
  banner: string | null;
}

export interface MasscanParsed {
  results: MasscanResult[];
  truncated: boolean;
}

interface RawPort {
  port?: unknown;
  proto?: unknown;
  status?: unknown;
  reason?: unknown;
  ttl?: unknown;
  service?: { name?: unknown; banner?: unknown } | null;
}

interface RawRecord {
  ip?: unknown;
  ports?: unknown;
}

const str = (v: unknown): string | null => (typeof v === "string" ? v : null);
const num = (v: unknown): number | null => (typeof v === "number" ? v : null);

/**
 * Parses masscan's `-oJ -` output as it streams: one JSON object per line between "[" and "]", sometimes
 * with a trailing comma. Lines that do not parse (a cut-off last line) are skipped.
 */
export class MasscanJsonStream {
  readonly result: MasscanParsed = { results: [], truncated: false };
  readonly #lines = new LineSplitter((line) => {
    this.#line(line);
  });

  write(chunk: Buffer | string): void {
    this.#lines.write(chunk);
  }

  end(): MasscanParsed {
    this.#lines.end();
    return this.result;
  }

  #line(line: string): void {
    const text = line.trim().replace(/,$/, "");
    if (!text.startsWith("{")) return;
    let record: RawRecord;
    try {
      record = JSON.parse(text) as RawRecord;
    } catch {
      return;
    }
    const ip = str(record.ip);
    if (ip === null || !Array.isArray(record.ports)) return;
    for (const entry of record.ports as unknown[]) {
      if (typeof entry !== "object" || entry === null) continue;
      const port = entry as RawPort;
      if (this.result.results.length >= MASSCAN_MAX_RESULTS) {
        this.result.truncated = true;
        return;
      }
      const banner = str(port.service?.banner);
      this.result.results.push({
        ip,
        port: num(port.port) ?? -1,
        protocol: str(port.proto) ?? "tcp",
        state: str(port.status) ?? (banner === null ? "unknown" : "open"),
        reason: str(port.reason),
        ttl: num(port.ttl),
        service: str(port.service?.name),
        banner: banner === null ? null : banner.slice(0, 1000),
      });
    }
  }
}
