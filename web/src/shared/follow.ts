// Following an event stream over fetch (EventSource cannot send `Authorization`), for the widget
// and the console alike: reconnected with backoff after a drop or after the server ends the
// stream, resuming after the last event received (`Last-Event-ID`), so nothing is missed.
// How to connect, what the events mean and which errors no reconnection fixes are the caller's.

import { backoffDelay, type BackoffOptions } from "./backoff";
import { ApiError, errorOf, isAbort } from "./http";
import { readSse, type SseEvent } from "./sse";

export type { SseEvent };

export interface FollowOptions {
  /**
   * Opens the stream after `lastEventId` (null: from the start). A non-2xx response counts as
   * its `ApiError`; an `ApiError` thrown is judged by `isFatal`; anything else thrown (the
   * network) is retried.
   */
  connect: (lastEventId: string | null, signal: AbortSignal) => Promise<Response>;
  /** Where to resume at first; then the last `id:` received. */
  lastEventId?: string | null;
  onEvent: (event: SseEvent) => void;
  /** Whether the stream is connected (for a "live" indicator): true once open, false when it ends or fails. */
  onStatus?: (live: boolean) => void;
  /** An error after which reconnecting cannot help (default: none, every error is retried). */
  isFatal?: (error: ApiError) => boolean;
  /** Called with that error; following stops. */
  onFatal?: (error: ApiError) => void;
  /** Following stops when it aborts. */
  signal: AbortSignal;
  /** The delays between connections (`backoffDelay`'s base and cap). */
  backoff?: BackoffOptions;
  random?: () => number;
  /** Resolves after `ms`; may reject (or resolve early) when `signal` aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** Follows the stream until `signal` aborts or a fatal error. */
export async function follow(options: FollowOptions): Promise<void> {
  const { connect, onEvent, onStatus, isFatal, onFatal, signal, backoff, random = Math.random, sleep = wait } = options;
  let lastEventId = options.lastEventId ?? null;
  let attempt = 0;
  while (!signal.aborted) {
    let retryAfter: number | undefined;
    try {
      const response = await connect(lastEventId, signal);
      if (!response.ok) throw await errorOf(response);
      if (!response.body) throw new ApiError(0, "network", "no stream");
      onStatus?.(true);
      attempt = 0;
      await readSse(
        response.body,
        (event) => {
          if (event.id !== undefined) lastEventId = event.id;
          onEvent(event);
        },
        signal,
      );
      // The server ends a stream after `server.event_stream_secs`: come back (after the pause
      // below, so that a server that ends every stream at once is not hammered).
    } catch (e) {
      if (signal.aborted || isAbort(e)) return;
      if (e instanceof ApiError) {
        if (isFatal?.(e)) {
          onStatus?.(false);
          onFatal?.(e);
          return;
        }
        retryAfter = e.retryAfter;
      }
    }
    onStatus?.(false);
    try {
      await sleep(backoffDelay(attempt++, retryAfter, random, backoff), signal);
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
