import { deny, ok, type Outcome } from "../errors.js";

/**
 * Splits extra_args the way a POSIX shell splits words (quotes and backslashes), without ever running one:
 * no expansion, no operators. `;`, `$(...)` or `|` simply stay inside a word, which the grammar then refuses.
 */
export function splitArgs(text: string): Outcome<string[]> {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) return deny("validation_error", "extra_args has an unterminated single quote");
      word += text.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < text.length && text.charAt(j) !== '"'; j++) {
        if (text.charAt(j) === "\\" && /["\\$`]/.test(text.charAt(j + 1))) j++;
        word += text.charAt(j);
      }
      if (j >= text.length) return deny("validation_error", "extra_args has an unterminated double quote");
      inWord = true;
      i = j;
    } else if (c === "\\") {
      if (i + 1 >= text.length) return deny("validation_error", "extra_args ends with a lone backslash");
      word += text.charAt(++i);
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return ok(words);
}
