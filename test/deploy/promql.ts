import { readFileSync } from "node:fs";
import { parse } from "yaml";

const KEYWORDS = new Set([
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "bool",
  "and",
  "or",
  "unless",
  "offset",
  "inf",
  "nan",
]);

/**
 * The metric names a PromQL expression reads: identifiers that are not functions, keywords, label names
 * (inside `{}` or a `by (...)` list), strings, durations or Grafana variables. Grafana's
 * `label_values(EXPR, label)` counts as EXPR.
 */
export function metricNames(expr: string): Set<string> {
  const cleaned = expr
    .replace(/label_values\(([^]*),\s*[A-Za-z_]\w*\s*\)/g, "$1")
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, " ")
    .replace(/\{[^}]*\}/g, " ")
    .replace(/\[[^\]]*\]/g, " ")
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ")
    .replace(/\$\{?\w+\}?/g, " ");
  const names = new Set<string>();
  for (const match of cleaned.matchAll(/(?<![\w.:])([A-Za-z_:][\w:]*)(\s*\()?/g)) {
    const [, name, call] = match;
    if (name === undefined || call !== undefined || KEYWORDS.has(name.toLowerCase())) continue;
    names.add(name);
  }
  return names;
}

/** Every `expr` (panel targets) and `query` string (template variables) anywhere in a dashboard JSON. */
export function dashboardExpressions(dashboard: unknown): string[] {
  const found: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (typeof node === "object" && node !== null)
      for (const [key, value] of Object.entries(node)) {
        if ((key === "expr" || key === "query") && typeof value === "string") found.push(value);
        else walk(value);
      }
  };
  walk(dashboard);
  return found;
}

interface RuleFile {
  groups: { name: string; rules: { alert?: string; record?: string; expr: string }[] }[];
}

/** Each rule's name and expression from a Prometheus rule file. */
export function ruleExpressions(file: string): { name: string; expr: string }[] {
  const rules = parse(readFileSync(file, "utf8")) as RuleFile;
  return rules.groups.flatMap((g) =>
    g.rules.map((r) => ({ name: r.alert ?? r.record ?? "?", expr: r.expr })),
  );
}

/**
 * The series names a Prometheus text exposition offers: every sample's name, and for each `# TYPE` the
 * names its samples take (a histogram's `_bucket`, `_sum`, `_count`), so a labelled metric that has no
 * sample yet still counts.
 */
export function exposedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split("\n")) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) {
      const [, name = "", kind] = type;
      if (kind === "histogram") for (const s of ["_bucket", "_sum", "_count"]) names.add(name + s);
      else if (kind === "summary") for (const s of ["", "_sum", "_count"]) names.add(name + s);
      else names.add(name);
      continue;
    }
    const sample = /^([A-Za-z_:][\w:]*)[{ ]/.exec(line);
    if (sample?.[1]) names.add(sample[1]);
  }
  return names;
}
