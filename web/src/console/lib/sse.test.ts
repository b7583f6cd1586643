import { describe, expect, it, vi } from "vitest";
import { follow } from "./sse";

function streamOf(text: string, keepOpen: boolean, signal?: AbortSignal): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(text));
      if (!keepOpen) controller.close();
      signal?.addEventListener("abort", () => controller.error(new DOMException("aborted", "AbortError")));
    },
  });
}

describe("follow", () => {
  it("reconnects with Last-Event-ID when the stream ends, and stops when aborted", async () => {
    const controller = new AbortController();
    const seen: string[] = [];
    const lastIds: (string | undefined)[] = [];
    let n = 0;
    const fetch = vi.fn(async (_url: RequestInfo | URL, init?: RequestInit) => {
      lastIds.push((init?.headers as Record<string, string>)["Last-Event-ID"]);
      n += 1;
      if (n === 1) return new Response(streamOf("event: turn\nid: 5\ndata: a\n\n", false), { status: 200 });
      return new Response(streamOf("event: turn\nid: 6\ndata: b\n\n", true, init?.signal ?? undefined), { status: 200 });
    });
    const done = follow("/v1/conversations/c/events", {
      lastEventId: "4",
      signal: controller.signal,
      fetch: fetch as unknown as typeof globalThis.fetch,
      backoff: () => 0,
      onEvent: (e) => {
        seen.push(e.data);
        if (e.data === "b") controller.abort();
      },
    });
    await done;
    expect(seen).toEqual(["a", "b"]);
    expect(lastIds).toEqual(["4", "5"]);
  });

  it("gives up on a 404 and reports it, and calls onUnauthorized on a 401", async () => {
    const onError = vi.fn();
    await follow("/x", {
      signal: new AbortController().signal,
      fetch: (async () => new Response(JSON.stringify({ error: { code: "conversation_not_found", message: "gone" } }), { status: 404 })) as unknown as typeof globalThis.fetch,
      onEvent: () => {},
      onError,
    });
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ code: "conversation_not_found" }));

    const onUnauthorized = vi.fn();
    await follow("/x", {
      signal: new AbortController().signal,
      fetch: (async () => new Response("", { status: 401 })) as unknown as typeof globalThis.fetch,
      onEvent: () => {},
      onUnauthorized,
    });
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });

  it("retries after a network failure", async () => {
    const controller = new AbortController();
    let n = 0;
    const fetch = async () => {
      n += 1;
      if (n === 1) throw new TypeError("network down");
      controller.abort();
      return new Response(streamOf("", false), { status: 200 });
    };
    await follow("/x", { signal: controller.signal, fetch: fetch as unknown as typeof globalThis.fetch, backoff: () => 0, onEvent: () => {} });
    expect(n).toBe(2);
  });
});
