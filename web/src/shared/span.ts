// A citation's `span` counts Unicode scalar values (Rust chars), while JS strings index UTF-16
// code units: "运费 😀" is 4 chars to the server and 5 units to JS. Every offset here is applied
// to `Array.from(text)`, which iterates by code point.

export interface Passage {
  /** Text before the cited span, within the passage shown. */
  before: string;
  /** The cited span (highlighted). */
  mark: string;
  /** Text after it. */
  after: string;
  /** The passage starts after the document's start (show an ellipsis). */
  clippedStart: boolean;
  /** It ends before the document's end. */
  clippedEnd: boolean;
}

/**
 * The passage of `text` around `span` ([start, end) in code points), the span separated out.
 * `chunk`, when known, is the span of the chunk the citation quotes: the passage is that chunk.
 * Otherwise it is the paragraph around the span, at most `context` code points either side.
 * Offsets out of range are clamped, so a stale span still shows something.
 */
export function passage(
  text: string,
  span: readonly [number, number],
  chunk?: readonly [number, number] | null,
  context = 280,
): Passage {
  const chars = Array.from(text);
  const clamp = (n: number) => Math.min(Math.max(Math.trunc(Number.isFinite(n) ? n : 0), 0), chars.length);
  const start = clamp(Math.min(span[0], span[1]));
  const end = clamp(Math.max(span[0], span[1]));
  let from: number;
  let to: number;
  if (chunk) {
    from = Math.min(clamp(chunk[0]), start);
    to = Math.max(clamp(chunk[1]), end);
  } else {
    from = Math.max(0, start - context);
    to = Math.min(chars.length, end + context);
    // (lastIndexOf with a negative index would count from the end)
    const breakBefore = start > 0 ? chars.lastIndexOf("\n", start - 1) : -1;
    if (breakBefore >= from) from = breakBefore + 1;
    const breakAfter = chars.indexOf("\n", end);
    if (breakAfter >= 0 && breakAfter < to) to = breakAfter;
  }
  return {
    before: chars.slice(from, start).join("").trimStart(),
    mark: chars.slice(start, end).join(""),
    after: chars.slice(end, to).join("").trimEnd(),
    clippedStart: from > 0,
    clippedEnd: to < chars.length,
  };
}
