// The server's rule for an agent's name and an external user id (docs/http-api.md): 1–128 ASCII
// letters, digits, `-`, `_`, `.`, `:`. Checked here too so a typo is caught before a round trip.

const ID = /^[A-Za-z0-9_.:-]{1,128}$/;

export function isValidId(text: string): boolean {
  return ID.test(text);
}

/** Longest agent reply, in characters (Unicode scalar values, as the server counts). */
export const MAX_REPLY_CHARS = 4000;
/** Longest curated answer. */
export const MAX_ANSWER_CHARS = 4000;
/** Most example questions of a curated answer. */
export const MAX_QUESTIONS = 20;

/** Characters as the server counts them (code points, not UTF-16 units). */
export function charCount(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** Lines of a textarea as a list: trimmed, empty ones dropped. */
export function lines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "");
}

/** Comma-separated tags as a list (`，` too, for Chinese keyboards). */
export function tagList(text: string): string[] {
  return text
    .split(/[,，]/)
    .map((tag) => tag.trim())
    .filter((tag) => tag !== "");
}
