import { afterEach, describe, expect, it } from "vitest";
import type { Session, Turn } from "../shared/types";
import { Chat } from "./chat";
import type { WidgetOptions } from "./options";
import { FakeServer, json, liveSse, memorySlot, settle, sse } from "./test-server";

const OPTIONS: WidgetOptions = { key: "pk_test", api: "https://kefu.example", position: "right", suggestions: [], lang: "en", open: false };
const SESSION: Session = { token: "t1", conversation_id: "c1", expires_at_ms: Date.now() + 3_600_000 };

function turn(seq: number, role: Turn["role"], text: string, extra: Partial<Turn> = {}): Turn {
  return { seq, role, actor: null, text, citations: null, abstained: null, handoff_reason: null, language: "en", created_at_ms: 0, ...extra };
}

const CITATION = { n: 1, chunk_id: "k1", doc_id: "en/faq.csv", title: "FAQ", url: null, breadcrumb: "FAQ › Fees", span: [0, 5] as [number, number], snippet: "Fee." };

function done(answer: string, seq: number | null, extra: object = {}) {
  return {
    answer,
    citations: [CITATION],
    abstained: false,
    handoff: { needed: false, reason: null },
    conversation_id: "c1",
    language: "en",
    ticket: null,
    turn: seq,
    ...extra,
  };
}

let chats: Chat[] = [];
afterEach(() => {
  for (const chat of chats) chat.destroy();
  chats = [];
});

function setup(options: Partial<WidgetOptions> = {}, stored: Session | null = null, open: boolean | null = null) {
  const server = new FakeServer();
  server.on("POST /v1/sessions", () => json(SESSION));
  const events = liveSse();
  server.on("GET /v1/conversations/c1/events", () => events.response);
  const chat = new Chat({ ...OPTIONS, ...options }, { session: memorySlot(stored), open: memorySlot(open), fetch: server.fetch, random: () => 0 });
  chats.push(chat);
  return { server, chat, events };
}

const shown = (chat: Chat) => chat.state.messages.map((m) => `${m.role}:${m.seq ?? "-"}:${m.status}:${m.text}`);

describe("Chat", () => {
  it("asks with a new session and streams the answer in", async () => {
    const { server, chat } = setup();
    server.on("POST /v1/ask", () =>
      sse([
        { event: "delta", data: { text: "Wrong" } },
        { event: "reset", data: {} },
        { event: "delta", data: { text: "Yes " } },
        { event: "delta", data: { text: "[1]" } },
        { event: "citations", data: { citations: [CITATION] } },
        { event: "done", data: done("Yes [1]", 2) },
      ]),
    );
    expect(chat.send("  Can I return it?  ")).toBe(true);
    expect(chat.state.busy).toBe(true);
    expect(shown(chat)).toEqual(["customer:-:done:Can I return it?", "bot:-:pending:"]);
    await settle();
    expect(shown(chat)).toEqual(["customer:1:done:Can I return it?", "bot:2:done:Yes [1]"]);
    expect(chat.state.messages[1].citations[0].title).toBe("FAQ");
    expect(chat.state.busy).toBe(false);
    const [ask] = server.sent("POST /v1/ask");
    expect(ask.headers.get("Authorization")).toBe("Bearer t1");
    expect(ask.headers.get("Accept")).toBe("text/event-stream");
    // No data-locale: the server detects the language.
    expect(ask.body).toEqual({ question: "Can I return it?", conversation_id: "c1", stream: true });
  });

  it("starts the session with the signed-in customer's products", async () => {
    const { server, chat } = setup({ user: "cust-1", userSignature: "0f".repeat(32), ownedProducts: ["NW-RV700"], viewedProducts: ["NW-AF550"] });
    server.on("POST /v1/ask", () => sse([{ event: "done", data: done("Yes", 2) }]));
    chat.send("Which filter fits?");
    await settle();
    expect(server.sent("POST /v1/sessions")[0].body).toEqual({
      external_user_id: "cust-1",
      external_user_signature: "0f".repeat(32),
      owned_products: ["NW-RV700"],
      viewed_products: ["NW-AF550"],
    });
  });

  it("sends the locale the shop chose", async () => {
    const { server, chat } = setup({ locale: "zh", lang: "zh" });
    server.on("POST /v1/ask", () => sse([{ event: "done", data: done("可以", 2) }]));
    chat.send("能退货吗");
    await settle();
    expect(server.sent("POST /v1/ask")[0].body).toMatchObject({ locale: "zh" });
  });

  it("ignores empty questions and a second one while answering", () => {
    const { server, chat } = setup();
    server.on("POST /v1/ask", () => new Promise(() => {}));
    expect(chat.send("   ")).toBe(false);
    expect(chat.send("one")).toBe(true);
    expect(chat.send("two")).toBe(false);
  });

  it("shows a failed ask with its error, and asks again on retry", async () => {
    const { server, chat } = setup();
    let calls = 0;
    server.on("POST /v1/ask", () =>
      ++calls === 1
        ? json({ error: { code: "rate_limited", message: "" } }, 429, { "Retry-After": "4" })
        : sse([{ event: "done", data: done("Fine", 2) }]),
    );
    chat.send("Q");
    await settle();
    const failed = chat.state.messages[1];
    expect(failed).toMatchObject({ status: "error", error: { code: "rate_limited", retryAfter: 4 } });
    chat.retry(failed.key);
    await settle();
    expect(shown(chat)).toEqual(["customer:1:done:Q", "bot:2:done:Fine"]);
  });

  it("treats an error event and a stream cut short as failures", async () => {
    const { server, chat } = setup();
    server.on("POST /v1/ask", () => sse([{ event: "delta", data: { text: "Par" } }, { event: "error", data: { error: { code: "timeout", message: "" } } }]));
    chat.send("Q");
    await settle();
    expect(chat.state.messages[1]).toMatchObject({ status: "error", error: { code: "timeout" }, text: "" });
    server.on("POST /v1/ask", () => sse([{ event: "delta", data: { text: "Par" } }]));
    chat.retry(chat.state.messages[1].key);
    await settle();
    expect(chat.state.messages[1]).toMatchObject({ status: "error", error: { code: "network" } });
  });

  it("follows the conversation while open: agents' replies, without repeating its own turns", async () => {
    const { server, chat, events } = setup();
    server.on("POST /v1/ask", () => sse([{ event: "done", data: done("Answer", 2, { ticket: { id: "t", state: "open" } }) }]));
    chat.open();
    chat.send("Q");
    await settle();
    expect(server.sent("GET /v1/conversations/c1/events")).toHaveLength(1);
    events.push({ event: "turn", id: 1, data: turn(1, "customer", "Q") });
    events.push({ event: "delta", data: { text: "Answer" } });
    events.push({ event: "turn", id: 2, data: turn(2, "bot", "Answer") });
    events.push({ event: "turn", id: 3, data: turn(3, "system", "ticket_opened") });
    events.push({ event: "turn", id: 4, data: turn(4, "agent", "Hi, Alice here", { actor: "alice" }) });
    await settle();
    expect(shown(chat)).toEqual(["customer:1:done:Q", "bot:2:done:Answer", "system:3:done:ticket_opened", "agent:4:done:Hi, Alice here"]);
    expect(chat.state.ticket).toBe(true);
    // A person handles it: the stream stays open with the panel closed, and counts replies.
    chat.close();
    events.push({ event: "turn", id: 5, data: turn(5, "agent", "Anything else?", { actor: "alice" }) });
    await settle();
    expect(chat.state.unread).toBe(1);
    chat.open();
    expect(chat.state.unread).toBe(0);
  });

  it("restores a stored conversation at load and resumes its stream after the last turn", async () => {
    const { server, chat } = setup({}, SESSION, true);
    server.on("GET /v1/conversations/c1", () =>
      json({
        id: "c1",
        turns: [turn(1, "customer", "Q"), turn(2, "bot", "A [1]", { citations: [{ n: 1, chunk_id: "k1", doc_id: "en/faq.csv", span: [0, 5] }] })],
        feedback: [{ turn_seq: 2, kind: "thumbs", score: 1, reason: null }],
      }),
    );
    chat.start();
    expect(chat.state.open).toBe(true);
    await settle();
    expect(shown(chat)).toEqual(["customer:1:done:Q", "bot:2:done:A [1]"]);
    expect(chat.state.messages[1].thumbs).toBe("up");
    const [stream] = server.sent("GET /v1/conversations/c1/events");
    expect(stream.headers.get("Last-Event-ID")).toBe("2");
    expect(stream.headers.get("Authorization")).toBe("Bearer t1");
  });

  it("opens at load without moving focus; the shopper's open does", () => {
    const { chat } = setup({ open: true });
    chat.start();
    expect([chat.state.open, chat.state.focusRequest]).toEqual([true, 0]);
    chat.close();
    chat.open();
    expect(chat.state.focusRequest).toBe(1);
  });

  it("keeps the events stream shut until the stored conversation is shown, and loads it before asking", async () => {
    const { server, chat } = setup({}, SESSION, true);
    let reads = 0;
    server.on("GET /v1/conversations/c1", () =>
      ++reads === 1 ? Promise.reject(new TypeError("offline")) : json({ id: "c1", turns: [turn(1, "customer", "Old"), turn(2, "bot", "Old answer")] }),
    );
    server.on("POST /v1/ask", () => sse([{ event: "done", data: done("New answer", 4) }]));
    chat.start();
    await settle();
    expect(server.sent("GET /v1/conversations/c1/events")).toHaveLength(0);
    chat.send("New");
    await settle();
    expect(shown(chat)).toEqual(["customer:1:done:Old", "bot:2:done:Old answer", "customer:3:done:New", "bot:4:done:New answer"]);
    expect(server.sent("GET /v1/conversations/c1/events")[0].headers.get("Last-Event-ID")).toBe("2");
  });

  it("forgets a stored conversation the server no longer has", async () => {
    const { server, chat } = setup({}, SESSION, true);
    server.on("GET /v1/conversations/c1", () => json({ error: { code: "conversation_not_found", message: "" } }, 404));
    chat.start();
    await settle();
    expect(chat.client.hasSession()).toBe(false);
    expect(chat.state.restoring).toBe(false);
  });

  it("asks for a person and shows what will happen", async () => {
    const { server, chat, events } = setup({ locale: "zh", lang: "zh" });
    server.on("POST /v1/conversations/c1/handoff", () => json({ message: "人工客服会在这里回复您。", ticket: { id: "t", state: "open" } }));
    chat.open();
    await chat.handoff();
    expect(server.sent("POST /v1/conversations/c1/handoff")[0].body).toEqual({ locale: "zh" });
    expect(shown(chat)).toEqual(["bot:-:done:人工客服会在这里回复您。"]);
    expect(chat.state.ticket).toBe(true);
    // Its stored turn comes on the stream: the same message.
    events.push({ event: "turn", id: 1, data: turn(1, "bot", "人工客服会在这里回复您。") });
    events.push({ event: "turn", id: 2, data: turn(2, "system", "ticket_opened") });
    await settle();
    expect(shown(chat)).toEqual(["bot:1:done:人工客服会在这里回复您。", "system:2:done:ticket_opened"]);
  });

  it("says so when the handoff fails", async () => {
    const { server, chat } = setup();
    server.on("POST /v1/conversations/c1/handoff", () => json({ error: { code: "store_failed", message: "" } }, 503));
    await chat.handoff();
    expect(chat.state.messages).toEqual([]);
    expect(chat.state.notice).toBe("handoffFailed");
  });

  it("rates answers, and undoes a rating the server refused", async () => {
    const { server, chat } = setup({}, SESSION);
    server.on("GET /v1/conversations/c1", () => json({ id: "c1", turns: [turn(2, "bot", "A")] }));
    server.on("POST /v1/conversations/c1/feedback", () => json({ feedback: [] }));
    chat.open();
    await settle();
    await chat.rate(2, "down");
    await chat.rate(2, "down", "outdated");
    expect(server.sent("POST /v1/conversations/c1/feedback").map((r) => r.body)).toEqual([
      { turn: 2, thumbs: "down" },
      { turn: 2, thumbs: "down", reason: "outdated" },
    ]);
    expect(chat.state.messages[0]).toMatchObject({ thumbs: "down", reason: "outdated" });
    server.on("POST /v1/conversations/c1/feedback", () => json({ error: { code: "invalid_feedback_turn", message: "" } }, 400));
    await chat.rate(2, "up");
    expect(chat.state.messages[0]).toMatchObject({ thumbs: "down", reason: "outdated" });
    expect(chat.state.notice).toBe("feedbackFailed");
  });

  it("reads a cited document once, and names its citations by its title", async () => {
    const { server, chat } = setup({}, SESSION);
    server.on("GET /v1/conversations/c1", () =>
      json({ id: "c1", turns: [turn(2, "bot", "A [1]", { citations: [{ n: 1, chunk_id: "k1", doc_id: "en/policies/returns.md", span: [0, 3] }] })] }),
    );
    server.on("GET /v1/documents/en/policies/returns.md", () =>
      json({ id: "en/policies/returns.md", title: "Returns policy", url: "https://shop.example/returns", locale: "en", text: "abc", chunks: [] }),
    );
    chat.open();
    await settle();
    await Promise.all([chat.document("en/policies/returns.md"), chat.document("en/policies/returns.md")]);
    await settle();
    expect(server.sent("GET /v1/documents/en/policies/returns.md")).toHaveLength(1);
    expect(chat.state.messages[0].citations[0]).toMatchObject({ title: "Returns policy", url: "https://shop.example/returns" });
  });

  it("starts over in a new conversation when the session cannot be renewed", async () => {
    const expired = { ...SESSION, expires_at_ms: Date.now() - 1 };
    const { server, chat } = setup({}, expired);
    server.on("POST /v1/sessions", (r) =>
      (r.body as { renew?: string }).renew
        ? json({ error: { code: "invalid_session_renew", message: "" } }, 400)
        : json({ ...SESSION, token: "t2", conversation_id: "c2" }),
    );
    server.on("GET /v1/conversations/c1", () => json({ error: { code: "session_expired", message: "" } }, 401));
    server.on("POST /v1/ask", () => sse([{ event: "done", data: done("New", 2) }]));
    chat.send("Q");
    await settle();
    expect(server.sent("POST /v1/ask")[0].body).toMatchObject({ conversation_id: "c2" });
    expect(shown(chat)).toEqual(["customer:1:done:Q", "bot:2:done:New"]);
  });
});
