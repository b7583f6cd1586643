import { describe, expect, it, vi } from "vitest";
import { ApiError, createApi, decodeError, documentPath, query } from "./api";

function recorder(status = 200, body: unknown = {}) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetch = vi.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ url: String(url), init: init ?? {} });
    return new Response(typeof body === "string" ? body : JSON.stringify(body), { status });
  });
  return { calls, fetch: fetch as unknown as typeof globalThis.fetch };
}

describe("createApi", () => {
  it("sends the CSRF token on changes only, and the cookie on every call", async () => {
    const { calls, fetch } = recorder(200, { ticket: {}, conversation: {} });
    const api = createApi({ csrf: () => "tok", onUnauthorized: () => {}, fetch });
    await api.tickets("open");
    await api.reply("t/1", "alice", "hello");
    await api.removeAnswer("a-1", "bob");
    await api.reviseAnswer("a-1", { questions: ["q"], answer: "a", tags: [], author: "bob" });

    const [list, reply, remove, revise] = calls;
    expect(list.url).toBe("/v1/tickets?state=open&limit=50");
    expect(list.init.credentials).toBe("same-origin");
    expect((list.init.headers as Record<string, string>)["X-CSRF-Token"]).toBeUndefined();

    expect(reply.url).toBe("/v1/tickets/t%2F1/reply");
    expect(reply.init.method).toBe("POST");
    expect(reply.init.credentials).toBe("same-origin");
    expect((reply.init.headers as Record<string, string>)["X-CSRF-Token"]).toBe("tok");
    expect((reply.init.headers as Record<string, string>)["Content-Type"]).toBe("application/json");
    expect(JSON.parse(reply.init.body as string)).toEqual({ agent: "alice", text: "hello" });

    expect(remove.url).toBe("/v1/admin/answers/a-1?author=bob");
    expect(remove.init.method).toBe("DELETE");
    expect((remove.init.headers as Record<string, string>)["X-CSRF-Token"]).toBe("tok");
    expect(revise.init.method).toBe("PUT");
    expect((revise.init.headers as Record<string, string>)["X-CSRF-Token"]).toBe("tok");
  });

  it("promotes a ticket with from_ticket and the author", async () => {
    const { calls, fetch } = recorder(200, { id: "a-9" });
    const api = createApi({ csrf: () => "tok", onUnauthorized: () => {}, fetch });
    await api.promoteTicket("t-1", "alice");
    expect(calls[0].url).toBe("/v1/admin/answers");
    expect(JSON.parse(calls[0].init.body as string)).toEqual({ from_ticket: "t-1", author: "alice" });
  });

  it("searches with the mode, k and a locale filter", async () => {
    const { calls, fetch } = recorder(200, { results: [], took_ms: 1 });
    const api = createApi({ csrf: () => "tok", onUnauthorized: () => {}, fetch });
    await api.search("fee", "dense", 10, "zh");
    await api.search("fee", "bm25", 5, null);
    expect(JSON.parse(calls[0].init.body as string)).toEqual({ query: "fee", k: 10, mode: "dense", filters: { locale: "zh" } });
    expect(JSON.parse(calls[1].init.body as string)).toEqual({ query: "fee", k: 5, mode: "bm25", filters: {} });
  });

  it("decodes the server's error and ends the session on a 401", async () => {
    const { fetch } = recorder(401, { error: { code: "unauthorized", message: "the session expired" } });
    const onUnauthorized = vi.fn();
    const api = createApi({ csrf: () => null, onUnauthorized, fetch });
    const error = await api.tickets("open").catch((e) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 401, code: "unauthorized", message: "the session expired" });
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });

  it("does not treat a wrong key at sign-in as the session ending", async () => {
    const { fetch } = recorder(401, { error: { code: "unauthorized", message: "unknown key" } });
    const onUnauthorized = vi.fn();
    const api = createApi({ csrf: () => null, onUnauthorized, fetch });
    await expect(api.signIn("k", "alice")).rejects.toMatchObject({ status: 401, message: "unknown key" });
    await expect(api.session()).rejects.toMatchObject({ status: 401 });
    expect(onUnauthorized).not.toHaveBeenCalled();
  });

  it("reports a network failure as status 0", async () => {
    const fetch = (async () => {
      throw new TypeError("Failed to fetch");
    }) as unknown as typeof globalThis.fetch;
    const api = createApi({ csrf: () => null, onUnauthorized: () => {}, fetch });
    await expect(api.index()).rejects.toMatchObject({ status: 0, code: "network" });
  });

  it("builds the conversation list's query from the defined parameters", async () => {
    const { calls, fetch } = recorder(200, { conversations: [], next_before_ms: null });
    const api = createApi({ csrf: () => null, onUnauthorized: () => {}, fetch });
    await api.conversations({ filter: "thumbs_down", language: "zh", before_ms: 123 });
    await api.conversations({ filter: "all" });
    expect(calls[0].url).toBe("/v1/admin/conversations?filter=thumbs_down&language=zh&limit=50&before_ms=123");
    expect(calls[1].url).toBe("/v1/admin/conversations?filter=all&limit=50");
  });
});

describe("decodeError", () => {
  it("falls back to the status line when the body is not the server's JSON", async () => {
    const error = await decodeError(new Response("<html>Bad gateway</html>", { status: 502, statusText: "Bad Gateway" }));
    expect(error).toMatchObject({ status: 502, code: "http_502", message: "Bad Gateway" });
  });
});

describe("paths", () => {
  it("encodes each segment of a document id and keeps its slashes", () => {
    expect(documentPath("en/policies/returns & refunds.md")).toBe("/v1/documents/en/policies/returns%20%26%20refunds.md");
    expect(documentPath("zh/常见问题.csv")).toBe("/v1/documents/zh/%E5%B8%B8%E8%A7%81%E9%97%AE%E9%A2%98.csv");
  });
  it("leaves empty parameters out of a query", () => {
    expect(query({ a: "x y", b: null, c: undefined, d: "", e: 0 })).toBe("?a=x+y&e=0");
    expect(query({})).toBe("");
  });
});
