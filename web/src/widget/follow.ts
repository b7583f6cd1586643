// The conversation live: `GET /v1/conversations/{id}/events` read with fetch (EventSource cannot
// send Authorization), reconnected with backoff after a drop, resuming after the last turn
// received (`Last-Event-ID`), so nothing is missed; the caller drops turns it already shows.

import { backoffDelay } from "../shared/backoff";
import { ApiError, isAbort } from "../shared/http";
import { readSse } from "../shared/sse";
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

/** Follows the stream until `signal` aborts or a fatal error. */
export async function follow(options: FollowOptions): Promise<void> {
  const { connect, lastSeq, onTurn, signal, onFatal, random = Math.random, sleep = wait } = options;
  let attempt = 0;
  while (!signal.aborted) {
    let retryAfter: number | undefined;
    try {
      const response = await connect(lastSeq(), signal);
      if (!response.body) throw new ApiError(0, "network", "no body");
      attempt = 0;
      await readSse(
        response.body,
        (event) => {
          // `delta` and `reset` here are kefu's answer as written: the ask stream shows it.
          if (event.event !== "turn") return;
          let turn: unknown;
          try {
            turn = JSON.parse(event.data);
          } catch {
            return;
          }
          if (isTurn(turn)) onTurn(turn);
        },
        signal,
      );
      // The server ends a stream after `server.event_stream_secs`: come back (after the pause
      // below, so that a server that ends every stream at once is not hammered).
    } catch (e) {
      if (signal.aborted || isAbort(e)) return;
      if (e instanceof ApiError) {
        if (isFatal(e)) {
          onFatal?.(e);
          return;
        }
        retryAfter = e.retryAfter;
      }
    }
    try {
      await sleep(backoffDelay(attempt++, retryAfter, random), signal);
    } catch {
      return;
    }
  }
}

/** Resolves after `ms`, or rejects when `signal` aborts first. */
export function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", abort);
      resolve();
    }, ms);
    const abort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", abort, { once: true });
  });
}
