// Following a conversation's event stream over fetch (the parser is shared with the widget):
// fetch sends the session cookie as every other call does, and `Last-Event-ID` resumes after
// the last turn the page shows.
import { backoffDelay } from "../../shared/backoff";
import { SseParser, type SseEvent } from "../../shared/sse";
import { ApiError, decodeError } from "./api";

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
  /** Milliseconds before reconnecting, by attempt (1, 2, …) and the server's `Retry-After`. */
  backoff?: (attempt: number, retryAfterSecs?: number) => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

const defaultBackoff = (attempt: number, retryAfterSecs?: number) =>
  backoffDelay(attempt - 1, retryAfterSecs, Math.random, { max: 15_000 });

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}

/**
 * Follows an event stream until `signal` aborts: reconnects with `Last-Event-ID` when the server
 * ends the stream (its time limit) or the network drops, so no event is missed.
 */
export async function follow(url: string, options: FollowOptions): Promise<void> {
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const backoff = options.backoff ?? defaultBackoff;
  const sleep = options.sleep ?? abortableSleep;
  let lastEventId = options.lastEventId ?? null;
  let attempt = 0;
  let retryAfter: number | undefined;
  while (!options.signal.aborted) {
    const headers: Record<string, string> = { Accept: "text/event-stream" };
    if (lastEventId) headers["Last-Event-ID"] = lastEventId;
    try {
      const response = await doFetch(url, {
        headers,
        credentials: "same-origin",
        cache: "no-store",
        signal: options.signal,
      });
      if (response.status === 401) {
        options.onStatus?.(false);
        options.onUnauthorized?.();
        return;
      }
      if (!response.ok) {
        const error = await decodeError(response);
        // Rate-limited, overloaded or a gateway's hiccup: try again later (after `Retry-After`);
        // anything else will not get better.
        if (![429, 502, 503, 504].includes(response.status)) {
          options.onStatus?.(false);
          options.onError?.(error);
          return;
        }
        retryAfter = error.retryAfter;
        throw error;
      }
      if (!response.body) throw new ApiError(0, "network", "no stream");
      options.onStatus?.(true);
      attempt = 0;
      const parser = new SseParser();
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        for (const event of parser.push(decoder.decode(value, { stream: true }))) {
          if (event.id !== undefined) lastEventId = event.id;
          options.onEvent(event);
        }
      }
    } catch {
      // The network dropped or the server was busy: reconnect below.
      if (options.signal.aborted) break;
    }
    options.onStatus?.(false);
    if (options.signal.aborted) break;
    attempt += 1;
    await sleep(backoff(attempt, retryAfter), options.signal);
    retryAfter = undefined;
  }
}
