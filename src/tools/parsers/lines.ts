/** Splits streamed output into lines as it arrives; an unfinished last line waits for the next chunk. */
export class LineSplitter {
  #pending = "";

  constructor(private readonly onLine: (line: string) => void) {}

  write(chunk: Buffer | string): void {
    const lines = (this.#pending + chunk.toString()).split("\n");
    this.#pending = lines.pop() ?? "";
    for (const line of lines) this.onLine(line);
  }

  end(): void {
    if (this.#pending !== "") this.onLine(this.#pending);
    this.#pending = "";
  }
}
