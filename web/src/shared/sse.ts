// Server-Sent Events over fetch: EventSource cannot send `Authorization`, so the widget and the
// console read `text/event-stream` bodies themselves. The parser follows the WHATWG rules
// (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation)
// and takes text split anywhere, even between the CR and LF of one line break.

export interface SseEvent {
  /** The `event:` field; `message` when absent. */
  event: string;
  /** The `data:` lines joined with "\n". */
  data: string;
  /** The `id:` field of this event, when it had one. */
  id?: string;
}

export class SseParser {
  /** The last `id:` seen (it persists across events, as in EventSource). */
  lastEventId = "";
  /** The last `retry:` the server asked for, in milliseconds. */
  retry?: number;
  private buffer = "";
  private started = false;
  /** The previous chunk ended with CR: a LF starting the next one is the same line break. */
  private pendingCr = false;
  private data: string[] = [];
  private event = "";
  private id?: string;

  /** Takes the next piece of the stream; returns the events it completes. */
  push(chunk: string): SseEvent[] {
    if (!this.started && chunk.length > 0) {
      this.started = true;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    if (this.pendingCr && chunk.startsWith("\n")) chunk = chunk.slice(1);
    this.pendingCr = false;
    this.buffer += chunk;
    const events: SseEvent[] = [];
    let start = 0;
    for (;;) {
      const cr = this.buffer.indexOf("\r", start);
      const lf = this.buffer.indexOf("\n", start);
      let end: number;
      if (cr < 0 && lf < 0) break;
      if (cr < 0 || (lf >= 0 && lf < cr)) end = lf;
      else end = cr;
      const line = this.buffer.slice(start, end);
      let next = end + 1;
      if (this.buffer[end] === "\r") {
        if (end + 1 === this.buffer.length) this.pendingCr = true;
        else if (this.buffer[end + 1] === "\n") next = end + 2;
      }
      start = next;
      const event = this.line(line);
      if (event) events.push(event);
    }
    this.buffer = this.buffer.slice(start);
    return events;
  }

  private line(line: string): SseEvent | undefined {
    if (line === "") return this.dispatch();
    if (line.startsWith(":")) return undefined; // a comment: keep-alives
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    switch (field) {
      case "event":
        this.event = value;
        break;
      case "data":
        this.data.push(value);
        break;
      case "id":
        if (!value.includes("\0")) {
          this.id = value;
          this.lastEventId = value;
        }
        break;
      case "retry":
        if (/^\d+$/.test(value)) this.retry = Number(value);
        break;
    }
    return undefined;
  }

  private dispatch(): SseEvent | undefined {
    const { data, event, id } = this;
    this.data = [];
    this.event = "";
    this.id = undefined;
    if (data.length === 0) return undefined;
    const out: SseEvent = { event: event || "message", data: data.join("\n") };
    if (id !== undefined) out.id = id;
    return out;
  }
}

/**
 * Reads an event-stream body to its end, calling `onEvent` for each event. Resolves when the
 * server ends the stream; rejects when the connection fails or `signal` aborts.
 */
export async function readSse(
  body: ReadableStream<Uint8Array>,
  onEvent: (event: SseEvent) => void,
  signal?: AbortSignal,
): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser();
  const cancel = () => void reader.cancel().catch(() => {});
  signal?.addEventListener("abort", cancel);
  try {
    for (;;) {
      if (signal?.aborted) throw signal.reason ?? new DOMException("aborted", "AbortError");
      const { done, value } = await reader.read();
      if (done) break;
      for (const event of parser.push(decoder.decode(value, { stream: true }))) onEvent(event);
    }
    // An unterminated last event is dropped, as EventSource does.
    parser.push(decoder.decode());
  } catch (e) {
    // A handler gave up on the stream (or it failed): release the connection.
    cancel();
    throw e;
  } finally {
    signal?.removeEventListener("abort", cancel);
  }
  if (signal?.aborted) throw signal.reason ?? new DOMException("aborted", "AbortError");
}
