// Colours and line clears; gobuster prints some even with --no-color.
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

/** Terminal output as a log would keep it: no ANSI codes, and of each \r-redrawn line only its last state. */
export function plainText(text: string): string {
  return text
    .replace(ANSI, "")
    .split("\n")
    .map(
      (line) =>
        line
          .split("\r")
          .filter((part) => part.trim() !== "")
          .pop() ?? "",
    )
    .join("\n");
}
