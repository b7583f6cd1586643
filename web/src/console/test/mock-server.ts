// An in-memory stand-in for `kefu serve`'s console routes, behind a `fetch` function: the unit
// tests drive the pages through it, and it can back a dev server for a look at the console.
// It follows the contract the console codes against: the session cookie (here, a flag), the
// CSRF header on changes, 401 when signed out, 403 for admin routes with an agent session.
import type { Scope, Session, Ticket, Turn } from "../lib/types";
import {
  ADMIN_SESSION,
  AGENT_SESSION,
  ANSWER_VERSIONS,
  CONVERSATIONS,
  DOCUMENT,
  INDEX,
  INSIGHTS,
  NOW,
  SEARCH,
  TICKETS,
  conversation,
} from "./fixtures";
import type { Conversation, CuratedVersion, SearchMode } from "../lib/types";

export interface Call {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

export interface MockOptions {
  /** Signed in from the start (a cookie from before). */
  session?: Session | null;
  /** Keys that sign in, and their scope; `query-key` gets 403. */
  keys?: Record<string, Scope>;
  /** Milliseconds before each answer (to see loading states). */
  delay?: number;
}

const ADMIN_PREFIXES = ["/v1/admin/", "/v1/users/"];

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

function error(status: number, code: string, message: string): Response {
  return json(status, { error: { code, message } });
}

export function mockServer(options: MockOptions = {}) {
  const keys = options.keys ?? { "admin-key-0123456789": "admin", "agent-key-0123456789": "agent" };
  let session: Session | null = options.session === undefined ? null : options.session;
  let tickets: Ticket[] = TICKETS.map((t) => ({ ...t }));
  const conversations = new Map<string, Conversation>();
  for (const id of ["c-1", "c-2", "c-3", "c-4", "c-9"]) conversations.set(id, conversation(id));
  let versions: CuratedVersion[] = ANSWER_VERSIONS.map((v) => ({ ...v }));
  let summaries = CONVERSATIONS.map((c) => ({ ...c }));
  const streams = new Map<string, Set<ReadableStreamDefaultController<Uint8Array>>>();
  const calls: Call[] = [];
  const encoder = new TextEncoder();

  function push(conversationId: string, turn: Turn) {
    const c = conversations.get(conversationId);
    if (c) c.turns = [...c.turns.filter((t) => t.seq !== turn.seq), turn].sort((a, b) => a.seq - b.seq);
    for (const controller of streams.get(conversationId) ?? []) {
      controller.enqueue(encoder.encode(`event: turn\nid: ${turn.seq}\ndata: ${JSON.stringify(turn)}\n\n`));
    }
  }

  function addTurn(conversationId: string, partial: Partial<Turn> & { role: string; text: string }): Turn {
    const c = conversations.get(conversationId)!;
    const seq = Math.max(0, ...c.turns.map((t) => t.seq)) + 1;
    const turn: Turn = {
      seq,
      actor: null,
      citations: null,
      confidence: null,
      abstained: null,
      handoff_reason: null,
      language: "en",
      created_at_ms: Date.now(),
      ...partial,
    };
    push(conversationId, turn);
    return turn;
  }

  function latest(id: string): CuratedVersion | undefined {
    const all = versions.filter((v) => v.id === id);
    return all[all.length - 1];
  }

  function live() {
    const ids = [...new Set(versions.map((v) => v.id))];
    return ids.map((id) => latest(id)!).filter((v) => !v.removed).map(({ removed: _, ...a }) => a);
  }

  async function route(method: string, url: URL, headers: Record<string, string>, body: any, signal?: AbortSignal): Promise<Response> {
    const path = url.pathname;
    if (path === "/console/api/session") {
      if (method === "GET") return session ? json(200, session) : error(401, "unauthorized", "sign in");
      if (method === "POST") {
        const scope = keys[body?.key];
        if (body?.key === "query-key-0123456789") return error(403, "forbidden", "a query key cannot sign in to the console");
        if (!scope) return error(401, "unauthorized", "unknown API key");
        session = { ...(scope === "admin" ? ADMIN_SESSION : AGENT_SESSION), agent: body.agent };
        return json(200, session);
      }
      if (method === "DELETE") {
        session = null;
        return json(200, {});
      }
    }
    if (!session) return error(401, "unauthorized", "sign in");
    if (method !== "GET" && headers["x-csrf-token"] !== session.csrf) return error(403, "forbidden", "missing CSRF token");
    if (session.scope !== "admin" && ADMIN_PREFIXES.some((p) => path.startsWith(p))) {
      return error(403, "forbidden", "this route needs the admin scope");
    }
    let m: RegExpMatchArray | null;

    if (path === "/v1/tickets" && method === "GET") {
      const state = url.searchParams.get("state") ?? "open";
      return json(200, { tickets: tickets.filter((t) => state === "all" || t.state === state) });
    }
    if ((m = path.match(/^\/v1\/tickets\/([^/]+)(?:\/(assign|reply|resolve))?$/))) {
      const id = decodeURIComponent(m[1]);
      const ticket = tickets.find((t) => t.id === id);
      if (!ticket) return error(404, "ticket_not_found", `no ticket \`${id}\``);
      const view = () => ({ ticket, conversation: conversations.get(ticket.conversation_id) });
      if (!m[2] && method === "GET") return json(200, view());
      if (method !== "POST") return error(405, "method_not_allowed", "method not allowed");
      if (ticket.state === "resolved" || ticket.state === "expired") {
        return error(409, "ticket_state_conflict", `the ticket is ${ticket.state}`);
      }
      if (m[2] === "reply" && (typeof body?.text !== "string" || !body.text.trim())) {
        return error(400, "invalid_reply_text", "`text` must not be empty");
      }
      const now = Date.now();
      if (m[2] === "assign" || (m[2] === "reply" && ticket.state === "open")) {
        Object.assign(ticket, { state: "assigned", assignee: body.agent, assigned_at_ms: now, updated_at_ms: now });
        addTurn(ticket.conversation_id, { role: "system", text: "ticket_assigned", actor: body.agent, ticket_id: ticket.id });
      }
      if (m[2] === "reply") addTurn(ticket.conversation_id, { role: "agent", text: body.text, actor: body.agent, ticket_id: ticket.id });
      if (m[2] === "resolve") {
        Object.assign(ticket, { state: "resolved", closed_at_ms: now, updated_at_ms: now });
        addTurn(ticket.conversation_id, { role: "system", text: "ticket_resolved", actor: body.agent, ticket_id: ticket.id });
      }
      return json(200, view());
    }

    if (path === "/v1/admin/answers") {
      if (method === "GET") return json(200, { answers: live() });
      if (method === "POST") {
        if (body.from_ticket) {
          const ticket = tickets.find((t) => t.id === body.from_ticket);
          if (!ticket) return error(404, "ticket_not_found", "no ticket");
          if (ticket.state !== "resolved") return error(400, "invalid_curated_ticket", "only a resolved ticket's reply is promoted");
          const c = conversations.get(ticket.conversation_id)!;
          const reply = [...c.turns].reverse().find((t) => t.role === "agent");
          if (!reply) return error(400, "invalid_curated_ticket", "the ticket has no agent reply");
          body = { questions: [c.turns[0].text], answer: reply.text, author: body.author, tags: [] };
        }
        if (!Array.isArray(body.questions) || body.questions.length === 0) {
          return error(400, "invalid_curated_questions", "`questions`: 1 to 20");
        }
        const added: CuratedVersion = {
          id: `a-${versions.length + 10}`,
          version: 1,
          questions: body.questions,
          answer: body.answer,
          locale: body.locale ?? "en",
          product: body.product ?? null,
          tags: body.tags ?? [],
          author: body.author,
          source_conversation_id: null,
          source_turn_seq: null,
          created_at_ms: Date.now(),
          removed: false,
        };
        versions = [...versions, added];
        const { removed: _, ...answer } = added;
        return json(200, answer);
      }
    }
    if ((m = path.match(/^\/v1\/admin\/answers\/([^/]+)$/))) {
      const id = decodeURIComponent(m[1]);
      const last = latest(id);
      if (!last) return error(404, "not_found", `no curated answer \`${id}\``);
      if (method === "GET") return json(200, { versions: versions.filter((v) => v.id === id) });
      if (last.removed) return error(404, "not_found", `no curated answer \`${id}\``);
      const next: CuratedVersion =
        method === "PUT"
          ? { ...last, ...body, version: last.version + 1, created_at_ms: Date.now(), removed: false }
          : { ...last, author: url.searchParams.get("author") ?? "key", version: last.version + 1, created_at_ms: Date.now(), removed: true };
      versions = [...versions, next];
      const { removed: _, ...answer } = next;
      return json(200, answer);
    }
    if (path === "/v1/admin/insights") {
      const from = url.searchParams.get("from") ?? INSIGHTS.from;
      const to = url.searchParams.get("to") ?? INSIGHTS.to;
      if (!/^\d{4}-\d{2}-\d{2}$/.test(from)) return error(400, "invalid_request", "`from`: a date YYYY-MM-DD");
      return json(200, { ...INSIGHTS, from, to });
    }
    if (path === "/v1/admin/index") return json(200, INDEX);
    if (path === "/v1/search" && method === "POST") {
      const mode = (body.mode ?? "hybrid") as SearchMode;
      return json(200, { results: SEARCH[mode].slice(0, body.k ?? 10), took_ms: mode === "bm25" ? 1.2 : 9.8, timings: {} });
    }
    if (path.startsWith("/v1/documents/")) {
      const id = path.slice("/v1/documents/".length).split("/").map(decodeURIComponent).join("/");
      if (id === DOCUMENT.id) return json(200, DOCUMENT);
      const known = INDEX.documents.find((d) => d.id === id);
      if (!known) return error(404, "not_found", `no document \`${id}\``);
      return json(200, { ...DOCUMENT, id, title: known.title, url: "javascript:alert(1)" });
    }
    if (path === "/v1/admin/conversations") {
      const filter = url.searchParams.get("filter") ?? "all";
      const language = url.searchParams.get("language");
      const before = Number(url.searchParams.get("before_ms") ?? Infinity);
      const limit = Number(url.searchParams.get("limit") ?? 50);
      const matching = summaries
        .filter((c) => c.updated_at_ms < before)
        .filter((c) => filter === "all" || (filter === "handoff" ? c.ticket_state !== null : (c as any)[filter]))
        .filter((c) => !language || c.language === language);
      const page = matching.slice(0, limit);
      const more = matching.length > limit;
      return json(200, { conversations: page, next_before_ms: more ? page[page.length - 1].updated_at_ms : null });
    }
    if ((m = path.match(/^\/v1\/conversations\/([^/]+)\/events$/)) && method === "GET") {
      const id = decodeURIComponent(m[1]);
      const c = conversations.get(id);
      if (!c) return error(404, "conversation_not_found", "no conversation");
      const after = Number(headers["last-event-id"] ?? url.searchParams.get("after") ?? 0);
      let registered: ReadableStreamDefaultController<Uint8Array> | null = null;
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          registered = controller;
          for (const turn of c.turns.filter((t) => t.seq > after)) {
            controller.enqueue(encoder.encode(`event: turn\nid: ${turn.seq}\ndata: ${JSON.stringify(turn)}\n\n`));
          }
          if (!streams.has(id)) streams.set(id, new Set());
          streams.get(id)!.add(controller);
          signal?.addEventListener("abort", () => {
            streams.get(id)?.delete(controller);
            try {
              controller.error(new DOMException("aborted", "AbortError"));
            } catch {
              // Already closed.
            }
          });
        },
        cancel() {
          if (registered) streams.get(id)?.delete(registered);
        },
      });
      return new Response(stream, { status: 200, headers: { "Content-Type": "text/event-stream" } });
    }
    if ((m = path.match(/^\/v1\/conversations\/([^/]+)$/))) {
      const id = decodeURIComponent(m[1]);
      const c = conversations.get(id);
      if (!c) return error(404, "conversation_not_found", "no conversation");
      if (method === "GET") return json(200, c);
      if (method === "DELETE") {
        conversations.delete(id);
        summaries = summaries.filter((s) => s.id !== id);
        return json(200, { deleted: { conversations: 1, turns: c.turns.length } });
      }
    }
    if ((m = path.match(/^\/v1\/users\/([^/]+)$/)) && method === "DELETE") {
      const user = decodeURIComponent(m[1]);
      const gone = [...conversations.values()].filter((c) => c.external_user_id === user);
      for (const c of gone) conversations.delete(c.id);
      summaries = summaries.filter((s) => s.external_user_id !== user);
      return json(200, { deleted: { conversations: gone.length, turns: gone.reduce((n, c) => n + c.turns.length, 0) } });
    }
    return error(404, "not_found", `no route ${method} ${path}`);
  }

  const fetchFn = async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(String(input), "http://localhost");
    const method = (init.method ?? "GET").toUpperCase();
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries((init.headers as Record<string, string>) ?? {})) headers[name.toLowerCase()] = value;
    const body = typeof init.body === "string" ? JSON.parse(init.body) : undefined;
    calls.push({ method, path: url.pathname + url.search, headers, body });
    if (init.signal?.aborted) throw new DOMException("aborted", "AbortError");
    if (options.delay) await new Promise((r) => setTimeout(r, options.delay));
    return route(method, url, headers, body, init.signal ?? undefined);
  };

  return {
    fetch: fetchFn,
    calls,
    push,
    addTurn,
    get session() {
      return session;
    },
    set session(s: Session | null) {
      session = s;
    },
    get tickets() {
      return tickets;
    },
    set tickets(list: Ticket[]) {
      tickets = list;
    },
    conversations,
    now: NOW,
  };
}

export type MockServer = ReturnType<typeof mockServer>;
