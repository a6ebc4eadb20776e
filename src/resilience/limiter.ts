/**
 * A counting semaphore with a bounded queue. A waiter whose signal aborts leaves the queue at once, so
 * cancelled calls never hold or starve a slot.
 */
export class Limiter {
  #active = 0;
  readonly #queue: { grant: () => void; reject: (reason: Error) => void }[] = [];

  constructor(
    private capacityNow: number,
    private maxQueueNow: number,
  ) {}

  get capacity(): number {
    return this.capacityNow;
  }

  /** A config reload changes the limits; running calls keep their slots, waiters get new room at once. */
  resize(capacity: number, maxQueue: number): void {
    this.capacityNow = capacity;
    this.maxQueueNow = maxQueue;
    while (this.#active < this.capacityNow) {
      const next = this.#queue.shift();
      if (!next) break;
      this.#active++;
      next.grant();
    }
  }

  get active(): number {
    return this.#active;
  }

  get queued(): number {
    return this.#queue.length;
  }

  /**
   * Resolves to a release function; rejects with LimiterFull, LimiterTimeout after `waitMs` in the queue,
   * or an abort error.
   */
  acquire(signal?: AbortSignal, waitMs?: number): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(new Error("aborted"));
    if (this.#active < this.capacityNow) {
      this.#active++;
      return Promise.resolve(this.#releaser());
    }
    if (this.#queue.length >= this.maxQueueNow)
      return Promise.reject(new LimiterFull(this.capacityNow, this.maxQueueNow));
    return new Promise((resolve, reject) => {
      const leave = (reason: Error): void => {
        const index = this.#queue.indexOf(entry);
        if (index >= 0) this.#queue.splice(index, 1);
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        reject(reason);
      };
      const entry = {
        grant: () => {
          clearTimeout(timer);
          signal?.removeEventListener("abort", onAbort);
          resolve(this.#releaser());
        },
        reject,
      };
      const onAbort = (): void => {
        leave(new Error("aborted"));
      };
      const timer =
        waitMs === undefined
          ? undefined
          : setTimeout(() => {
              leave(new LimiterTimeout(waitMs));
            }, waitMs);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#queue.push(entry);
    });
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // After a shrinking reload, slots above the new capacity are given back instead of handed on.
      const next = this.#active > this.capacityNow ? undefined : this.#queue.shift();
      if (next) next.grant();
      else this.#active--;
    };
  }
}

export class LimiterFull extends Error {
  constructor(capacity: number, maxQueue: number) {
    super(`${capacity} calls are running and ${maxQueue} are waiting`);
  }
}

export class LimiterTimeout extends Error {
  constructor(waitMs: number) {
    super(`no slot became free within ${waitMs / 1000} s`);
  }
}
