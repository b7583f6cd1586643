import { describe, expect, it } from "vitest";
import { passage } from "./span";

describe("passage", () => {
  it("counts code points, not UTF-16 units", () => {
    // 😀 is one char to the server and two units to JS.
    const text = "😀 退货运费由买家承担。其他";
    const p = passage(text, [2, 12]);
    expect(p.mark).toBe("退货运费由买家承担。");
    expect(p.before).toBe("😀 ");
    expect(p.after).toBe("其他");
    expect(p.clippedStart).toBe(false);
    expect(p.clippedEnd).toBe(false);
  });

  it("highlights after emoji and CJK text", () => {
    const text = "Ship 🚚🚚 fast. 七天无理由退货 is the rule.";
    const chars = Array.from(text);
    const start = chars.indexOf("七");
    const p = passage(text, [start, start + 7]);
    expect(p.mark).toBe("七天无理由退货");
    expect(p.before + p.mark + p.after).toBe(text);
  });

  it("shows the paragraph around the span", () => {
    const text = "Intro.\nFirst paragraph. The cited sentence. More.\nNext paragraph.";
    const start = text.indexOf("The cited");
    const p = passage(text, [start, start + "The cited sentence.".length]);
    expect(p.before).toBe("First paragraph. ");
    expect(p.mark).toBe("The cited sentence.");
    expect(p.after).toBe(" More.");
    expect(p.clippedStart).toBe(true);
    expect(p.clippedEnd).toBe(true);
  });

  it("limits the context either side", () => {
    const text = "a".repeat(1000) + "MARK" + "b".repeat(1000);
    const p = passage(text, [1000, 1004], null, 10);
    expect(p.before).toBe("a".repeat(10));
    expect(p.after).toBe("b".repeat(10));
  });

  it("shows the cited chunk when it is known", () => {
    const text = "zero one two three four five";
    const p = passage(text, [9, 12], [5, 18]);
    expect([p.before, p.mark, p.after]).toEqual(["one ", "two", " three"]);
  });

  it("clamps spans out of range and reversed", () => {
    const text = "short 文本";
    expect(passage(text, [6, 99]).mark).toBe("文本");
    expect(passage(text, [99, 120]).mark).toBe("");
    expect(passage(text, [8, 6]).mark).toBe("文本");
    expect(passage(text, [-5, 5]).mark).toBe("short");
  });

  it("handles a span at the very start", () => {
    const p = passage("\nabc", [0, 1]);
    expect(p.mark).toBe("\n");
    expect(p.clippedStart).toBe(false);
  });
});
