// A scripted kefu server for the widget's tests: a `fetch` that answers by route and records
// every request. Not part of the widget's build (only tests import it).

export interface Recorded {
  method: string;
  path: string;
  headers: Headers;
  body: unknown;
}

type Handler = (request: Recorded) => Response | Promise<Response>;

export class FakeServer {
  requests: Recorded[] = [];
  private routes = new Map<string, Handler>();

  on(route: string, handler: Handler): this {
    this.routes.set(route, handler);
    return this;
  }

  fetch: typeof fetch = async (input, init = {}) => {
    const url = new URL(String(input));
    const method = init.method ?? "GET";
    const text = typeof init.body === "string" ? init.body : undefined;
    const request: Recorded = { method, path: url.pathname, headers: new Headers(init.headers), body: text ? JSON.parse(text) : undefined };
    this.requests.push(request);
    const handler = this.routes.get(`${method} ${url.pathname}`);
    if (!handler) return json({ error: { code: "not_found", message: url.pathname } }, 404);
    if (init.signal?.aborted) throw new DOMException("aborted", "AbortError");
    return handler(request);
  };

  sent(route: string): Recorded[] {
    return this.requests.filter((r) => `${r.method} ${r.path}` === route);
  }
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });
}

export interface SseItem {
  event: string;
  data: unknown;
  id?: string | number;
}

export function sseText(items: SseItem[]): string {
  return items
    .map((e) => `${e.id !== undefined ? `id: ${e.id}\n` : ""}event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`)
    .join("");
}

/** A finished event stream. */
export function sse(items: SseItem[]): Response {
  return new Response(sseText(items), { headers: { "Content-Type": "text/event-stream" } });
}

/** An event stream that stays open: the test pushes events and ends it. */
export function liveSse() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
  });
  const encoder = new TextEncoder();
  return {
    response: new Response(body, { headers: { "Content-Type": "text/event-stream" } }),
    push(item: SseItem) {
      controller.enqueue(encoder.encode(sseText([item])));
    },
    end() {
      controller.close();
    },
    fail() {
      controller.error(new TypeError("network error"));
    },
  };
}

export function memorySlot<T>(initial: T | null = null) {
  let value = initial;
  return {
    load: () => value,
    save: (next: T | null) => {
      value = next;
    },
  };
}

/** Lets pending promises and stream reads run. */
export async function settle(rounds = 20) {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setTimeout(r, 0));
}
