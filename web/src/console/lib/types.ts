// The JSON the console reads, as the server serialises it (src/serve/*.rs, src/store/*.rs,
// src/insights/*.rs). Fields the server may add later are optional here, so that an older or
// newer server still renders.

export type Scope = "agent" | "admin";

/** `GET`/`POST /console/api/session`. */
export interface Session {
  scope: Scope;
  agent: string;
  csrf: string;
  expires_at_ms: number;
}

export type TicketState = "open" | "assigned" | "resolved" | "expired";

export interface Ticket {
  id: string;
  conversation_id: string;
  state: TicketState | string;
  reason: string;
  priority: "normal" | "high" | string;
  frustrated: boolean;
  assignee: string | null;
  opened_seq: number;
  created_at_ms: number;
  assigned_at_ms: number | null;
  closed_at_ms: number | null;
  updated_at_ms: number;
  external_user_id?: string | null;
}

export interface Citation {
  n: number;
  chunk_id: string;
  doc_id: string;
  span?: [number, number] | null;
  title?: string | null;
}

/** A rating as stored (`kind` thumbs with score ±1, or csat with `turn_seq` 0). */
export interface StoredFeedback {
  turn_seq: number;
  kind: "thumbs" | "csat" | string;
  score: number;
  reason: string | null;
  comment: string | null;
  created_at_ms: number;
}

export type Role = "customer" | "bot" | "agent" | "system";

export interface Turn {
  seq: number;
  role: Role | string;
  actor: string | null;
  text: string;
  citations: Citation[] | null;
  confidence: number | null;
  abstained: boolean | null;
  handoff_reason: string | null;
  language: string | null;
  created_at_ms: number;
  /** Newer servers attach the answer's rating to its turn; older ones list them on the conversation. */
  feedback?: unknown;
  frustration?: { signals?: string[]; score?: number } | null;
  ticket_id?: string | null;
  generator?: string | null;
}

export interface Conversation {
  id: string;
  owner_key?: string;
  external_user_id: string | null;
  channel: string;
  created_at_ms: number;
  updated_at_ms: number;
  turns: Turn[];
  feedback?: StoredFeedback[];
}

export interface TicketView {
  ticket: Ticket;
  conversation: Conversation;
}

export interface CuratedAnswer {
  id: string;
  version: number;
  questions: string[];
  answer: string;
  locale: string;
  product: string | null;
  tags: string[];
  author: string;
  source_conversation_id: string | null;
  source_turn_seq: number | null;
  created_at_ms: number;
}

export interface CuratedVersion extends CuratedAnswer {
  removed: boolean;
}

/** The body of `POST`/`PUT /v1/admin/answers`. */
export interface CuratedInput {
  questions: string[];
  answer: string;
  locale?: string;
  product?: string | null;
  tags: string[];
  author: string;
}

/** A figure that is a share: `count / of`, `value` null when `of` is 0. */
export interface Share {
  value: number | null;
  count: number;
  of: number;
}

export interface Figures {
  conversations: number;
  turns: Record<string, number>;
  questions: number;
  questions_by_day: Record<string, number>;
  questions_by_hour: number[];
  questions_by_language: Record<string, number>;
  questions_by_channel: Record<string, number>;
  answer_rate: Share;
  containment: Share;
  containment_definition: string;
  handoffs_suggested: Record<string, number>;
  tickets_opened: Record<string, number>;
  thumbs_up: Share;
  thumbs_down_reasons: Record<string, number>;
  csat: { mean: number | null; count: number; distribution: number[] };
  latency: { p50_ms: number | null; p95_ms: number | null; count: number };
  frustration_rate: Share;
}

export interface Topic {
  id: number;
  label: string;
  questions: number;
  previous: number;
  trend: number | null;
  answer_rate: Share;
  thumbs_down: Share;
  unmet: Share;
  rephrasings: number;
  languages: Record<string, number>;
  documents: { doc_id: string; answers: number }[];
  samples: string[];
  /** The latest conversations it was asked in (at most five, newest first): the drill-down. */
  conversations: string[];
}

export type Draft =
  | { kind: "agent_reply"; text: string; conversation_id: string; seq: number }
  | { kind: "passage"; text: string; doc_id: string };

export interface Gap {
  topic: number;
  label: string;
  language: string;
  unmet: Share;
  abstained: number;
  low_confidence_handoffs: number;
  thumbs_down: number;
  rephrasings: number;
  samples: string[];
  closest: { doc_id: string; title: string; locale: string; similarity: number | null }[];
  why: string[];
  draft: Draft | null;
  /** The latest conversations it was asked in (at most five, newest first): the drill-down. */
  conversations: string[];
}

export interface PassageRef {
  doc_id: string;
  chunk_id: string;
  excerpt: string;
}

export interface ContentHealth {
  documents: number;
  never_cited: string[];
  rated_down: { doc_id: string; thumbs_down: number; reasons: Record<string, number>; citations: number }[];
  near_duplicates: { a: PassageRef; b: PassageRef; similarity: number }[];
  contradictions: { a: PassageRef; b: PassageRef }[];
  curated_contradictions: { a: PassageRef; b: PassageRef }[];
}

export interface Insights {
  from: string;
  to: string;
  utc_offset: string;
  generated_at_ms: number;
  figures: Figures;
  topics: Topic[];
  topic_count: number;
  topic_threshold: number;
  gaps: Gap[];
  health: ContentHealth;
  run: {
    questions_read: number;
    distinct_questions: number;
    newly_placed: number;
    centre_questions: number | null;
    total_ms: number;
  };
}

export type SearchMode = "bm25" | "dense" | "hybrid";

export interface SearchResult {
  chunk_id: string;
  doc_id: string;
  title: string;
  breadcrumb: string;
  url: string | null;
  score: number;
  snippet: string;
  locale: string;
}

export interface SearchResponse {
  results: SearchResult[];
  took_ms: number;
}

export interface Chunk {
  chunk_id: string;
  breadcrumb: string;
  span: [number, number];
}

export interface DocumentView {
  id: string;
  title: string;
  url: string | null;
  locale: string;
  doc_type: string | null;
  product: string | null;
  tags: string[];
  text: string;
  chunks: Chunk[];
}

export interface IndexDocument {
  id: string;
  title: string;
  locale: string;
  doc_type: string | null;
  product: string | null;
  chunks: number;
}

export interface IndexView {
  generation: number;
  model: string;
  documents_count: number;
  chunks_count: number;
  last_ingest_ms: number | null;
  documents: IndexDocument[];
}

export type ConversationFilter = "all" | "answered" | "abstained" | "thumbs_down" | "handoff";

export interface ConversationSummary {
  id: string;
  external_user_id: string | null;
  channel: string;
  created_at_ms: number;
  updated_at_ms: number;
  turns: number;
  /** The customer's first message, as stored (redacted). */
  preview: string | null;
  /** The language of that message. */
  language: string | null;
  /** kefu's answers given, withheld and rated down. */
  answered: number;
  abstained: number;
  thumbs_down: number;
  ticket_state: string | null;
}

export interface ConversationPage {
  conversations: ConversationSummary[];
  next_before_ms: number | null;
  /** With `next_before_ms`: the page after it starts after this conversation. */
  next_before_id?: string | null;
}

export interface Deleted {
  deleted: { conversations: number; turns: number };
}
