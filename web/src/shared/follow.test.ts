import { describe, expect, it } from "vitest";
import { follow, wait, type FollowOptions } from "./follow";
import { ApiError } from "./http";

const encoder = new TextEncoder();

/** A finished event stream of `text`. */
const ended = (text: string) => new Response(text, { headers: { "Content-Type": "text/event-stream" } });

/** An event stream that stays open: the test pushes text, then ends or cuts it. */
function open() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
  return {
    response: new Response(body, { headers: { "Content-Type": "text/event-stream" } }),
    push: (text: string) => controller.enqueue(encoder.encode(text)),
    end: () => controller.close(),
    fail: () => controller.error(new TypeError("network error")),
  };
}

/** Lets pending promises and stream reads run. */
async function settle(rounds = 10) {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setTimeout(r, 0));
}

/**
 * Follows with scripted connections (each a response, an error to throw, or a function of the
 * resume id); aborts when the script runs out. Records the resume ids, the events' data, the
 * delays and the live status.
 */
function scripted(
  script: (Response | Error | (() => Response))[],
  extra: Partial<FollowOptions> = {},
) {
  const controller = new AbortController();
  const ids: (string | null)[] = [];
  const data: string[] = [];
  const delays: number[] = [];
  const status: boolean[] = [];
  const done = follow({
    connect: async (lastEventId, signal) => {
      ids.push(lastEventId);
      const next = script.shift();
      if (!next) {
        controller.abort();
        throw signal.reason;
      }
      if (next instanceof Error) throw next;
      return typeof next === "function" ? next() : next;
    },
    onEvent: (e) => data.push(e.data),
    onStatus: (live) => status.push(live),
    signal: controller.signal,
    random: () => 0,
    sleep: async (ms) => void delays.push(ms),
    ...extra,
  });
  return { controller, ids, data, delays, status, done };
}

describe("follow", () => {
  it("reconnects after a dropped connection, resuming after the last id", async () => {
    const first = open();
    const run = scripted([first.response, ended("id: 7\ndata: c\n\n")], { lastEventId: "4" });
    first.push("id: 5\ndata: a\n\n");
    first.push("event: delta\ndata: b\n\n"); // no id: the resume id stays 5
    await settle();
    first.fail();
    await run.done;
    expect(run.data).toEqual(["a", "b", "c"]);
    expect(run.ids).toEqual(["4", "5", "7"]);
    expect(run.status).toEqual([true, false, true, false]);
    // The attempt count starts again after each connection that opened.
    expect(run.delays).toEqual([500, 500]);
  });

  it("reconnects when the server ends the stream", async () => {
    const run = scripted([ended("id: 1\ndata: a\n\n"), ended("id: 2\ndata: b\n\n")]);
    await run.done;
    expect(run.ids).toEqual([null, "1", "2"]);
    expect(run.data).toEqual(["a", "b"]);
  });

  it("backs off after each failed connection, at least Retry-After, capped as asked", async () => {
    const run = scripted(
      [
        new TypeError("Failed to fetch"),
        new ApiError(503, "overloaded", "", 5),
        new Response(JSON.stringify({ error: { code: "rate_limited", message: "" } }), {
          status: 429,
          headers: { "Retry-After": "7" },
        }),
        new ApiError(0, "network", ""),
        () => new Response(null), // no stream
        new ApiError(0, "network", ""),
      ],
      { isFatal: (e) => e.status !== 0 && e.status !== 429 && e.status !== 503, backoff: { max: 10_000 } },
    );
    await run.done;
    expect(run.delays).toEqual([500, 5000, 7000, 4000, 5000, 5000]);
    expect(run.status).toEqual([false, false, false, false, false, false]);
  });

  it("stops for good on a fatal error and reports it, a thrown one or a response", async () => {
    for (const failure of [
      new ApiError(404, "conversation_not_found", ""),
      new Response(JSON.stringify({ error: { code: "conversation_not_found", message: "gone" } }), { status: 404 }),
    ]) {
      const fatal: ApiError[] = [];
      const run = scripted([failure], { isFatal: (e) => e.status === 404, onFatal: (e) => fatal.push(e) });
      await run.done;
      expect(run.ids).toHaveLength(1);
      expect(run.controller.signal.aborted).toBe(false);
      expect(fatal.map((e) => [e.status, e.code])).toEqual([[404, "conversation_not_found"]]);
      expect(run.status).toEqual([false]);
    }
  });

  it("retries every error when no policy says otherwise", async () => {
    const run = scripted([new Response("", { status: 404 }), new ApiError(401, "unauthorized", "")]);
    await run.done;
    expect(run.ids).toHaveLength(3);
  });

  it("stops when the signal aborts, while reading or while waiting", async () => {
    const stream = open();
    const reading = scripted([stream.response, ended("")]);
    await settle();
    reading.controller.abort();
    await reading.done;
    expect(reading.ids).toHaveLength(1);
    expect(reading.status).toEqual([true]);

    const controller = new AbortController();
    let connects = 0;
    const done = follow({
      connect: async () => {
        connects++;
        throw new TypeError("Failed to fetch");
      },
      onEvent: () => {},
      signal: controller.signal,
    });
    await settle(2);
    controller.abort();
    await done; // the default sleep gives up at once
    expect(connects).toBe(1);
  });
});

describe("wait", () => {
  it("resolves after the delay, or rejects when aborted", async () => {
    await expect(wait(1, new AbortController().signal)).resolves.toBeUndefined();
    const controller = new AbortController();
    const waiting = wait(60_000, controller.signal);
    controller.abort();
    await expect(waiting).rejects.toBeTruthy();
    await expect(wait(1, controller.signal)).rejects.toBeTruthy();
  });
});
