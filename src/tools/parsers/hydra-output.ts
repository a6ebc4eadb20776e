import { LineSplitter } from "./lines.js";

export interface FoundCredential {
  host: string;
  port: number;
  service: string;
  /** null for services that take only a password (redis, vnc, snmp). */
  login: string | null;
  password: string;
}

export interface HydraParsed {
  credentials: FoundCredential[];
  /** Login attempts hydra planned, from its start line; null when it never got that far. */
  planned_attempts: number | null;
}

// [8080][http-post-form] host: 127.0.0.1   login: admin   password: sunshine
const FOUND = /^\[(\d+)\]\[([\w-]+)\] host: (\S+)(?:\s+login: (.*?))?\s+password: (.*)$/;
// [DATA] max 4 tasks per 1 server, overall 4 tasks, 2000 login tries (l:20/p:100), ~500 tries per task
const DATA = /^\[DATA\] .*?(\d+) login tries/;
const MAX_CREDENTIALS = 1000;

/** Parses hydra's output as it streams: found credentials and the planned number of attempts. */
export class HydraOutputStream {
  readonly result: HydraParsed = { credentials: [], planned_attempts: null };
  readonly #lines = new LineSplitter((line) => {
    this.#line(line.replace(/\r$/, ""));
  });

  constructor(private readonly onFound: (count: number) => void = () => undefined) {}

  write(chunk: Buffer): void {
    this.#lines.write(chunk);
  }

  end(): HydraParsed {
    this.#lines.end();
    return this.result;
  }

  #line(line: string): void {
    const found = FOUND.exec(line);
    if (found && this.result.credentials.length < MAX_CREDENTIALS) {
      this.result.credentials.push({
        port: Number(found[1]),
        service: found[2] ?? "",
        host: found[3] ?? "",
        login: found[4] ?? null,
        password: found[5] ?? "",
      });
      this.onFound(this.result.credentials.length);
      return;
    }
    const data = DATA.exec(line);
    if (data) this.result.planned_attempts = Number(data[1]);
  }
}
