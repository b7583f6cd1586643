import { describe, expect, it } from "vitest";
import { excerpt, formatAge, formatMs, formatShare, shareValue, sortedCounts, trendLabel, trendOf } from "./format";
import { translate, type Key, type Vars } from "./i18n";

const en = (key: Key, vars?: Vars) => translate("en", key, vars);
const zh = (key: Key, vars?: Vars) => translate("zh", key, vars);

describe("shares", () => {
  it("shows the value with its counts", () => {
    expect(formatShare({ value: 0.82, count: 41, of: 50 }, en)).toBe("0.82 (41 of 50)");
    expect(formatShare({ value: 0.82, count: 41, of: 50 }, zh)).toBe("0.82（50 中 41）");
    expect(formatShare({ value: 2 / 3, count: 2, of: 3 }, en)).toBe("0.67 (2 of 3)");
  });

  it("shows a dash when there was nothing to count", () => {
    expect(shareValue({ value: null, count: 0, of: 0 })).toBe("–");
    expect(formatShare({ value: null, count: 0, of: 0 }, en)).toBe("– (0 of 0)");
  });
});

describe("trends", () => {
  it("points up, down, flat, or marks a new topic", () => {
    expect(trendOf(0.5, 8, 12)).toEqual({ direction: "up", arrow: "↑", percent: "+50%" });
    expect(trendOf(-0.25, 8, 6)).toEqual({ direction: "down", arrow: "↓", percent: "−25%" });
    expect(trendOf(0.04, 25, 26)).toMatchObject({ direction: "flat", arrow: "→" });
    expect(trendOf(null, 0, 6)).toMatchObject({ direction: "new" });
    expect(trendOf(null, 0, 0)).toMatchObject({ direction: "none", arrow: "" });
  });

  it("says the trend in words", () => {
    expect(trendLabel(trendOf(0.5, 8, 12), en)).toBe("up +50%");
    expect(trendLabel(trendOf(-0.25, 8, 6), zh)).toBe("下降 −25%");
    expect(trendLabel(trendOf(null, 0, 3), en)).toBe("new");
  });
});

describe("times", () => {
  it("reads milliseconds and seconds", () => {
    expect(formatMs(38.25, en)).toBe("38 ms");
    expect(formatMs(1210.5, en)).toBe("1.2 s");
    expect(formatMs(15000, en)).toBe("15 s");
    expect(formatMs(null, en)).toBe("–");
  });

  it("says how long ago coarsely", () => {
    const now = 10_000_000;
    expect(formatAge(now - 20_000, now, en)).toBe("just now");
    expect(formatAge(now - 12 * 60_000, now, en)).toBe("12 min");
    expect(formatAge(now - 3 * 3600_000, now, zh)).toBe("3 小时");
    expect(formatAge(now - 72 * 3600_000, now, en)).toBe("3 d");
  });
});

describe("helpers", () => {
  it("sorts counts largest first, ties by name", () => {
    expect(sortedCounts({ b: 2, a: 2, c: 5 })).toEqual([
      ["c", 5],
      ["a", 2],
      ["b", 2],
    ]);
    expect(sortedCounts(undefined)).toEqual([]);
  });

  it("cuts long text at a character, not inside a surrogate pair", () => {
    expect(excerpt("short", 10)).toBe("short");
    expect(excerpt("😀😀😀😀", 3)).toBe("😀😀…");
  });
});
