// The messages the panel shows, and how turns from the server merge into them. One turn can
// reach the widget three ways: the transcript at load, the `/events` stream, and (kefu's own
// answers) the ask stream with the shopper's question shown before either. Merging keeps one
// message per turn: by `seq` when known, else by pairing a turn with the local message still
// waiting for its seq. All functions are pure: they return a new list (or the same one when
// nothing changed).

import type { AskResponse, Citation, FeedbackReason, Role, StoredFeedback, Thumbs, Transcript, Turn } from "../shared/types";
import { FEEDBACK_REASONS } from "../shared/types";

export interface MessageError {
  code: string;
  message: string;
  retryAfter?: number;
}

export interface Msg {
  /** Stable key for rendering. */
  key: string;
  /** The turn's number in the conversation, once known. */
  seq?: number;
  role: Role;
  /** An agent's name; the event of a system turn's actor. */
  actor?: string | null;
  text: string;
  citations: Citation[];
  abstained?: boolean;
  /** Why kefu handed over (`requested_human`: it answered "talk to a person"). */
  handoffReason?: string | null;
  /** `pending` before the first words, `streaming` while written, `error` when the ask failed. */
  status: "done" | "pending" | "streaming" | "error";
  error?: MessageError;
  /** Bot placeholders: the question asked (for retry) and the key of the shopper's message. */
  question?: string;
  replyTo?: string;
  /** Sent from here; its stored turn, when one comes, is this message. */
  awaiting?: boolean;
  /** From an earlier conversation (the session could not be renewed): no longer rateable. */
  stale?: boolean;
  thumbs?: Thumbs;
  reason?: FeedbackReason;
  createdAt: number;
}

let counter = 0;
/** A key for a message made here. */
export function localKey(): string {
  return `l${++counter}`;
}

const turnKey = (seq: number) => `t${seq}`;

/** A stored turn as a message. */
export function fromTurn(turn: Turn, feedback?: StoredFeedback | null): Msg {
  const msg: Msg = {
    key: turnKey(turn.seq),
    seq: turn.seq,
    role: turn.role,
    actor: turn.actor,
    text: turn.text ?? "",
    citations: Array.isArray(turn.citations) ? turn.citations : [],
    abstained: turn.abstained ?? undefined,
    handoffReason: turn.handoff_reason,
    status: "done",
    createdAt: turn.created_at_ms,
  };
  const rating = feedback ?? thumbsOf(turn.feedback);
  if (rating && rating.kind === "thumbs") {
    msg.thumbs = rating.score > 0 ? "up" : "down";
    if (rating.score < 0 && FEEDBACK_REASONS.includes(rating.reason as FeedbackReason)) {
      msg.reason = rating.reason as FeedbackReason;
    }
  }
  return msg;
}

function thumbsOf(feedback: Turn["feedback"]): StoredFeedback | undefined {
  const list = Array.isArray(feedback) ? feedback : feedback ? [feedback] : [];
  return list.find((f) => f && f.kind === "thumbs");
}

/** Whether a turn is worth a message: a bot turn without text (none is stored today) is not. */
function shown(turn: Turn): boolean {
  return turn.role !== "bot" || !!turn.text;
}

/** The messages of a transcript, in order, with their ratings. */
export function fromTranscript(transcript: Transcript): Msg[] {
  const ratings = new Map<number, StoredFeedback>();
  for (const f of transcript.feedback ?? []) {
    if (f.kind === "thumbs" && typeof f.turn_seq === "number") ratings.set(f.turn_seq, f);
  }
  return [...transcript.turns]
    .filter((t) => isTurn(t) && shown(t))
    .sort((a, b) => a.seq - b.seq)
    .map((t) => fromTurn(t, ratings.get(t.seq)));
}

/** Whether a value parsed from the server has the fields a turn must have. */
export function isTurn(value: unknown): value is Turn {
  const t = value as Turn;
  return !!t && typeof t.seq === "number" && typeof t.role === "string" && typeof (t.text ?? "") === "string";
}

/**
 * `list` with `turn` in it: nothing new when a message has its seq; the local message waiting
 * for it when there is one (the shopper's oldest unnumbered message; a bot placeholder still
 * being written, or one with the same text); else a new message in seq order.
 */
export function mergeTurn(list: Msg[], turn: Turn): Msg[] {
  if (!shown(turn) || list.some((m) => m.seq === turn.seq)) return list;
  if (turn.role === "customer" || turn.role === "bot") {
    const i = list.findIndex(
      (m) =>
        m.awaiting &&
        m.seq === undefined &&
        m.role === turn.role &&
        (turn.role === "customer" || m.status !== "done" || m.text === turn.text),
    );
    if (i >= 0) {
      const m = list[i];
      const next: Msg = { ...m, seq: turn.seq, awaiting: false };
      if (m.role === "bot" && m.status !== "done") {
        // The stored answer is final: the ask stream may still finish it with richer citations.
        next.text = turn.text;
        if (!m.citations.length) next.citations = turn.citations ?? [];
        if (m.status === "error") {
          next.status = "done";
          next.error = undefined;
        }
      }
      return replaceAt(list, i, next);
    }
  }
  return insertBySeq(list, fromTurn(turn));
}

function insertBySeq(list: Msg[], msg: Msg): Msg[] {
  let at = list.findIndex((m) => m.seq !== undefined && m.seq > msg.seq!);
  if (at < 0) {
    // After everything, but above a reply still being written (and not numbered yet).
    at = list.length;
    while (at > 0 && list[at - 1].seq === undefined && (list[at - 1].status === "pending" || list[at - 1].status === "streaming")) at--;
  }
  return [...list.slice(0, at), msg, ...list.slice(at)];
}

function replaceAt(list: Msg[], i: number, msg: Msg): Msg[] {
  const next = list.slice();
  next[i] = msg;
  return next;
}

/** `list` with message `key` changed by `patch`. */
export function updateMsg(list: Msg[], key: string, patch: Partial<Msg> | ((m: Msg) => Partial<Msg>)): Msg[] {
  const i = list.findIndex((m) => m.key === key);
  if (i < 0) return list;
  const change = typeof patch === "function" ? patch(list[i]) : patch;
  return replaceAt(list, i, { ...list[i], ...change });
}

export function removeMsg(list: Msg[], key: string): Msg[] {
  return list.filter((m) => m.key !== key);
}

/**
 * `list` once the ask answered by placeholder `key` is done. Its answer turn is `response.turn`
 * and the question the one before it (they are stored together). An empty answer (the message
 * went to the agent of an open ticket) removes the placeholder.
 */
export function finishAnswer(list: Msg[], key: string, response: AskResponse): Msg[] {
  const bot = list.find((m) => m.key === key);
  if (!bot) return list;
  if (!response.answer) {
    return bot.seq === undefined ? removeMsg(list, key) : updateMsg(list, key, { status: "done", awaiting: false });
  }
  const turn = typeof response.turn === "number" ? response.turn : undefined;
  const seq = bot.seq ?? turn;
  let next = list.filter((m) => m.key === key || seq === undefined || m.seq !== seq);
  next = updateMsg(next, key, {
    seq,
    text: response.answer,
    citations: Array.isArray(response.citations) ? response.citations : bot.citations,
    abstained: response.abstained,
    status: "done",
    error: undefined,
    awaiting: false,
  });
  const question = next.find((m) => m.key === bot.replyTo);
  if (question && question.seq === undefined && seq !== undefined) {
    const questionSeq = seq - 1;
    next = next.filter((m) => m.key === question.key || m.seq !== questionSeq);
    next = updateMsg(next, question.key, { seq: questionSeq, awaiting: false });
  }
  return next;
}

/** `list` after the conversation changed: its numbered messages belong to the old one. */
export function forgetSeqs(list: Msg[]): Msg[] {
  return list.map((m) => (m.seq === undefined ? m : { ...m, seq: undefined, awaiting: false, stale: true }));
}

/** The highest seq in `list` (0 for none). */
export function maxSeq(list: readonly Msg[]): number {
  return list.reduce((max, m) => (m.seq !== undefined && m.seq > max ? m.seq : max), 0);
}

/** Whether the conversation's ticket is open or assigned, from its last ticket event. */
export function ticketActive(list: readonly Msg[]): boolean | undefined {
  for (let i = list.length - 1; i >= 0; i--) {
    const m = list[i];
    if (m.role !== "system") continue;
    if (m.text === "ticket_opened" || m.text === "ticket_assigned") return true;
    if (m.text === "ticket_resolved" || m.text === "ticket_expired") return false;
  }
  return undefined;
}
