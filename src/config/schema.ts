import { z } from "zod";
import { TOOL_NAMES, type ToolName } from "../tools/names.js";

const int = (min: number, max: number) => z.number().int().min(min).max(max);
const percent = int(1, 100);
const names = z.array(z.string().min(1).max(253)).max(1000);

const perToolShape = {
  timeout: int(1, 86_400).optional(),
  concurrency: int(1, 64).optional(),
  /** Largest IPv4 network a call may target, as a prefix length (IPv6: the same address count). */
  max_network_prefix: int(8, 32).optional(),
};
const perTool = z.object(perToolShape).strict();

// One tool.<name> section per known tool, typed by name so config.tool.nmap is checked code; tools with
// operator settings of their own extend the common shape.
const perToolSections = {
  nmap: perTool.prefault({}),
  masscan: z
    .object({
      ...perToolShape,
      /** Interface and router MAC for masscan, set by the operator (never by a caller); else auto-detected. */
      adapter: z
        .string()
        .regex(/^[A-Za-z0-9_.-]{1,15}$/)
        .optional(),
      router_mac: z
        .string()
        .regex(/^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$/)
        .optional(),
    })
    .strict()
    .prefault({}),
  gobuster: z
    .object({
      ...perToolShape,
      /** Directories of operator wordlists, besides the ones shipped with the package. */
      wordlist_dirs: z.array(z.string().min(1).max(4096)).default([]),
      /** Lists longer than this are brute force and need security.allow_intrusive. */
      max_wordlist_lines: int(1, 100_000_000).default(5000),
      /** Hard cap on a wordlist's size. */
      max_wordlist_bytes: int(1, 1024 * 1024 * 1024).default(50 * 1024 * 1024),
    })
    .strict()
    .prefault({}),
  hydra: z
    .object({
      ...perToolShape,
      /** Directories of operator user name and password lists, besides the shipped ones. */
      wordlist_dirs: z.array(z.string().min(1).max(4096)).default([]),
      max_wordlist_bytes: int(1, 1024 * 1024 * 1024).default(10 * 1024 * 1024),
      /** Most login attempts (user names x passwords, plus -e tries) one call may make. */
      max_attempts: int(1, 100_000_000).default(10_000),
    })
    .strict()
    .prefault({}),
  sqlmap: z
    .object({
      ...perToolShape,
      /** Most table rows --dump may retrieve in one call. */
      max_dump_rows: int(1, 1_000_000).default(100),
    })
    .strict()
    .prefault({}),
  dig: z
    .object({
      ...perToolShape,
      /**
       * The DNS server dig asks when a call names none (an in-scope address or name, checked on every
       * call). Unset: a call must name one; the machine's own resolver is never used by default.
       */
      default_server: z.string().min(1).max(253).optional(),
    })
    .strict()
    .prefault({}),
} satisfies Record<ToolName, z.ZodType>;

const toolSection = z
  .object({
    default_timeout: int(1, 86_400).default(300),
    default_concurrency: int(1, 64).default(2),
    /** Calls running at once across all tools. */
    global_concurrency: int(1, 256).default(4),
    /** Calls waiting per tool beyond the running ones; past it a call is refused at once. */
    queue_size: int(0, 1000).default(32),
    /** Seconds a call may wait for a slot. */
    queue_timeout: int(1, 3600).default(60),
    /** Seconds between SIGTERM and SIGKILL when a tool is stopped. */
    kill_grace_period: int(0, 60).default(5),
    include: z.array(z.enum(TOOL_NAMES)).default([]),
    exclude: z.array(z.enum(TOOL_NAMES)).default([]),
    ...perToolSections,
  })
  .strict();

export const configSchema = z
  .object({
    server: z
      .object({
        transport: z.enum(["stdio", "http"]).default("stdio"),
        host: z.string().min(1).default("127.0.0.1"),
        port: int(0, 65_535).default(8080),
        shutdown_grace_period: int(0, 3600).default(30),
        /** Host header values accepted besides loopback names and the bind address (DNS-rebinding defence). */
        allowed_hosts: z.array(z.string().min(1).max(253)).default([]),
        /** Browser origins allowed to call (CORS); none by default, never a wildcard. */
        allowed_origins: z.array(z.string().regex(/^https?:\/\/[^/*\s]+$/)).default([]),
        max_body_size: int(1024, 64 * 1024 * 1024).default(1024 * 1024),
        /** MCP sessions kept at once, and seconds an idle one lives. */
        max_sessions: int(1, 10_000).default(100),
        session_idle_timeout: int(10, 86_400).default(900),
        /** A new MCP server per request instead of sessions (no server-to-client notifications). */
        stateless: z.boolean().default(false),
        /** Tool calls per minute per API key (or per client address without keys), with bursts. */
        rate_limit: int(1, 100_000).default(60),
        rate_burst: int(1, 10_000).default(20),
        max_sse_streams: int(1, 1000).default(16),
      })
      .strict()
      .prefault({}),
    security: z
      .object({
        allowed_targets: names.default(["RFC1918", ".lab.internal"]),
        excluded_targets: names.default([]),
        allow_intrusive: z.boolean().default(false),
        max_args_length: int(1, 65_536).default(2048),
        max_output_size: int(1024, 256 * 1024 * 1024).default(1_048_576),
        api_keys: z.array(z.string().min(16).max(512)).default([]),
        /** A file with one API key per line, added to security.api_keys. */
        api_key_file: z.string().min(1).optional(),
        /** Seconds a hostname lookup may take before the target is refused. */
        resolve_timeout: int(1, 60).default(5),
      })
      .strict()
      .prefault({}),
    tool: toolSection.prefault({}),
    sandbox: z
      .object({
        /** Refuse to run tools when bwrap is unavailable, instead of running them under limits only. */
        required: z.boolean().default(false),
        /** Size of the private /tmp each tool gets inside bwrap. */
        tmp_size: int(1024 * 1024, 4 * 1024 * 1024 * 1024).default(64 * 1024 * 1024),
      })
      .strict()
      .prefault({}),
    circuit_breaker: z
      .object({
        failure_threshold: int(1, 1000).default(5),
        recovery_timeout: int(1, 86_400).default(60),
        /** Cap for the recovery time, which grows 1.5x each time a half-open probe fails. */
        max_recovery_timeout: int(1, 86_400).default(600),
      })
      .strict()
      .prefault({}),
    health: z
      .object({
        check_interval: int(1, 86_400).default(30),
        cpu_threshold: percent.default(80),
        memory_threshold: percent.default(80),
        disk_threshold: percent.default(80),
      })
      .strict()
      .prefault({}),
    metrics: z
      .object({
        enabled: z.boolean().default(true),
        /** In stdio mode, an optional HTTP listener for /metrics and /health (unset: none). */
        host: z.string().min(1).default("127.0.0.1"),
        port: int(0, 65_535).optional(),
      })
      .strict()
      .prefault({}),
    logging: z
      .object({
        level: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
      })
      .strict()
      .prefault({}),
    jobs: z
      .object({
        /** Where scan jobs and their raw output are kept (default: beside the audit log). */
        dir: z.string().min(1).optional(),
        /** Retention: finished jobs kept at most, their total raw bytes, and seconds since they ended. */
        max_jobs: int(1, 100_000).default(200),
        max_total_bytes: int(1024 * 1024, 1024 * 1024 * 1024 * 1024).default(1024 * 1024 * 1024),
        max_age: int(60, 365 * 86_400).default(7 * 86_400),
        /** Bytes of stdout a job keeps for paging (direct calls keep security.max_output_size). */
        max_output_size: int(1024, 1024 * 1024 * 1024).default(64 * 1024 * 1024),
      })
      .strict()
      .prefault({}),
    output: z
      .object({
        /** Characters of a tool answer's text: the ranked summary, or one page of raw output. */
        summary_max_chars: int(500, 1_000_000).default(4000),
        /** Characters of a tool answer's structuredContent (JSON); beyond it, output and findings are cut. */
        structured_max_chars: int(2000, 100_000_000).default(32_000),
      })
      .strict()
      .prefault({}),
    audit: z
      .object({
        enabled: z.boolean().default(true),
        path: z.string().min(1).optional(),
        /** Bytes per file before it rotates (the chain continues in the next file). */
        max_size: int(1024, 1024 * 1024 * 1024).default(10 * 1024 * 1024),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type ToolLimits = z.infer<typeof perTool>;
