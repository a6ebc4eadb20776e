import type { FlagGrammar } from "../policy/flags.js";

// Go's time.ParseDuration needs a unit; a zero timeout would mean none at all.
const duration = (minMs: number, maxMs: number) =>
  ({ kind: "duration", minMs, maxMs, unitRequired: true }) as const;
const statusCodes = {
  kind: "text",
  pattern: /^([1-5][0-9]{2}(-[1-5][0-9]{2})?)(,[1-5][0-9]{2}(-[1-5][0-9]{2})?){0,49}$/,
  description: "status codes and ranges such as 200,204,301-302",
} as const;

/**
 * One header, `Name: value`: a token name that is not one the server or HTTP framing owns, and a printable
 * value. Host is owned by the server (it pins the address and sends the caller's host name).
 */
export const HEADER = {
  kind: "text",
  pattern:
    /^(?!(host|content-length|transfer-encoding|connection|proxy-[a-z-]*|upgrade|te|trailer|authorization|cookie|x-http-method|[a-z-]*method-override|x-original-url|x-rewrite-url)\s*:)[A-Za-z0-9][A-Za-z0-9!#$%&'*+.^_`|~-]{0,63}: [\x20-\x7e]{1,512}$/i,
  description:
    'one header as "Name: value" (a name starting with a letter or digit; printable ASCII; never Host, Authorization, Cookie, Content-Length, Transfer-Encoding, Connection, Proxy-*, method overrides or URL rewrites)',
} as const;

const EVERY_MODE = ["--timeout", "--delay", "-t"];
const HTTP_MODES = [
  ...EVERY_MODE,
  ...[
    "-k",
    "-a",
    "-H",
    "-m",
    "--exclude-length",
    "--retry",
    "--retry-attempts",
    "--no-canonicalize-headers",
    "--random-agent",
  ],
];
/** Options by mode: gobuster takes the union, and the spec refuses an option outside its mode. */
export const MODE_FLAGS: Readonly<Record<"dir" | "vhost" | "dns", readonly string[]>> = {
  dir: [...HTTP_MODES, "-x", "-s", "-b", "-f", "-e", "--discover-backup"],
  vhost: HTTP_MODES,
  dns: [...EVERY_MODE, "--wildcard"],
};

const FILES = "it reads or writes files on the server";
const TARGET = "the target comes only from the target field (the server pins its address)";
const CREDENTIALS = "credentials are never accepted on the command line";

export const GOBUSTER_GRAMMAR: FlagGrammar = {
  tool: "gobuster",
  maxTokens: 48,
  rules: [
    { flag: "-t", aliases: ["--threads"], value: { kind: "int", min: 1, max: 50 }, joined: true },
    { flag: "--delay", value: duration(0, 5000) },
    { flag: "--timeout", value: duration(1000, 60_000) },
    { flag: "--retry" },
    { flag: "--retry-attempts", value: { kind: "int", min: 0, max: 5 } },
    {
      flag: "-x",
      aliases: ["--extensions"],
      value: {
        kind: "text",
        pattern: /^[a-z0-9]{1,10}(,[a-z0-9]{1,10}){0,19}$/,
        description: "extensions such as php,html,txt (at most 20)",
      },
    },
    { flag: "-s", aliases: ["--status-codes"], value: statusCodes },
    { flag: "-b", aliases: ["--status-codes-blacklist"], value: statusCodes },
    { flag: "--exclude-length", value: { kind: "int", min: 0, max: 100_000_000 } },
    { flag: "-k", aliases: ["--no-tls-validation"] },
    {
      flag: "-a",
      aliases: ["--useragent"],
      value: {
        kind: "text",
        pattern: /^[\x20-\x7e]{1,200}$/,
        description: "a printable user agent of at most 200 characters",
      },
    },
    { flag: "--random-agent" },
    { flag: "-H", aliases: ["--headers"], value: HEADER, repeatable: 5 },
    { flag: "--no-canonicalize-headers" },
    { flag: "-m", aliases: ["--method"], value: { kind: "enum", values: ["GET", "HEAD"] } },
    { flag: "-f", aliases: ["--add-slash"] },
    { flag: "-e", aliases: ["--expanded"] },
    // Several backup names per hit: it multiplies requests.
    { flag: "--discover-backup", intrusive: true },
    { flag: "--wildcard" },
  ],
  refusals: {
    "-u": TARGET,
    "--url": TARGET,
    "-d": `${TARGET} (in dir mode write --discover-backup)`,
    "--domain": TARGET,
    "--append-domain": "the server sets it in vhost mode",
    "-r": "it follows redirects to any host (dir/vhost) or queries a caller-chosen DNS server (dns)",
    "--follow-redirect": "it follows redirects to any host, outside the scope",
    "--resolver": "it queries a caller-chosen DNS server",
    "-o": FILES,
    "--output": FILES,
    "-p": FILES,
    "--pattern": FILES,
    "-X": FILES,
    "--extensions-file": FILES,
    "-w": "wordlists are chosen by catalog name in the wordlist field",
    "--wordlist": "wordlists are chosen by catalog name in the wordlist field",
    "--proxy": "it sends the traffic through a third party",
    "--client-cert-p12": FILES,
    "--client-cert-p12-password": CREDENTIALS,
    "--client-cert-pem": FILES,
    "--client-cert-pem-key": FILES,
    "-U": CREDENTIALS,
    "--username": CREDENTIALS,
    "-P": CREDENTIALS,
    "--password": CREDENTIALS,
    "-c": `${CREDENTIALS} (cookies carry sessions); in dns mode the server sets -i`,
    "--cookies": CREDENTIALS,
    "-i": "the server sets it",
    "--show-ips": "the server sets it",
    "--show-cname": "the server shows addresses (-i) instead",
    "-q": "the server sets it",
    "-z": "the server sets it",
    "--no-progress": "the server sets it",
    "--no-color": "the server sets it",
    "--no-error": "the server sets it",
    "-n": "the server needs status codes to parse results",
    "--no-status": "the server needs status codes to parse results",
    "--hide-length": "the server needs lengths to parse results",
    "-v": "the server sets the output format",
  },
};
