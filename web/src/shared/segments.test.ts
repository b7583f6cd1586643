import { describe, expect, it } from "vitest";
import { safeHref, toSegments } from "./segments";

describe("toSegments", () => {
  it("turns known markers into citations", () => {
    expect(toSegments("Fee applies. [1] Also this. [2]", [1, 2])).toEqual([
      { kind: "text", text: "Fee applies. " },
      { kind: "cite", n: 1 },
      { kind: "text", text: " Also this. " },
      { kind: "cite", n: 2 },
    ]);
  });

  it("leaves unknown markers as text", () => {
    expect(toSegments("See [3] and [1][x]", new Set([1]))).toEqual([
      { kind: "text", text: "See [3] and " },
      { kind: "cite", n: 1 },
      { kind: "text", text: "[x]" },
    ]);
  });

  it("reads adjacent markers and Chinese text", () => {
    expect(toSegments("可以退货。[1][2]", [1, 2])).toEqual([
      { kind: "text", text: "可以退货。" },
      { kind: "cite", n: 1 },
      { kind: "cite", n: 2 },
    ]);
  });

  it("keeps markup as text", () => {
    expect(toSegments("<img src=x onerror=alert(1)> [1]", [1])).toEqual([
      { kind: "text", text: "<img src=x onerror=alert(1)> " },
      { kind: "cite", n: 1 },
    ]);
  });

  it("finds http(s) links, leaving trailing punctuation out", () => {
    expect(toSegments("Go to https://shop.example/returns. Thanks", [])).toEqual([
      { kind: "text", text: "Go to " },
      { kind: "link", text: "https://shop.example/returns", href: "https://shop.example/returns" },
      { kind: "text", text: ". Thanks" },
    ]);
    expect(toSegments("见https://shop.example/退货，谢谢", [])).toEqual([
      { kind: "text", text: "见" },
      { kind: "link", text: "https://shop.example/退货", href: "https://shop.example/%E9%80%80%E8%B4%A7" },
      { kind: "text", text: "，谢谢" },
    ]);
  });

  it("does not link other schemes", () => {
    expect(toSegments("javascript:alert(1) data:text/html,x", [])).toEqual([
      { kind: "text", text: "javascript:alert(1) data:text/html,x" },
    ]);
  });

  it("gives nothing for an empty answer", () => {
    expect(toSegments("", [1])).toEqual([]);
  });
});

describe("safeHref", () => {
  it("accepts http and https only", () => {
    expect(safeHref("https://a.example/x")).toBe("https://a.example/x");
    expect(safeHref("http://a.example")).toBe("http://a.example/");
    expect(safeHref("javascript:alert(1)")).toBeUndefined();
    expect(safeHref(" JAVASCRIPT:alert(1)")).toBeUndefined();
    expect(safeHref("data:text/html,hi")).toBeUndefined();
    expect(safeHref("/relative")).toBeUndefined();
    expect(safeHref(null)).toBeUndefined();
  });
});
