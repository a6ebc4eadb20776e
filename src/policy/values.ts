/** Typed option values. Each check returns null when the value is fine, else what is allowed. */
export type ValueType =
  | { readonly kind: "int"; readonly min: number; readonly max: number; readonly intrusiveAbove?: number }
  | { readonly kind: "ports"; readonly maxItems: number }
  /** A time span; `unitRequired` for tools (Go's) that refuse a bare number, `minMs` where 0 means "never". */
  | {
      readonly kind: "duration";
      readonly maxMs: number;
      readonly minMs?: number;
      readonly unitRequired?: boolean;
    }
  | { readonly kind: "enum"; readonly values: readonly string[] }
  /** Free text matching a pattern, described in words for messages. */
  | { readonly kind: "text"; readonly pattern: RegExp; readonly description: string };

export function describeValue(type: ValueType): string {
  switch (type.kind) {
    case "int":
      return `an integer ${type.min}-${type.max}`;
    case "ports":
      return "a port list such as 22,80,8000-8100 or T:80,U:53 (ports 0-65535)";
    case "duration":
      return `a duration with a unit such as 500ms, 30s, 5m or 1h, ${type.minMs ? `at least ${formatMs(type.minMs)} and ` : ""}at most ${formatMs(type.maxMs)}`;
    case "enum":
      return `one of ${type.values.join(", ")}`;
    case "text":
      return type.description;
  }
}

function formatMs(ms: number): string {
  return ms % 3_600_000 === 0
    ? `${ms / 3_600_000}h`
    : ms % 60_000 === 0
      ? `${ms / 60_000}m`
      : `${ms / 1000}s`;
}

export function checkValue(type: ValueType, value: string): string | null {
  const allowed = `expected ${describeValue(type)}`;
  switch (type.kind) {
    case "int": {
      if (!/^(0|[1-9][0-9]{0,9})$/.test(value)) return allowed;
      const n = Number(value);
      return n >= type.min && n <= type.max ? null : allowed;
    }
    case "ports":
      return checkPorts(value, type.maxItems) ? null : allowed;
    case "duration": {
      const ms = durationMs(value);
      const unitOk = !type.unitRequired || /[a-z]$/.test(value);
      return ms !== null && unitOk && ms <= type.maxMs && ms >= (type.minMs ?? 0) ? null : allowed;
    }
    case "enum":
      return type.values.includes(value) ? null : allowed;
    case "text":
      return type.pattern.test(value) ? null : allowed;
  }
}

/** Whether the value alone makes the option intrusive (a rate above the non-intrusive ceiling). */
export function isIntrusiveValue(type: ValueType, value: string): boolean {
  return type.kind === "int" && type.intrusiveAbove !== undefined && Number(value) > type.intrusiveAbove;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, "": 1000 };

export function durationMs(value: string): number | null {
  const match = /^([0-9]{1,7})(ms|s|m|h)?$/.exec(value);
  if (!match) return null;
  return Number(match[1]) * (UNIT_MS[match[2] ?? ""] ?? 1000);
}

/** Numeric port lists with optional T:/U:/S: protocol prefixes; no service names or wildcards. */
export function checkPorts(value: string, maxItems: number): boolean {
  if (value.length === 0 || value.length > 1024) return false;
  const items = value.split(",");
  if (items.length > maxItems) return false;
  return items.every((item) => {
    const match = /^(?:[TUS]:)?(0|[1-9][0-9]{0,4})(?:-(0|[1-9][0-9]{0,4}))?$/.exec(item);
    if (!match) return false;
    const low = Number(match[1]);
    const high = match[2] === undefined ? low : Number(match[2]);
    return low <= high && high <= 65535;
  });
}
