import { describe, expect, it } from "vitest";
import { ApiError, errorOf, networkError, retryAfterOf } from "./http";

describe("retryAfterOf", () => {
  it("reads seconds and HTTP dates", () => {
    expect(retryAfterOf("5")).toBe(5);
    expect(retryAfterOf(null)).toBeUndefined();
    expect(retryAfterOf("soon")).toBeUndefined();
    const now = Date.parse("Wed, 21 Oct 2026 07:28:00 GMT");
    expect(retryAfterOf("Wed, 21 Oct 2026 07:28:30 GMT", now)).toBe(30);
  });
});

describe("errorOf", () => {
  it("reads the API's error body and Retry-After", async () => {
    const response = new Response(JSON.stringify({ error: { code: "rate_limited", message: "slow down" } }), {
      status: 429,
      headers: { "Retry-After": "3" },
    });
    const error = await errorOf(response);
    expect([error.status, error.code, error.message, error.retryAfter]).toEqual([429, "rate_limited", "slow down", 3]);
  });

  it("falls back to the status for bodies that are not the API's", async () => {
    const error = await errorOf(new Response("<html>Bad gateway</html>", { status: 502 }));
    expect([error.status, error.code]).toEqual([502, "http_502"]);
  });
});

describe("networkError", () => {
  it("keeps an abort as it is and makes any other fetch failure a network ApiError", () => {
    const abort = new DOMException("aborted", "AbortError");
    expect(networkError(abort)).toBe(abort);
    const error = networkError(new TypeError("Failed to fetch"));
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 0, code: "network", message: "Failed to fetch" });
    expect(networkError("offline")).toMatchObject({ status: 0, code: "network", message: "offline" });
  });
});
