import { beforeEach, describe, expect, it } from "vitest";
import { widgetStorage } from "./storage";

const session = { token: "kefu_s1.t", conversation_id: "c1", expires_at_ms: Date.now() + 60_000 };

describe("widgetStorage", () => {
  beforeEach(() => localStorage.clear());

  it("keeps a customer's session from the next person on the same browser", () => {
    widgetStorage("https://kefu.example", "pk_1", "cust-1001").session.save(session);
    expect(widgetStorage("https://kefu.example", "pk_1", "cust-1001").session.load()).toEqual(session);
    expect(widgetStorage("https://kefu.example", "pk_1", "cust-1002").session.load()).toBeNull();
    expect(widgetStorage("https://kefu.example", "pk_1").session.load(), "a visitor not logged in").toBeNull();
    expect(widgetStorage("https://kefu.example", "pk_2", "cust-1001").session.load(), "another shop").toBeNull();
  });
});
