// The parts of kefu's HTTP API (docs/http-api.md) the front ends read. Fields the UIs do not
// use are left out; optional ones are those a reply may lack.

export interface ApiErrorBody {
  error: { code: string; message: string };
}

/** `POST /v1/sessions`. */
export interface Session {
  token: string;
  conversation_id: string;
  expires_at_ms: number;
}

export interface CuratedSource {
  id: string;
  version: number;
  author: string;
  created_at_ms: number;
}

/**
 * A citation of an answer. The ask reply carries all of it; a stored turn only
 * `{n, chunk_id, doc_id, span}`.
 */
export interface Citation {
  n: number;
  chunk_id: string;
  doc_id: string;
  span: [number, number];
  title?: string;
  url?: string | null;
  breadcrumb?: string;
  snippet?: string;
  curated?: CuratedSource;
}

export interface TicketRef {
  id: string;
  /** `open`, `assigned`, `resolved` or `expired`. */
  state: string;
}

/** `POST /v1/ask` (and the stream's `done` event). */
export interface AskResponse {
  answer: string;
  citations: Citation[];
  abstained: boolean;
  handoff: { needed: boolean; reason: string | null; contact?: string | null };
  conversation_id: string | null;
  language: string;
  ticket: TicketRef | null;
  /** The seq of kefu's answer turn; absent when nothing was stored (a message kept for the agent). */
  turn?: number | null;
}

export type Role = "customer" | "bot" | "agent" | "system";

export type Thumbs = "up" | "down";
export type FeedbackReason = "wrong" | "outdated" | "unclear" | "not_what_i_asked";
export const FEEDBACK_REASONS: readonly FeedbackReason[] = ["wrong", "outdated", "unclear", "not_what_i_asked"];

/** A rating as stored (`feedback` of a transcript, or of a turn). */
export interface StoredFeedback {
  turn_seq?: number;
  kind: string;
  score: number;
  reason: string | null;
}

/** A turn of `GET /v1/conversations/{id}`, and the data of a `turn` event. */
export interface Turn {
  seq: number;
  role: Role;
  actor: string | null;
  text: string;
  citations: Citation[] | null;
  abstained: boolean | null;
  handoff_reason: string | null;
  language: string | null;
  created_at_ms: number;
  feedback?: StoredFeedback[] | StoredFeedback | null;
}

export interface Transcript {
  id: string;
  turns: Turn[];
  feedback?: StoredFeedback[];
}

/** `POST /v1/conversations/{id}/handoff`. */
export interface HandoffResponse {
  message: string;
  ticket: TicketRef | null;
}

/** `GET /v1/documents/{id}`. */
export interface DocumentView {
  id: string;
  title: string;
  url: string | null;
  locale: string;
  text: string;
  chunks: { chunk_id: string; breadcrumb: string; span: [number, number] }[];
}
