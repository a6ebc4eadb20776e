/** One breaker per tool. States are a union so each carries only what it needs. */
export type BreakerState =
  | { readonly kind: "closed"; readonly failures: number }
  | { readonly kind: "open"; readonly until: number; readonly timeoutMs: number }
  | { readonly kind: "half-open"; readonly probing: boolean; readonly timeoutMs: number };

export type BreakerStateName = BreakerState["kind"];

export interface BreakerOptions {
  readonly failureThreshold: number;
  readonly recoveryMs: number;
  /** Re-opening multiplies the recovery time by 1.5, up to this. */
  readonly maxRecoveryMs: number;
  readonly now?: () => number;
  /** 0..1; recovery times get up to 10% added so breakers of many servers do not probe in step. */
  readonly random?: () => number;
  readonly onTransition?: (from: BreakerStateName, to: BreakerStateName) => void;
}

export type Admission =
  | { readonly admitted: true; readonly probe: boolean }
  | { readonly admitted: false; readonly retryAfterMs: number };

/**
 * closed -> open after `failureThreshold` consecutive failures; open -> half-open once the recovery time has
 * passed (checked when a call arrives, so nothing returns early before the check); half-open lets one
 * probe through: success closes, failure re-opens for longer. Calls that end neither way (cancelled,
 * refused) release a probe without deciding anything.
 */
export class CircuitBreaker {
  #state: BreakerState = { kind: "closed", failures: 0 };
  readonly #now: () => number;
  readonly #random: () => number;

  constructor(private readonly options: BreakerOptions) {
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
  }

  get state(): BreakerState {
    return this.#state;
  }

  enter(): Admission {
    const state = this.#state;
    if (state.kind === "closed") return { admitted: true, probe: false };
    if (state.kind === "open") {
      const wait = state.until - this.#now();
      if (wait > 0) return { admitted: false, retryAfterMs: wait };
      this.#move({ kind: "half-open", probing: true, timeoutMs: state.timeoutMs });
      return { admitted: true, probe: true };
    }
    if (state.probing) return { admitted: false, retryAfterMs: 1000 };
    this.#move({ ...state, probing: true });
    return { admitted: true, probe: true };
  }

  success(): void {
    if (this.#state.kind !== "closed" || this.#state.failures > 0)
      this.#move({ kind: "closed", failures: 0 });
  }

  failure(): void {
    const state = this.#state;
    if (state.kind === "half-open") {
      this.#open(Math.min(state.timeoutMs * 1.5, this.options.maxRecoveryMs));
    } else if (state.kind === "closed") {
      const failures = state.failures + 1;
      if (failures >= this.options.failureThreshold) this.#open(this.options.recoveryMs);
      else this.#state = { kind: "closed", failures };
    }
  }

  /** The call ended without telling whether the tool works (cancelled, queue timeout, output cap). */
  abandon(): void {
    if (this.#state.kind === "half-open") this.#state = { ...this.#state, probing: false };
  }

  #open(timeoutMs: number): void {
    const jittered = timeoutMs * (1 + 0.1 * this.#random());
    this.#move({ kind: "open", until: this.#now() + jittered, timeoutMs });
  }

  #move(next: BreakerState): void {
    const from = this.#state.kind;
    this.#state = next;
    if (from !== next.kind) this.options.onTransition?.(from, next.kind);
  }
}
