import { describe, expect, it } from "vitest";
import { readSse, SseParser, type SseEvent } from "./sse";

function parseAll(chunks: string[]): SseEvent[] {
  const parser = new SseParser();
  return chunks.flatMap((c) => parser.push(c));
}

const STREAM = 'event: delta\ndata: {"text":"Hi"}\n\nevent: done\nid: 7\ndata: {"a":1}\n\n';

describe("SseParser", () => {
  it("reads events, types and ids", () => {
    expect(parseAll([STREAM])).toEqual([
      { event: "delta", data: '{"text":"Hi"}' },
      { event: "done", data: '{"a":1}', id: "7" },
    ]);
  });

  it("gives the same events however the stream is split", () => {
    const whole = parseAll([STREAM]);
    for (let i = 0; i <= STREAM.length; i++) {
      expect(parseAll([STREAM.slice(0, i), STREAM.slice(i)])).toEqual(whole);
    }
    expect(parseAll([...STREAM])).toEqual(whole);
  });

  it("takes CRLF and CR line breaks, even with CR and LF in different chunks", () => {
    const crlf = STREAM.replace(/\n/g, "\r\n");
    expect(parseAll([crlf])).toEqual(parseAll([STREAM]));
    for (let i = 0; i <= crlf.length; i++) {
      expect(parseAll([crlf.slice(0, i), crlf.slice(i)])).toEqual(parseAll([STREAM]));
    }
    expect(parseAll([STREAM.replace(/\n/g, "\r")])).toEqual(parseAll([STREAM]));
  });

  it("joins multi-line data with newlines", () => {
    expect(parseAll(["data: one\ndata: two\ndata:\ndata:  three\n\n"])).toEqual([
      { event: "message", data: "one\ntwo\n\n three" },
    ]);
  });

  it("skips comments and keep-alives, and blocks without data", () => {
    expect(parseAll([":\n\n: keep-alive\n\nevent: ping\n\nid: 3\n\ndata: x\n\n"])).toEqual([{ event: "message", data: "x" }]);
  });

  it("keeps the last id across events, as EventSource does", () => {
    const parser = new SseParser();
    parser.push("id: 4\nevent: turn\ndata: {}\n\nevent: delta\ndata: {}\n\n");
    expect(parser.lastEventId).toBe("4");
  });

  it("reads field names without a colon, a retry, and ignores ids with NUL", () => {
    const parser = new SseParser();
    expect(parser.push("retry: 3000\nid: a\0b\ndata\n\n")).toEqual([{ event: "message", data: "" }]);
    expect(parser.retry).toBe(3000);
    expect(parser.lastEventId).toBe("");
  });

  it("drops a byte order mark at the start", () => {
    expect(parseAll(["\ufeffdata: x\n\n"])).toEqual([{ event: "message", data: "x" }]);
  });

  it("holds an unfinished event until its blank line", () => {
    const parser = new SseParser();
    expect(parser.push("data: 运费")).toEqual([]);
    expect(parser.push("多少\n")).toEqual([]);
    expect(parser.push("\n")).toEqual([{ event: "message", data: "运费多少" }]);
  });
});

function body(parts: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const part of parts) controller.enqueue(part);
      controller.close();
    },
  });
}

describe("readSse", () => {
  it("decodes UTF-8 split inside a character", async () => {
    const bytes = new TextEncoder().encode('event: delta\ndata: {"text":"退货😀"}\n\n');
    const events: SseEvent[] = [];
    // Cut in the middle of 退 (3 bytes) and of the emoji (4 bytes).
    await readSse(body([bytes.slice(0, 27), bytes.slice(27, 29), bytes.slice(29, 33), bytes.slice(33)]), (e) => events.push(e));
    expect(events).toEqual([{ event: "delta", data: '{"text":"退货😀"}' }]);
  });

  it("stops when the signal aborts", async () => {
    const controller = new AbortController();
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode("data: 1\n\n"));
      },
    });
    const events: SseEvent[] = [];
    const reading = readSse(stream, (e) => {
      events.push(e);
      controller.abort();
    }, controller.signal);
    await expect(reading).rejects.toBeTruthy();
    expect(events).toHaveLength(1);
  });

  it("passes a handler's exception on", async () => {
    const bytes = new TextEncoder().encode("data: 1\n\ndata: 2\n\n");
    await expect(
      readSse(body([bytes]), () => {
        throw new Error("stop");
      }),
    ).rejects.toThrow("stop");
  });
});
