import { describe, expect, it } from "vitest";
import type { Session } from "../shared/types";
import { Client } from "./client";
import { FakeServer, json, memorySlot } from "./test-server";

const NOW = 1_000_000;
const session = (token: string, conversation = "c1"): Session => ({ token, conversation_id: conversation, expires_at_ms: NOW + 3_600_000 });

function setup(stored: Session | null = null) {
  const server = new FakeServer();
  const slot = memorySlot<Session>(stored);
  const client = new Client("https://kefu.example", "pk_key", "cust-1", slot, server.fetch, () => NOW);
  const conversations: string[] = [];
  client.onConversation = (id) => conversations.push(id);
  return { server, slot, client, conversations };
}

const transcript = (s: Session) => [`/v1/conversations/${s.conversation_id}`, {}] as [string, RequestInit];

describe("Client", () => {
  it("starts a session with the publishable key and the shop's user, and keeps it", async () => {
    const { server, slot, client, conversations } = setup();
    server.on("POST /v1/sessions", () => json(session("t1")));
    server.on("GET /v1/conversations/c1", () => json({ id: "c1", turns: [] }));
    await client.json(transcript, { create: true });
    const [start, get] = server.requests;
    expect(start.headers.get("Authorization")).toBe("Bearer pk_key");
    expect(start.body).toEqual({ external_user_id: "cust-1" });
    expect(get.headers.get("Authorization")).toBe("Bearer t1");
    expect(slot.load()?.token).toBe("t1");
    expect(conversations).toEqual(["c1"]);
  });

  it("sends the shop's signature of its user, when it has one", async () => {
    const server = new FakeServer();
    const signature = "0f".repeat(32);
    const client = new Client("https://kefu.example", "pk_key", "cust-1", memorySlot<Session>(null), server.fetch, () => NOW, signature);
    server.on("POST /v1/sessions", () => json(session("t1")));
    server.on("GET /v1/conversations/c1", () => json({ id: "c1", turns: [] }));
    await client.json(transcript, { create: true });
    expect(server.requests[0].body).toEqual({ external_user_id: "cust-1", external_user_signature: signature });
  });

  it("sends the customer's products with the signature, on start and on renewal", async () => {
    const server = new FakeServer();
    const signature = "0f".repeat(32);
    const shopper = { owned: ["NW-RV700"], viewed: ["NW-AF550", "NW-KT170"] };
    const client = new Client("https://kefu.example", "pk_key", "cust-1", memorySlot<Session>(null), server.fetch, () => NOW, signature, shopper);
    server.on("POST /v1/sessions", () => json({ ...session("t1"), expires_at_ms: NOW - 1 }));
    server.on("GET /v1/conversations/c1", () => json({ id: "c1", turns: [] }));
    await client.json(transcript, { create: true });
    await client.json(transcript);
    const signed = { external_user_id: "cust-1", external_user_signature: signature };
    const products = { owned_products: ["NW-RV700"], viewed_products: ["NW-AF550", "NW-KT170"] };
    expect(server.sent("POST /v1/sessions").map((r) => r.body)).toEqual([
      { ...signed, ...products },
      { renew: "t1", ...signed, ...products },
    ]);
  });

  it("never sends products without the signature: the server would refuse the session", async () => {
    const server = new FakeServer();
    const shopper = { owned: ["NW-RV700"], viewed: ["NW-AF550"] };
    const client = new Client("https://kefu.example", "pk_key", "cust-1", memorySlot<Session>(null), server.fetch, () => NOW, undefined, shopper);
    server.on("POST /v1/sessions", () => json(session("t1")));
    server.on("GET /v1/conversations/c1", () => json({ id: "c1", turns: [] }));
    await client.json(transcript, { create: true });
    expect(server.requests[0].body).toEqual({ external_user_id: "cust-1" });
  });

  it("does not start a session just to read", async () => {
    const { client } = setup();
    await expect(client.json(transcript)).rejects.toMatchObject({ code: "no_session" });
  });

  it("renews on session_expired and retries once, in the same conversation", async () => {
    const { server, client, conversations } = setup(session("old"));
    server.on("POST /v1/sessions", () => json(session("new")));
    let calls = 0;
    server.on("GET /v1/conversations/c1", () =>
      ++calls === 1 ? json({ error: { code: "session_expired", message: "" } }, 401) : json({ id: "c1", turns: [] }),
    );
    await client.json(transcript);
    expect(server.sent("POST /v1/sessions")[0].body).toEqual({ renew: "old", external_user_id: "cust-1" });
    expect(server.sent("GET /v1/conversations/c1").map((r) => r.headers.get("Authorization"))).toEqual(["Bearer old", "Bearer new"]);
    expect(conversations).toEqual([]);
  });

  it("renews ahead of the expiry it knows, once for concurrent requests", async () => {
    const { server, client } = setup({ ...session("old"), expires_at_ms: NOW - 1 });
    server.on("POST /v1/sessions", () => json(session("new")));
    server.on("GET /v1/conversations/c1", () => json({ id: "c1", turns: [] }));
    await Promise.all([client.json(transcript), client.json(transcript)]);
    expect(server.sent("POST /v1/sessions")).toHaveLength(1);
  });

  it("starts a new session when the old one cannot be renewed", async () => {
    const { server, client, conversations } = setup({ ...session("old"), expires_at_ms: NOW - 1 });
    server.on("POST /v1/sessions", (r) =>
      (r.body as { renew?: string }).renew
        ? json({ error: { code: "invalid_session_renew", message: "" } }, 400)
        : json(session("fresh", "c2")),
    );
    server.on("GET /v1/conversations/c2", () => json({ id: "c2", turns: [] }));
    await client.json(transcript);
    expect(client.conversationId).toBe("c2");
    expect(conversations).toEqual(["c2"]);
    expect(server.sent("POST /v1/sessions")[1].body).toEqual({ external_user_id: "cust-1" });
  });

  it("starts a new conversation when a message's conversation is gone", async () => {
    const { server, client } = setup(session("t1"));
    server.on("POST /v1/sessions", () => json(session("t2", "c2")));
    server.on("POST /v1/ask", (r) =>
      (r.body as { conversation_id: string }).conversation_id === "c1"
        ? json({ error: { code: "conversation_not_found", message: "" } }, 404)
        : json({ answer: "ok" }),
    );
    const ask = (s: Session) => ["/v1/ask", { method: "POST", body: JSON.stringify({ conversation_id: s.conversation_id }) }] as [string, RequestInit];
    await client.json(ask, { create: true });
    expect(server.sent("POST /v1/ask").map((r) => (r.body as { conversation_id: string }).conversation_id)).toEqual(["c1", "c2"]);
  });

  it("reports errors with their code and Retry-After, and network failures as `network`", async () => {
    const { server, client } = setup(session("t1"));
    server.on("GET /v1/conversations/c1", () => json({ error: { code: "rate_limited", message: "" } }, 429, { "Retry-After": "7" }));
    await expect(client.json(transcript)).rejects.toMatchObject({ status: 429, code: "rate_limited", retryAfter: 7 });
    const offline = new Client("https://k", "pk", undefined, memorySlot(session("t")), () => Promise.reject(new TypeError("Failed to fetch")), () => NOW);
    await expect(offline.json(transcript)).rejects.toMatchObject({ status: 0, code: "network" });
  });
});
