import { describe, expect, it } from "vitest";
import { addDays, endOfLocalDay, isoDate, lastDays, parseIsoDate, previousRange, rangeDays, rangeProblem } from "./dates";

describe("dates", () => {
  it("writes a local day as YYYY-MM-DD", () => {
    expect(isoDate(new Date(2026, 0, 5, 23, 59))).toBe("2026-01-05");
  });

  it("proposes the seven days that end today", () => {
    expect(lastDays(7, new Date(2026, 2, 2, 9))).toEqual({ from: "2026-02-24", to: "2026-03-02" });
    expect(lastDays(1, new Date(2026, 2, 2))).toEqual({ from: "2026-03-02", to: "2026-03-02" });
  });

  it("refuses days that do not exist", () => {
    expect(parseIsoDate("2026-02-29")).toBeNull();
    expect(parseIsoDate("2028-02-29")).not.toBeNull();
    expect(parseIsoDate("2026-2-1")).toBeNull();
    expect(parseIsoDate("")).toBeNull();
  });

  it("adds days across months and years", () => {
    expect(addDays("2026-12-30", 3)).toBe("2027-01-02");
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
  });

  it("counts both ends of a range and says what is wrong with it", () => {
    expect(rangeDays({ from: "2026-11-01", to: "2026-11-30" })).toBe(30);
    expect(rangeProblem({ from: "2026-11-01", to: "2026-11-30" })).toBeNull();
    expect(rangeProblem({ from: "2026-11-30", to: "2026-11-01" })).toBe("reversed");
    expect(rangeProblem({ from: "", to: "2026-11-01" })).toBe("invalid");
    expect(rangeProblem({ from: "2000-01-01", to: "2026-11-01" })).toBe("too_long");
  });

  it("gives the period of the same length before", () => {
    expect(previousRange({ from: "2026-11-08", to: "2026-11-14" })).toEqual({ from: "2026-11-01", to: "2026-11-07" });
  });

  it("ends a local day at the next local midnight", () => {
    expect(endOfLocalDay("2026-11-24")).toBe(new Date(2026, 10, 25).getTime());
    expect(endOfLocalDay("nope")).toBeNull();
  });
});
