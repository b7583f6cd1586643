// Errors of kefu's API as one type: every error body is `{"error": {"code", "message"}}`, and
// a client decides what to do from the status, the code and `Retry-After`.

export class ApiError extends Error {
  constructor(
    /** The HTTP status; 0 when no response came (network failure, a stream cut short). */
    readonly status: number,
    /** The API's stable code (`session_expired`, `rate_limited`…), or `network`. */
    readonly code: string,
    message: string,
    /** Seconds to wait, from `Retry-After`. */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** The `ApiError` a non-2xx response stands for (its JSON body when it has one). */
export async function errorOf(response: Response): Promise<ApiError> {
  let code = `http_${response.status}`;
  let message = response.statusText || code;
  try {
    const body = await response.json();
    if (body && typeof body.error?.code === "string") {
      code = body.error.code;
      message = String(body.error.message ?? code);
    }
  } catch {
    // Not JSON (a proxy's error page): the status says enough.
  }
  return new ApiError(response.status, code, message, retryAfterOf(response.headers.get("Retry-After")));
}

/** `Retry-After` in seconds: a number of seconds or an HTTP date; `undefined` when absent or bad. */
export function retryAfterOf(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

/** What a failed `fetch` threw stands for: an abort as it is (no failure to show), anything else a network `ApiError`. */
export function networkError(error: unknown): unknown {
  if (isAbort(error)) return error;
  return new ApiError(0, "network", error instanceof Error ? error.message : String(error));
}

/** Whether `error` is an abort (the caller went away), which is no failure to show. */
export function isAbort(error: unknown): boolean {
  return error instanceof DOMException ? error.name === "AbortError" : (error as Error)?.name === "AbortError";
}
