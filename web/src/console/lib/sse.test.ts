// The console's side of following (the cookie, Last-Event-ID, which errors stop it, the live
// status); the reconnecting itself is tested with the shared follower.
import { describe, expect, it, vi } from "vitest";
import { follow, isFatal } from "./sse";
import { ApiError } from "./api";

function streamOf(text: string, keepOpen: boolean, signal?: AbortSignal): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(text));
      if (!keepOpen) controller.close();
      signal?.addEventListener("abort", () => controller.error(new DOMException("aborted", "AbortError")));
    },
  });
}

const asFetch = (f: (url: RequestInfo | URL, init?: RequestInit) => Promise<Response>) => f as unknown as typeof globalThis.fetch;

describe("follow", () => {
  it("sends the cookie and Last-Event-ID, reconnects when the stream ends, and says when it is live", async () => {
    const controller = new AbortController();
    const seen: string[] = [];
    const status: boolean[] = [];
    const inits: RequestInit[] = [];
    const fetch = vi.fn(async (_url: RequestInfo | URL, init?: RequestInit) => {
      inits.push(init ?? {});
      if (inits.length === 1) return new Response(streamOf("event: turn\nid: 5\ndata: a\n\n", false), { status: 200 });
      return new Response(streamOf("event: turn\nid: 6\ndata: b\n\n", true, init?.signal ?? undefined), { status: 200 });
    });
    await follow("/v1/conversations/c/events", {
      lastEventId: "4",
      signal: controller.signal,
      fetch: asFetch(fetch),
      sleep: async () => {},
      onStatus: (live) => status.push(live),
      onEvent: (e) => {
        seen.push(e.data);
        if (e.data === "b") controller.abort();
      },
    });
    expect(seen).toEqual(["a", "b"]);
    expect(fetch.mock.calls.map(([url]) => url)).toEqual(["/v1/conversations/c/events", "/v1/conversations/c/events"]);
    expect(inits.map((i) => (i.headers as Record<string, string>)["Last-Event-ID"])).toEqual(["4", "5"]);
    expect(inits.map((i) => [i.credentials, i.cache, (i.headers as Record<string, string>).Accept])).toEqual([
      ["same-origin", "no-store", "text/event-stream"],
      ["same-origin", "no-store", "text/event-stream"],
    ]);
    expect(status).toEqual([true, false, true]);
  });

  it("gives up on a 404 and reports it, and calls onUnauthorized on a 401", async () => {
    const onError = vi.fn();
    const status: boolean[] = [];
    await follow("/x", {
      signal: new AbortController().signal,
      fetch: asFetch(async () => new Response(JSON.stringify({ error: { code: "conversation_not_found", message: "gone" } }), { status: 404 })),
      onEvent: () => {},
      onStatus: (live) => status.push(live),
      onError,
    });
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ code: "conversation_not_found" }));
    expect(status).toEqual([false]);

    const onUnauthorized = vi.fn();
    const onError401 = vi.fn();
    await follow("/x", {
      signal: new AbortController().signal,
      fetch: asFetch(async () => new Response("", { status: 401 })),
      onEvent: () => {},
      onUnauthorized,
      onError: onError401,
    });
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
    expect(onError401).not.toHaveBeenCalled();
  });

  it("retries after a network failure and a busy server, waiting Retry-After", async () => {
    const controller = new AbortController();
    const delays: number[] = [];
    let n = 0;
    const fetch = async () => {
      n += 1;
      if (n === 1) throw new TypeError("network down");
      if (n === 2) return new Response("", { status: 503, headers: { "Retry-After": "20" } });
      controller.abort();
      return new Response(streamOf("", false), { status: 200 });
    };
    await follow("/x", {
      signal: controller.signal,
      fetch: asFetch(fetch),
      random: () => 0,
      sleep: async (ms) => void delays.push(ms),
      onEvent: () => {},
    });
    expect(n).toBe(3);
    expect(delays).toEqual([500, 20_000]);
  });
});

describe("isFatal", () => {
  it("retries only a busy server or a dropped connection", () => {
    const fatal = (status: number) => isFatal(new ApiError(status, "x", ""));
    expect([0, 429, 502, 503, 504].map(fatal)).toEqual([false, false, false, false, false]);
    expect([400, 401, 403, 404, 500].map(fatal)).toEqual([true, true, true, true, true]);
  });
});
