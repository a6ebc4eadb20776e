import { z } from "zod";
import type { ToolAnnotations } from "@modelcontextprotocol/sdk/types.js";
import type { Outcome } from "../errors.js";
import type { ArgWord, FlagGrammar, ParsedFlag } from "../policy/flags.js";
import type { CheckedTarget } from "../policy/target.js";
import type { CheckedUrl } from "../policy/url-target.js";
import type { ToolName } from "./names.js";
import type { ScriptCatalog } from "./nmap-scripts.js";
import type { Wordlist } from "./wordlists.js";
import type { Config } from "../config/schema.js";

/** Fields every tool accepts (CONTRACT.md). */
export const commonFields = {
  target: z
    .string()
    .max(253)
    .describe("One host: an IP address, a CIDR network or a host name inside the configured scope."),
  extra_args: z
    .union([z.string().max(65_536), z.array(z.string().max(1024)).max(256)])
    .optional()
    .describe(
      "Further options, only from the tool's allowlist; split like a shell would, but never run by one.",
    ),
  timeout_sec: z
    .number()
    .positive()
    .max(86_400)
    .optional()
    .describe("Seconds before the tool is stopped; clamped to the server's limit for this tool."),
  correlation_id: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,128}$/)
    .optional()
    .describe("Your id for this call; echoed in the result and the server's logs."),
};

export interface CommonInput {
  target: string;
  extra_args?: string | string[] | undefined;
  timeout_sec?: number | undefined;
  correlation_id?: string | undefined;
}

/** Data the server loads once and hands to specs, so specs themselves do no I/O. */
export interface Catalogs {
  readonly nmapScripts: () => ScriptCatalog | Error;
  readonly wordlist: (name: string) => Outcome<Wordlist>;
  /** hydra's user name and password lists. */
  readonly credentials: (name: string) => Outcome<Wordlist>;
}

/** A further host a call contacts besides its target (dig's server), scope-checked the same way. */
export interface SecondaryTarget {
  readonly field: string;
  readonly value: string;
}

/** What a target field means for a tool: a host (address, CIDR, name), an http(s) URL, or a DNS domain. */
export type TargetKind = "host" | "url" | "domain";

export type Checked =
  | { readonly kind: "host"; readonly host: CheckedTarget }
  | { readonly kind: "url"; readonly url: CheckedUrl }
  | { readonly kind: "domain"; readonly domain: string };

/** The checked host of a host-kind tool; the pipeline guarantees the kind matches the spec. */
export function hostOf(target: Checked): CheckedTarget {
  if (target.kind !== "host") throw new Error(`expected a host target, got ${target.kind}`);
  return target.host;
}

export interface PlanContext {
  readonly target: Checked;
  /** The checked secondary targets, by field name. */
  readonly secondary: ReadonlyMap<string, CheckedTarget>;
  readonly config: Readonly<Config>;
  readonly flags: readonly ParsedFlag[];
  readonly allowIntrusive: boolean;
  /** Raw sockets for this call: from the server's capabilities, the binary's file capability, or none. */
  readonly rawVia: "process" | "file" | null;
  readonly catalogs: Catalogs;
}

export interface ProgressUpdate {
  /** Increases with every update; the unit is the tool's own. */
  readonly progress: number;
  readonly message: string;
}

export interface StreamParser<Parsed> {
  write(chunk: Buffer): void;
  end(): Parsed;
}

/** A tool is data: generic code enforces everything a spec declares. */
export interface ToolSpec<Input extends CommonInput = CommonInput, Parsed = unknown> {
  readonly name: ToolName;
  readonly title: string;
  readonly description: string;
  readonly annotations: ToolAnnotations;
  /** Command name looked up in the server's fixed PATH. */
  readonly binary: string;
  readonly versionArgs: readonly string[];
  readonly inputSchema: z.ZodType<Input>;
  readonly parsedSchema: z.ZodType<Parsed>;
  readonly target: {
    readonly kind: TargetKind | ((input: Input) => TargetKind);
    /** Default cap on network size (IPv4 prefix length); config tool.<name>.max_network_prefix overrides. */
    readonly maxNetworkPrefix: number;
    /** A larger cap that security.allow_intrusive unlocks. */
    readonly intrusiveMaxNetworkPrefix?: number;
    readonly allowRanges?: boolean;
    readonly ipv4Only?: boolean;
  };
  /** Every call is intrusive (brute force) and needs security.allow_intrusive. */
  readonly intrusive?: boolean;
  /** Needs raw sockets for every call, not only for some options (masscan). */
  readonly requiresRaw?: boolean;
  readonly grammar: FlagGrammar;
  /** prlimit caps; a data-size cap, never an address-space one (Go tools reserve large ranges at start). */
  readonly limits: {
    readonly maxOpenFiles: number;
    readonly maxFileBytes: number;
    readonly maxDataBytes: number;
  };
  /** Typed fields as argument words; they pass the same grammar as extra_args. */
  fieldWords(input: Input): ArgWord[];
  /** Other hosts the call contacts, each checked as a single host and pinned like the target. */
  secondaryTargets?(input: Input, config: Readonly<Config>): SecondaryTarget[];
  /** The arguments after the binary, from checked flags and target; may still refuse. */
  plan(input: Input, ctx: PlanContext): Outcome<string[]>;
  /**
   * Files the call needs, written into its private working directory (the tool's cwd) before it starts
   * and deleted with it: inline lists that must not appear in argv, where every process could read them.
   */
  files?(input: Input): Readonly<Record<string, string>>;
  createParser(onProgress: (update: ProgressUpdate) => void): StreamParser<Parsed>;
  /** Directories the tool reads besides the system (bound read-only into the sandbox). */
  readOnlyPaths?(config: Readonly<Config>): string[];
  /** Cleans stdout/stderr before they go into the result (ANSI codes, progress redraws). */
  cleanOutput?(text: string): string;
  /** One or two lines for the text content of the result. */
  summarize(parsed: Parsed): string;
}

// Specs are generic over their own input; the registry only needs the common shape.
export type AnyToolSpec = ToolSpec<any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Collects typed fields as argument words, each tagged with its field name for messages. */
export function fieldWordCollector(): {
  readonly words: ArgWord[];
  readonly add: (origin: string, ...texts: string[]) => void;
} {
  const words: ArgWord[] = [];
  return {
    words,
    add: (origin, ...texts) => {
      for (const text of texts) words.push({ text, origin });
    },
  };
}
