// Following a conversation's event stream (the follower is shared with the widget): fetch sends
// the session cookie as every other call does, `Last-Event-ID` resumes after the last turn the
// page shows, and only a busy server is worth reconnecting to after an error.
import { follow as followStream, type SseEvent } from "../../shared/follow";
import type { ApiError } from "./api";

export type { SseEvent };

export interface FollowOptions {
  /** Resume after this event id (`Last-Event-ID`). */
  lastEventId?: string | null;
  onEvent: (event: SseEvent) => void;
  /** A failure that stops following (404, 403); the stream is not retried. */
  onError?: (error: ApiError) => void;
  onUnauthorized?: () => void;
  /** Whether the stream is connected, for a "live" indicator. */
  onStatus?: (live: boolean) => void;
  signal: AbortSignal;
  fetch?: typeof fetch;
  random?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** Rate-limited, overloaded or a gateway's hiccup: try again later (after `Retry-After`). */
const RETRYABLE = new Set([429, 502, 503, 504]);

/** Whether an error stops following: any answer of the server's but a busy one (a dropped connection, status 0, is retried). */
export function isFatal(error: ApiError): boolean {
  return error.status !== 0 && !RETRYABLE.has(error.status);
}

/**
 * Follows an event stream until `signal` aborts: reconnects with `Last-Event-ID` when the server
 * ends the stream (its time limit) or the network drops, so no event is missed.
 */
export function follow(url: string, options: FollowOptions): Promise<void> {
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  return followStream({
    connect: (lastEventId, signal) => {
      const headers: Record<string, string> = { Accept: "text/event-stream" };
      if (lastEventId) headers["Last-Event-ID"] = lastEventId;
      return doFetch(url, { headers, credentials: "same-origin", cache: "no-store", signal });
    },
    lastEventId: options.lastEventId,
    onEvent: options.onEvent,
    onStatus: options.onStatus,
    isFatal,
    onFatal: (error) => (error.status === 401 ? options.onUnauthorized?.() : options.onError?.(error)),
    signal: options.signal,
    backoff: { max: 15_000 },
    random: options.random,
    sleep: options.sleep,
  });
}
