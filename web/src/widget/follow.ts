// The conversation live: `GET /v1/conversations/{id}/events` followed by the shared follower
// (fetch with the session's token, reconnected with backoff), resuming after the last turn the
// widget has (`Last-Event-ID`), so nothing is missed; the caller drops turns it already shows.

import { follow as followStream } from "../shared/follow";
import type { ApiError } from "../shared/http";
import type { SseEvent } from "../shared/sse";
import type { Turn } from "../shared/types";
import { isTurn } from "./transcript";

export interface FollowOptions {
  /** Opens the stream after turn `after` (0: from the start). */
  connect: (after: number, signal: AbortSignal) => Promise<Response>;
  /** The last turn received (from the transcript or this stream). */
  lastSeq: () => number;
  onTurn: (turn: Turn) => void;
  signal: AbortSignal;
  /** An error after which reconnecting cannot help (the conversation is gone, the key revoked). */
  onFatal?: (error: ApiError) => void;
  random?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** Errors that no reconnection fixes. */
export function isFatal(error: ApiError): boolean {
  return error.status === 401 || error.status === 403 || error.status === 404 || error.code === "no_session";
}

/** The turn an event carries; `delta` and `reset` here are kefu's answer as written: the ask stream shows it. */
export function turnOf(event: SseEvent): Turn | undefined {
  if (event.event !== "turn") return undefined;
  let turn: unknown;
  try {
    turn = JSON.parse(event.data);
  } catch {
    return undefined;
  }
  return isTurn(turn) ? turn : undefined;
}

/** Follows the conversation until `signal` aborts or a fatal error. */
export function follow(options: FollowOptions): Promise<void> {
  const { connect, lastSeq, onTurn, signal, onFatal, random, sleep } = options;
  return followStream({
    // The widget's last turn, not the stream's last id: the transcript's turns count too.
    connect: (_lastEventId, signal) => connect(lastSeq(), signal),
    onEvent: (event) => {
      const turn = turnOf(event);
      if (turn) onTurn(turn);
    },
    isFatal,
    onFatal,
    signal,
    random,
    sleep,
  });
}
