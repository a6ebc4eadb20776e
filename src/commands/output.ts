/** Output of the one-shot CLI commands (never used by `serve`, whose stdout belongs to MCP). */
export function printLine(text: string): void {
  process.stdout.write(`${text}\n`);
}

export function printError(text: string): void {
  process.stderr.write(`${text}\n`);
}
