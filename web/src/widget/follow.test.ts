import { describe, expect, it } from "vitest";
import { ApiError } from "../shared/http";
import type { Turn } from "../shared/types";
import { follow } from "./follow";
import { liveSse, settle, sse } from "./test-server";

const turn = (seq: number): Turn => ({
  seq,
  role: "agent",
  actor: "alice",
  text: `reply ${seq}`,
  citations: null,
  abstained: null,
  handoff_reason: null,
  language: "en",
  created_at_ms: 0,
});

describe("follow", () => {
  it("resumes after the last turn when the stream drops, with backoff", async () => {
    const controller = new AbortController();
    const afters: number[] = [];
    const delays: number[] = [];
    const got: number[] = [];
    let last = 3;
    const first = liveSse();
    const responses = [first.response, sse([{ event: "turn", id: 6, data: turn(6) }])];
    const done = follow({
      connect: async (after) => {
        afters.push(after);
        const next = responses.shift();
        if (!next) {
          controller.abort();
          throw new DOMException("aborted", "AbortError");
        }
        return next;
      },
      lastSeq: () => last,
      onTurn: (t) => {
        got.push(t.seq);
        last = t.seq;
      },
      signal: controller.signal,
      random: () => 0,
      sleep: async (ms) => void delays.push(ms),
    });
    first.push({ event: "turn", id: 4, data: turn(4) });
    first.push({ event: "delta", data: { text: "ignored" } });
    first.push({ event: "turn", id: 5, data: turn(5) });
    await settle();
    first.fail();
    await done;
    expect(got).toEqual([4, 5, 6]);
    expect(afters).toEqual([3, 5, 6]);
    expect(delays).toEqual([500, 500]);
  });

  it("waits longer after each failed connection, at least Retry-After", async () => {
    const controller = new AbortController();
    const delays: number[] = [];
    const failures = [
      new ApiError(0, "network", ""),
      new ApiError(503, "overloaded", "", 5),
      new ApiError(0, "network", ""),
    ];
    await follow({
      connect: async () => {
        const failure = failures.shift();
        if (failure) throw failure;
        controller.abort();
        throw new DOMException("aborted", "AbortError");
      },
      lastSeq: () => 0,
      onTurn: () => {},
      signal: controller.signal,
      random: () => 0,
      sleep: async (ms) => void delays.push(ms),
    });
    expect(delays).toEqual([500, 5000, 2000]);
  });

  it("stops for good when the conversation is gone", async () => {
    const fatal: string[] = [];
    let connects = 0;
    await follow({
      connect: async () => {
        connects++;
        throw new ApiError(404, "conversation_not_found", "");
      },
      lastSeq: () => 0,
      onTurn: () => {},
      onFatal: (e) => fatal.push(e.code),
      signal: new AbortController().signal,
      sleep: async () => {},
    });
    expect([connects, fatal]).toEqual([1, ["conversation_not_found"]]);
  });
});
