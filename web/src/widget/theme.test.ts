import { describe, expect, it } from "vitest";
import { contrast, parseRgb, resolveTheme, themeOf } from "./theme";

describe("theme", () => {
  it("parses hex and rgb()", () => {
    expect(parseRgb("#fff")).toEqual([255, 255, 255]);
    expect(parseRgb("#2563eb")).toEqual([37, 99, 235]);
    expect(parseRgb("#2563eb80")).toEqual([37, 99, 235]);
    expect(parseRgb("rgb(1, 2, 3)")).toEqual([1, 2, 3]);
    expect(parseRgb("rgba(1 2 3 / 50%)")).toEqual([1, 2, 3]);
    expect(parseRgb("tomato")).toBeUndefined();
  });

  it("puts readable text on any accent", () => {
    for (const rgb of [[255, 255, 0], [37, 99, 235], [119, 119, 119], [0, 0, 0], [255, 136, 0]] as [number, number, number][]) {
      const theme = themeOf(rgb);
      expect(contrast(parseRgb(theme.onAccent)!, rgb)).toBeGreaterThanOrEqual(4.5);
    }
    expect(themeOf([255, 255, 0]).onAccent).toBe("#000000");
    expect(themeOf([37, 99, 235]).onAccent).toBe("#ffffff");
  });

  it("darkens a light accent for links until they read on the bubbles", () => {
    const theme = themeOf([250, 204, 21]);
    expect(contrast(parseRgb(theme.link)!, [243, 244, 246])).toBeGreaterThanOrEqual(4.5);
    expect(themeOf([17, 24, 39]).link).toBe("#111827");
  });

  it("falls back to the default accent for colours it cannot read", () => {
    expect(resolveTheme(undefined).accent).toBe("#2563eb");
    // A hex colour needs no canvas (jsdom has none).
    expect(resolveTheme("#0b6e4f").accent).toBe("#0b6e4f");
  });
});
