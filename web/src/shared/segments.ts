// An answer's text as pieces a UI renders as text nodes: plain text, `[n]` citation markers
// (only for numbers that have a citation; anything else stays text) and http(s) links.
// Nothing here produces HTML: the pieces are rendered as Preact text and elements.

export type Segment =
  | { kind: "text"; text: string }
  | { kind: "cite"; n: number }
  | { kind: "link"; text: string; href: string };

const MARKER = /\[(\d{1,3})\]/g;

/** Splits `text` at its `[n]` markers whose `n` is in `known`, then finds links in the rest. */
export function toSegments(text: string, known: ReadonlySet<number> | readonly number[]): Segment[] {
  const numbers = known instanceof Set ? known : new Set(known as readonly number[]);
  const out: Segment[] = [];
  let last = 0;
  for (const match of text.matchAll(MARKER)) {
    const n = Number(match[1]);
    if (!numbers.has(n)) continue;
    pushText(out, text.slice(last, match.index));
    out.push({ kind: "cite", n });
    last = match.index! + match[0].length;
  }
  pushText(out, text.slice(last));
  return out;
}

// Up to whitespace, quotes, angle brackets and CJK punctuation; trailing ASCII punctuation is
// taken back below ("see https://x.com/a." links to /a).
const URL_RE = /https?:\/\/[^\s<>"'`\u3000-\u303f\uff01-\uff0f\uff1a-\uff20]+/gi;
const TRAILING = /[.,;:!?)\]}]+$/;

function pushText(out: Segment[], text: string) {
  if (!text) return;
  let last = 0;
  for (const match of text.matchAll(URL_RE)) {
    let url = match[0];
    const trailing = url.match(TRAILING);
    if (trailing) url = url.slice(0, url.length - trailing[0].length);
    const href = safeHref(url);
    if (!href || url.length <= "https://".length) continue;
    appendText(out, text.slice(last, match.index));
    out.push({ kind: "link", text: url, href });
    last = match.index! + url.length;
  }
  appendText(out, text.slice(last));
}

function appendText(out: Segment[], text: string) {
  if (!text) return;
  const prev = out[out.length - 1];
  if (prev && prev.kind === "text") prev.text += text;
  else out.push({ kind: "text", text });
}

/** `url` when it is an absolute http(s) URL, normalised; otherwise `undefined` (no `javascript:`). */
export function safeHref(url: string | null | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}
