import { deny, ok, type Outcome } from "../errors.js";
import { checkValue, describeValue, isIntrusiveValue, type ValueType } from "./values.js";

/** One allowed option. Anything that is not exactly one of these, in one of the forms below, is refused. */
export interface FlagRule {
  /** The canonical spelling; also what the tool is given. */
  readonly flag: string;
  /** Other exact spellings of the same option (`--max-rate` for `--rate`); they count as the same flag. */
  readonly aliases?: readonly string[];
  readonly value?: ValueType;
  /** The value may be written inside the same word (`-p80`, `-T4`); `--flag=value` is always accepted. */
  readonly joined?: boolean;
  /** How often the option may appear (headers); once when unset. */
  readonly repeatable?: number;
  /** Needs raw sockets (CAP_NET_RAW). */
  readonly requiresRaw?: boolean;
  /** Needs security.allow_intrusive. */
  readonly intrusive?: boolean;
}

export interface FlagGrammar {
  readonly tool: string;
  readonly rules: readonly FlagRule[];
  /** Why well-known dangerous options are refused; only for the message, the allowlist decides. */
  readonly refusals: Readonly<Record<string, string>>;
  readonly maxTokens: number;
  /**
   * How the tool itself compares option names, when it is looser than exact match (masscan ignores case and
   * punctuation). Used only to explain a refusal; acceptance stays exact.
   */
  readonly looseName?: (name: string) => string;
}

/** A word of arguments and where it came from (extra_args or a typed field), for messages. */
export interface ArgWord {
  readonly text: string;
  readonly origin: string;
}

export interface ParsedFlag {
  readonly rule: FlagRule;
  readonly value?: string;
  readonly origin: string;
}

export interface FlagContext {
  readonly allowIntrusive: boolean;
  readonly netRaw: boolean;
}

/** Parses words against the grammar; typed fields and extra_args go through the same check. */
export function parseFlags(
  words: readonly ArgWord[],
  grammar: FlagGrammar,
  ctx: FlagContext,
): Outcome<ParsedFlag[]> {
  if (words.length > grammar.maxTokens)
    return deny(
      "validation_error",
      `too many argument words (${words.length}); at most ${grammar.maxTokens}`,
    );
  const parsed: ParsedFlag[] = [];
  const seen = new Map<string, string>();
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    if (!word) break;
    const match = matchWord(word.text, grammar.rules);
    if (!match) return deny("flag_denied", refusal(word, grammar));
    const { rule } = match;
    let value = match.value;
    if (rule.value && value === undefined) {
      const next = words[i + 1];
      if (!next || next.origin !== word.origin)
        return deny(
          "validation_error",
          `${rule.flag} (in ${word.origin}) needs a value: ${describeValue(rule.value)}`,
        );
      value = next.text;
      i++;
    }
    if (rule.value && value !== undefined) {
      const problem = checkValue(rule.value, value);
      if (problem)
        return deny(
          "validation_error",
          `${rule.flag} ${JSON.stringify(value)} (in ${word.origin}): ${problem}`,
        );
    }
    const earlier = seen.get(rule.flag);
    const count = parsed.filter((f) => f.rule === rule).length;
    if (earlier !== undefined && count >= (rule.repeatable ?? 1))
      return deny(
        "flag_denied",
        rule.repeatable
          ? `${rule.flag} is given more than ${rule.repeatable} times`
          : `${rule.flag} is given twice (in ${earlier} and ${word.origin}); give it once`,
      );
    seen.set(rule.flag, word.origin);
    const gate = gateProblem(rule, value, grammar.tool, ctx);
    if (gate) return deny("flag_denied", gate);
    parsed.push(value === undefined ? { rule, origin: word.origin } : { rule, value, origin: word.origin });
  }
  return ok(parsed);
}

function spellings(rule: FlagRule): readonly string[] {
  return rule.aliases ? [rule.flag, ...rule.aliases] : [rule.flag];
}

function matchWord(text: string, rules: readonly FlagRule[]): { rule: FlagRule; value?: string } | null {
  const exact = rules.find((r) => spellings(r).includes(text));
  if (exact) return { rule: exact };
  const eq = text.indexOf("=");
  // `--name=value`, and dig's `+name=value`.
  if ((text.startsWith("--") || text.startsWith("+")) && eq > 0) {
    const rule = rules.find((r) => r.value && spellings(r).includes(text.slice(0, eq)));
    if (rule) return { rule, value: text.slice(eq + 1) };
  }
  if (/^-[^-]/.test(text)) {
    const rule = rules.find(
      (r) => r.joined && r.value && text.startsWith(r.flag) && text.length > r.flag.length,
    );
    if (rule) return { rule, value: text.slice(rule.flag.length) };
  }
  return null;
}

function gateProblem(
  rule: FlagRule,
  value: string | undefined,
  tool: string,
  ctx: FlagContext,
): string | null {
  const shown = value === undefined ? rule.flag : `${rule.flag} ${value}`;
  if (rule.requiresRaw && !ctx.netRaw)
    return `${shown} needs raw sockets (CAP_NET_RAW), which this server process does not have; use a connect scan, or give the server CAP_NET_RAW (see security-mcp validate)`;
  const intrusive =
    rule.intrusive ||
    (rule.value !== undefined && value !== undefined && isIntrusiveValue(rule.value, value));
  if (intrusive && !ctx.allowIntrusive) {
    const ceiling = rule.value?.kind === "int" ? rule.value.intrusiveAbove : undefined;
    const hint = ceiling === undefined ? "" : ` (values up to ${ceiling} are allowed without it)`;
    return `${shown} is intrusive for ${tool} and needs security.allow_intrusive: true${hint}`;
  }
  return null;
}

function refusal(word: ArgWord, grammar: FlagGrammar): string {
  const text = word.text;
  const where = `in ${word.origin}`;
  const allowed = `Allowed options for ${grammar.tool}: ${grammar.rules.map((r) => r.flag).join(" ")}`;
  if (!/^[-+]/.test(text) || text === "-" || text === "+")
    return `${JSON.stringify(text)} (${where}) is not an option; extra arguments may only be options, and the target goes in the target field. ${allowed}`;
  const name = text.replace(/=.*$/, "");
  const reason = grammar.refusals[name];
  if (reason) return `${text} (${where}) is refused: ${reason}`;
  if (name.startsWith("+")) return plusRefusal(text, name, where, grammar);
  // Tools built on getopt_long_only accept abbreviations and single-dash long names; we accept neither.
  const bare = `--${name.replace(/^-+/, "")}`;
  const longForm = (flag: string): boolean =>
    flag.startsWith("--") && bare.length > 3 && flag.startsWith(bare);
  const refusalNames = Object.keys(grammar.refusals);
  const refusedLong = refusalNames.find((k) => k === bare) ?? refusalNames.find(longForm);
  if (refusedLong)
    return `${text} (${where}) is refused: ${grammar.tool} would read it as ${refusedLong}, which is refused (${grammar.refusals[refusedLong] ?? ""})`;
  const allowedLong =
    grammar.rules.find((r) => r.flag === bare) ?? grammar.rules.find((r) => longForm(r.flag));
  const loose = grammar.looseName;
  if (loose) {
    const key = loose(name);
    const refusedLoose = Object.keys(grammar.refusals).find((k) => loose(k) === key);
    if (refusedLoose)
      return `${text} (${where}) is refused: ${grammar.tool} would read it as ${refusedLoose}, which is refused (${grammar.refusals[refusedLoose] ?? ""})`;
    const allowedLoose = grammar.rules.flatMap(spellings).find((f) => loose(f) === key);
    if (allowedLoose)
      return `${text} (${where}) is refused: ${grammar.tool} would read it as ${allowedLoose}; write ${allowedLoose} exactly`;
  }
  if (allowedLong)
    return `${text} (${where}) is refused: abbreviated or single-dash option names are not accepted; write ${allowedLong.flag} exactly`;
  // Short options with a joined value (-iLfile, -oXout): the longest listed prefix explains it.
  const prefix = Object.keys(grammar.refusals)
    .filter((k) => /^-[^-]/.test(k) && text.startsWith(k))
    .sort((a, b) => b.length - a.length)[0];
  if (prefix)
    return `${text} (${where}) is refused: it is ${prefix} with a value, which is refused (${grammar.refusals[prefix] ?? ""})`;
  return `${text} (${where}) is not on the allowlist. ${allowed}`;
}

/** dig reads unambiguous prefixes of its `+` options; name the option it would have read. */
function plusRefusal(text: string, name: string, where: string, grammar: FlagGrammar): string {
  const plus = [...Object.keys(grammar.refusals), ...grammar.rules.flatMap(spellings)].filter(
    (k) => k.startsWith("+") && name.length > 2 && k.startsWith(name),
  );
  const refused = plus.find((k) => grammar.refusals[k] !== undefined);
  if (refused)
    return `${text} (${where}) is refused: ${grammar.tool} would read it as ${refused}, which is refused (${grammar.refusals[refused] ?? ""})`;
  const [allowed] = plus;
  if (allowed)
    return `${text} (${where}) is refused: abbreviated options are not accepted; write ${allowed} exactly`;
  const options = grammar.rules.map((r) => r.flag).filter((f) => f.startsWith("+"));
  return `${text} (${where}) is not on the allowlist. Allowed + options for ${grammar.tool}: ${options.join(" ")}`;
}

/**
 * Checked flags as argv words. Flags for which `joined` says so get their value in the same word
 * (`--level=3`, dig's `+time=2`), so no value can ever be read as an option of its own.
 */
export function flagsToArgv(
  flags: readonly ParsedFlag[],
  joined: (flag: string) => boolean = () => false,
): string[] {
  return flags.flatMap((f) => {
    if (f.value === undefined) return [f.rule.flag];
    return joined(f.rule.flag) ? [`${f.rule.flag}=${f.value}`] : [f.rule.flag, f.value];
  });
}
