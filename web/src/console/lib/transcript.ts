// Reading a stored transcript: an answer's citations and ratings, and spans of a document's
// text (the server counts Unicode scalar values, JavaScript strings count UTF-16 units, so
// spans are applied to code points). Cutting an answer at its `[n]` markers is shared with the
// widget (shared/segments.ts).
import type { Citation, Conversation, StoredFeedback, Turn } from "./types";

/** Citations of one answer, one per document chunk, in marker order. */
export function uniqueCitations(citations: readonly Citation[] | null | undefined): Citation[] {
  const seen = new Set<number>();
  return [...(citations ?? [])].sort((a, b) => a.n - b.n).filter((c) => (seen.has(c.n) ? false : (seen.add(c.n), true)));
}

export function isCurated(citation: Pick<Citation, "doc_id">): boolean {
  return citation.doc_id === "curated" || citation.doc_id.startsWith("curated:");
}

export interface Rating {
  thumbs: "up" | "down";
  reason: string | null;
  comment: string | null;
}

function ratingOf(value: unknown): Rating | null {
  if (!value || typeof value !== "object") return null;
  const v = value as Record<string, unknown>;
  const reason = typeof v.reason === "string" ? v.reason : null;
  const comment = typeof v.comment === "string" ? v.comment : null;
  if (v.thumbs === "up" || v.thumbs === "down") return { thumbs: v.thumbs, reason, comment };
  if ((v.kind === undefined || v.kind === "thumbs") && typeof v.score === "number" && v.score !== 0) {
    return { thumbs: v.score > 0 ? "up" : "down", reason, comment };
  }
  return null;
}

/**
 * The customer's rating of one answer: from the turn's own `feedback` (an object or a list, as
 * newer servers attach it) or else from the conversation's list of ratings.
 */
export function ratingFor(turn: Turn, conversation?: Pick<Conversation, "feedback"> | null): Rating | null {
  const own = turn.feedback;
  if (Array.isArray(own)) {
    for (let i = own.length - 1; i >= 0; i--) {
      const rating = ratingOf(own[i]);
      if (rating) return rating;
    }
  } else if (own) {
    const rating = ratingOf(own);
    if (rating) return rating;
  }
  const list: StoredFeedback[] = conversation?.feedback ?? [];
  for (let i = list.length - 1; i >= 0; i--) {
    if (list[i].turn_seq === turn.seq && list[i].kind === "thumbs") return ratingOf(list[i]);
  }
  return null;
}

/** The conversation's CSAT score (1–5), when the customer gave one. */
export function csatOf(conversation: Pick<Conversation, "feedback"> | null | undefined): number | null {
  const list = conversation?.feedback ?? [];
  for (let i = list.length - 1; i >= 0; i--) if (list[i].kind === "csat") return list[i].score;
  return null;
}

/** Characters `start..end` (code points, end exclusive) of a text. */
export function sliceChars(text: string, start: number, end: number): string {
  return Array.from(text).slice(start, end).join("");
}

/** The chunk a citation points at: by id, else the one whose span holds the quote. */
export function chunkOf<C extends { chunk_id: string; span: [number, number] }>(
  chunks: readonly C[],
  citation: Pick<Citation, "chunk_id" | "span">,
): C | null {
  const byId = chunks.find((c) => c.chunk_id === citation.chunk_id);
  if (byId) return byId;
  const span = citation.span;
  if (!span) return null;
  return chunks.find((c) => c.span[0] <= span[0] && span[1] <= c.span[1]) ?? null;
}
