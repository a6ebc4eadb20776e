/**
 * Tracks the process groups of running tools so none outlives the server: on exit (normal, or on a signal
 * the CLI turns into an exit) every live group is SIGKILLed. A SIGKILL of the server itself cannot be
 * caught; the sandbox issue covers that case with bwrap --die-with-parent.
 */
export class ProcessReaper {
  readonly #groups = new Set<number>();
  readonly #onExit = (): void => {
    this.killAll();
  };

  constructor() {
    process.on("exit", this.#onExit);
  }

  add(pgid: number): void {
    this.#groups.add(pgid);
  }

  delete(pgid: number): void {
    this.#groups.delete(pgid);
  }

  get size(): number {
    return this.#groups.size;
  }

  killAll(): void {
    for (const pgid of this.#groups) killGroup(pgid, "SIGKILL");
    this.#groups.clear();
  }

  dispose(): void {
    process.off("exit", this.#onExit);
  }
}

/** Signals a whole process group; a group that is already gone is not an error. */
export function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}
