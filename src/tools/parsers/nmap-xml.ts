import { SaxesParser, type SaxesTagPlain } from "saxes";

/** Bounds that keep one parsed result small enough for a model's context. */
export const NMAP_PARSE_LIMITS = {
  hosts: 1024,
  portsPerHost: 1000,
  scriptOutputChars: 2000,
  scriptsPerPort: 20,
};

export interface NmapScript {
  id: string;
  output: string;
}

export interface NmapPort {
  protocol: string;
  port: number;
  state: string;
  reason: string | null;
  service: string | null;
  product: string | null;
  version: string | null;
  extrainfo: string | null;
  scripts: NmapScript[];
}

export interface NmapHost {
  state: string;
  addresses: { addr: string; type: string }[];
  hostnames: string[];
  ports: NmapPort[];
  scripts: NmapScript[];
  os: { name: string; accuracy: number }[];
}

export interface NmapParsed {
  hosts: NmapHost[];
  hosts_up: number | null;
  hosts_total: number | null;
  elapsed_seconds: number | null;
  /** An error message nmap reported in its XML (runstats exit="error"). */
  error: string | null;
  /** True when a bound above dropped hosts, ports or script output. */
  truncated: boolean;
}

export interface NmapProgress {
  task: string;
  percent: number;
}

/**
 * Parses nmap's -oX output while it streams: write() each stdout chunk, end() when the process ends.
 * Works on partial output (a timed-out scan still yields the hosts finished so far).
 */
export class NmapXmlStream {
  readonly result: NmapParsed = {
    hosts: [],
    hosts_up: null,
    hosts_total: null,
    elapsed_seconds: null,
    error: null,
    truncated: false,
  };
  readonly #parser = new SaxesParser();
  #host: NmapHost | null = null;
  #port: NmapPort | null = null;
  #broken = false;

  constructor(private readonly onProgress: (progress: NmapProgress) => void = () => undefined) {
    this.#parser.on("opentag", (tag) => {
      this.#open(tag);
    });
    this.#parser.on("closetag", (tag) => {
      this.#close(tag.name);
    });
    this.#parser.on("error", () => {
      this.#broken = true;
    });
  }

  write(chunk: Buffer | string): void {
    if (this.#broken) return;
    try {
      this.#parser.write(chunk.toString());
    } catch {
      // Malformed or cut-off XML (killed scan): keep what was parsed so far.
      this.#broken = true;
    }
  }

  end(): NmapParsed {
    if (!this.#broken) {
      try {
        this.#parser.close();
      } catch {
        this.#broken = true;
      }
    }
    return this.result;
  }

  #open(tag: SaxesTagPlain): void {
    const a = tag.attributes;
    const host = this.#host;
    switch (tag.name) {
      case "host":
        this.#host = { state: "unknown", addresses: [], hostnames: [], ports: [], scripts: [], os: [] };
        break;
      case "status":
        if (host) host.state = a.state ?? "unknown";
        break;
      case "address":
        if (host) host.addresses.push({ addr: a.addr ?? "", type: a.addrtype ?? "" });
        break;
      case "hostname":
        if (host && a.name && host.hostnames.length < 20) host.hostnames.push(a.name);
        break;
      case "port":
        this.#port = {
          protocol: a.protocol ?? "",
          port: Number(a.portid ?? -1),
          state: "unknown",
          reason: null,
          service: null,
          product: null,
          version: null,
          extrainfo: null,
          scripts: [],
        };
        break;
      case "state":
        if (this.#port) {
          this.#port.state = a.state ?? "unknown";
          this.#port.reason = a.reason ?? null;
        }
        break;
      case "service":
        if (this.#port) {
          this.#port.service = a.name ?? null;
          this.#port.product = a.product ?? null;
          this.#port.version = a.version ?? null;
          this.#port.extrainfo = a.extrainfo ?? null;
        }
        break;
      case "script":
        this.#addScript({ id: a.id ?? "", output: a.output ?? "" });
        break;
      case "osmatch":
        if (host && host.os.length < 5)
          host.os.push({ name: a.name ?? "", accuracy: Number(a.accuracy ?? 0) });
        break;
      case "taskprogress":
        this.onProgress({ task: a.task ?? "", percent: Number(a.percent ?? 0) });
        break;
      case "finished":
        this.result.elapsed_seconds = a.elapsed === undefined ? null : Number(a.elapsed);
        if (a.exit === "error") this.result.error = a.errormsg ?? "nmap reported an error";
        break;
      case "hosts":
        this.result.hosts_up = a.up === undefined ? null : Number(a.up);
        this.result.hosts_total = a.total === undefined ? null : Number(a.total);
        break;
    }
  }

  #close(name: string): void {
    if (name === "port" && this.#port && this.#host) {
      if (this.#host.ports.length < NMAP_PARSE_LIMITS.portsPerHost) this.#host.ports.push(this.#port);
      else this.result.truncated = true;
      this.#port = null;
    } else if (name === "host" && this.#host) {
      if (this.result.hosts.length < NMAP_PARSE_LIMITS.hosts) this.result.hosts.push(this.#host);
      else this.result.truncated = true;
      this.#host = null;
    }
  }

  #addScript(script: NmapScript): void {
    const owner = this.#port ?? this.#host;
    if (!owner) return;
    if (owner.scripts.length >= NMAP_PARSE_LIMITS.scriptsPerPort) {
      this.result.truncated = true;
      return;
    }
    if (script.output.length > NMAP_PARSE_LIMITS.scriptOutputChars) {
      script.output = `${script.output.slice(0, NMAP_PARSE_LIMITS.scriptOutputChars)}...`;
      this.result.truncated = true;
    }
    owner.scripts.push(script);
  }
}
