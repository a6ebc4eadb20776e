import type { FlagGrammar } from "../policy/flags.js";

/**
 * hydra 9.4 modules a caller may choose. Left out: http-proxy and http-proxy-urlenum (the target relays to
 * hosts nobody checked), sshkey (reads key files named in -P), and modules whose options need files.
 */
export const HYDRA_SERVICES = [
  "asterisk",
  "cvs",
  "firebird",
  "ftp",
  "ftps",
  "http-get",
  "https-get",
  "http-head",
  "https-head",
  "http-post",
  "https-post",
  "http-get-form",
  "https-get-form",
  "http-post-form",
  "https-post-form",
  "imap",
  "imaps",
  "irc",
  "ldap2",
  "ldap2s",
  "ldap3",
  "ldap3s",
  "memcached",
  "mongodb",
  "mssql",
  "mysql",
  "nntp",
  "pop3",
  "pop3s",
  "postgres",
  "rdp",
  "redis",
  "rexec",
  "rlogin",
  "rsh",
  "rtsp",
  "sip",
  "smb",
  "smtp",
  "smtps",
  "snmp",
  "socks5",
  "ssh",
  "svn",
  "teamspeak",
  "telnet",
  "telnets",
  "vmauthd",
  "vnc",
  "xmpp",
] as const;
export type HydraService = (typeof HYDRA_SERVICES)[number];

/** Most threads a call may use; hydra's own default of 16 is already rough on small services. */
export const MAX_THREADS = 16;

const FILES = "it reads or writes files on the server";
const LISTS =
  "credentials come from the usernames and passwords fields (catalog names or short inline lists)";

export const HYDRA_GRAMMAR: FlagGrammar = {
  tool: "hydra",
  maxTokens: 24,
  rules: [
    { flag: "-t", value: { kind: "int", min: 1, max: MAX_THREADS } },
    { flag: "-f" },
    {
      flag: "-e",
      value: { kind: "text", pattern: /^(?!.*(.).*\1)[nsr]{1,3}$/, description: "n, s and/or r, e.g. nsr" },
    },
    { flag: "-u" },
    { flag: "-w", value: { kind: "int", min: 1, max: 60 } },
    { flag: "-W", value: { kind: "int", min: 0, max: 60 } },
    { flag: "-c", value: { kind: "int", min: 0, max: 60 } },
    { flag: "-S" },
    { flag: "-O" },
    { flag: "-K" },
    { flag: "-q" },
    { flag: "-v" },
    {
      flag: "-x",
      value: {
        kind: "text",
        pattern: /^[1-9]:[1-9]:[a-zA-Z0-9._@!#%+-]{1,40}$/,
        description:
          "MIN:MAX:CHARSET such as 1:3:a1 (a lower case, A upper case, 1 digits, other characters as given)",
      },
    },
    { flag: "-y" },
    { flag: "-r" },
  ],
  refusals: {
    "-L": LISTS,
    "-P": LISTS,
    "-C": LISTS,
    "-l": LISTS,
    "-p": LISTS,
    "-M": "the target comes only from the target field",
    "-T": "it applies only with -M, which is refused",
    "-s": "give the port field",
    "-m": "module options come from the typed path and form fields",
    "-o": FILES,
    "-b": "it sets the format of -o, which is refused",
    "-R": `${FILES} (a restore file)`,
    "-I": "the server sets it",
    "-4": "the server sets it from the target's address",
    "-6": "the server sets it from the target's address",
    "-V": "it prints every attempt; found credentials are in the result",
    "-d": "debug output can be huge; use -v",
    "-U": "not an attack",
    "-h": "not an attack",
  },
};
