import { describe, expect, it } from "vitest";
import { chunkOf, csatOf, isCurated, ratingFor, sliceChars, uniqueCitations } from "./transcript";
import type { Citation, Turn } from "./types";

const c1: Citation = { n: 1, chunk_id: "a", doc_id: "en/faq.csv", span: [0, 5] };
const c2: Citation = { n: 2, chunk_id: "b", doc_id: "curated", span: null };

describe("citations", () => {
  it("lists each citation once, by number, and tells a curated one", () => {
    expect(uniqueCitations([c2, c1, c1]).map((c) => c.n)).toEqual([1, 2]);
    expect(isCurated(c2)).toBe(true);
    expect(isCurated({ doc_id: "curated:a-1" })).toBe(true);
    expect(isCurated(c1)).toBe(false);
  });
});

const bot = (feedback?: unknown): Turn => ({
  seq: 2,
  role: "bot",
  actor: null,
  text: "",
  citations: null,
  confidence: 0.5,
  abstained: false,
  handoff_reason: null,
  language: "en",
  created_at_ms: 0,
  feedback,
});

describe("ratingFor", () => {
  it("reads a rating attached to the turn, in the shapes a server may send", () => {
    expect(ratingFor(bot({ thumbs: "down", reason: "outdated", comment: "old" }))).toEqual({ thumbs: "down", reason: "outdated", comment: "old" });
    expect(ratingFor(bot({ kind: "thumbs", score: 1, reason: null, comment: null }))).toEqual({ thumbs: "up", reason: null, comment: null });
    expect(ratingFor(bot([{ kind: "thumbs", score: 1 }, { kind: "thumbs", score: -1, reason: "wrong" }]))).toMatchObject({ thumbs: "down", reason: "wrong" });
    expect(ratingFor(bot(null))).toBeNull();
  });

  it("falls back to the conversation's ratings of that turn", () => {
    const feedback = [
      { turn_seq: 0, kind: "csat", score: 4, reason: null, comment: null, created_at_ms: 0 },
      { turn_seq: 2, kind: "thumbs", score: -1, reason: "unclear", comment: null, created_at_ms: 0 },
      { turn_seq: 4, kind: "thumbs", score: 1, reason: null, comment: null, created_at_ms: 0 },
    ];
    expect(ratingFor(bot(), { feedback })).toEqual({ thumbs: "down", reason: "unclear", comment: null });
    expect(csatOf({ feedback })).toBe(4);
    expect(csatOf({ feedback: [] })).toBeNull();
  });
});

describe("spans", () => {
  // The server counts Unicode scalar values: the emoji is one character, two UTF-16 units.
  const text = "ab😀cd费用ef";

  it("slices by characters, not UTF-16 units", () => {
    expect(sliceChars(text, 2, 5)).toBe("😀cd");
    expect(sliceChars(text, 5, 7)).toBe("费用");
  });

  it("finds a citation's chunk by id, else by span", () => {
    const chunks = [
      { chunk_id: "x", span: [0, 10] as [number, number] },
      { chunk_id: "y", span: [10, 20] as [number, number] },
    ];
    expect(chunkOf(chunks, { chunk_id: "y", span: null })?.chunk_id).toBe("y");
    expect(chunkOf(chunks, { chunk_id: "gone", span: [12, 15] })?.chunk_id).toBe("y");
    expect(chunkOf(chunks, { chunk_id: "gone", span: null })).toBeNull();
  });
});
