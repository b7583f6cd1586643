// The widget's side of following (turns, its resume point, its fatal errors); the reconnecting
// itself is tested with the shared follower.
import { describe, expect, it } from "vitest";
import { ApiError } from "../shared/http";
import type { Turn } from "../shared/types";
import { follow, isFatal } from "./follow";
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
  it("passes on the turns and resumes after the widget's last turn", async () => {
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
    first.push({ event: "turn", data: { text: "not a turn" } });
    first.push({ event: "turn", id: 5, data: turn(5) });
    await settle();
    // A turn from elsewhere (the transcript read again): the stream resumes after it.
    last = 9;
    first.fail();
    await done;
    expect(got).toEqual([4, 5, 6]);
    expect(afters).toEqual([3, 9, 6]);
    expect(delays).toEqual([500, 500]);
  });

  it("stops for good when the conversation is gone, and retries a busy server", async () => {
    const fatal: string[] = [];
    const failures = [new ApiError(503, "overloaded", ""), new ApiError(404, "conversation_not_found", "")];
    let connects = 0;
    await follow({
      connect: async () => {
        connects++;
        throw failures.shift();
      },
      lastSeq: () => 0,
      onTurn: () => {},
      onFatal: (e) => fatal.push(e.code),
      signal: new AbortController().signal,
      sleep: async () => {},
    });
    expect([connects, fatal]).toEqual([2, ["conversation_not_found"]]);
  });
});

describe("isFatal", () => {
  it("gives up on a revoked key, a forbidden or gone conversation, and no session", () => {
    const fatal = (status: number, code = "x") => isFatal(new ApiError(status, code, ""));
    expect([401, 403, 404].map((s) => fatal(s))).toEqual([true, true, true]);
    expect(fatal(0, "no_session")).toBe(true);
    expect([0, 429, 500, 503].map((s) => fatal(s))).toEqual([false, false, false, false]);
  });
});
