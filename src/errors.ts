/**
 * The closed set of error types a result may carry (CONTRACT.md). Expected failures are values of this
 * shape; only bugs throw.
 */
export const ERROR_TYPES = {
  validation_error: "the input does not match the tool's schema or grammar",
  scope_denied: "a target is outside security.allowed_targets, excluded, or could not be resolved safely",
  flag_denied:
    "an option is not on the tool's allowlist, is intrusive without security.allow_intrusive, or needs privileges the server lacks",
  not_found: "the tool's binary or a named catalog entry does not exist",
  timeout: "the tool ran past its timeout and was stopped",
  cancelled: "the caller cancelled the call and the tool was stopped",
  execution_error: "the tool could not start, crashed, or exited with a failure",
  circuit_breaker_open: "the tool failed repeatedly and is paused until its breaker half-opens",
  resource_exhausted: "a concurrency, rate or output limit was reached",
} as const;

export type ErrorType = keyof typeof ERROR_TYPES;

export const ERROR_TYPE_NAMES = Object.keys(ERROR_TYPES) as [ErrorType, ...ErrorType[]];

/** A refusal or failure the caller can act on: what was refused and what would be allowed. */
export interface Denial {
  readonly type: ErrorType;
  readonly message: string;
}

export type Outcome<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly denial: Denial };

export function ok<T>(value: T): Outcome<T> {
  return { ok: true, value };
}

export function deny(type: ErrorType, message: string): { ok: false; denial: Denial } {
  return { ok: false, denial: { type, message } };
}
