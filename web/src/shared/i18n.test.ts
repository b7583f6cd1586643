import { describe, expect, it } from "vitest";
import { format, formatDate, uiLanguage } from "./i18n";

describe("uiLanguage", () => {
  it("is Chinese for zh tags and English otherwise", () => {
    for (const tag of ["zh", "zh-CN", "ZH-tw", "zh-Hant-HK", "zh_CN", " zh "]) expect(uiLanguage(tag)).toBe("zh");
    for (const tag of ["en", "en-GB", "fr", "", null, undefined, "zhx", "ja"]) expect(uiLanguage(tag)).toBe("en");
  });
});

describe("format", () => {
  it("fills named slots and leaves unknown ones", () => {
    expect(format("{name} joined", { name: "Alice" })).toBe("Alice joined");
    expect(format("{n} new {x}", { n: 2 })).toBe("2 new {x}");
  });
});

describe("formatDate", () => {
  it("writes a date in the UI language", () => {
    const ms = Date.UTC(2026, 10, 22, 12);
    expect(formatDate(ms, "zh")).toContain("2026");
    expect(formatDate(ms, "en")).toContain("2026");
    expect(formatDate(Number.NaN, "en")).toBe("");
  });
});
