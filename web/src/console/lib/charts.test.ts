import { describe, expect, it } from "vitest";
import { barConfig, byCount, perDay, perHour, shortDay, total } from "./charts";

describe("chart series", () => {
  it("lists the days in order with their counts", () => {
    const series = perDay({ questions_by_day: { "2026-11-03": 4, "2026-11-01": 2, "2026-11-02": 0 } });
    expect(series).toEqual({ labels: ["2026-11-01", "2026-11-02", "2026-11-03"], values: [2, 0, 4] });
    expect(series.labels.map(shortDay)).toEqual(["11-01", "11-02", "11-03"]);
    expect(total(series)).toBe(6);
  });

  it("lists all 24 hours, zero where the server sent none", () => {
    const series = perHour({ questions_by_hour: [1, 2] });
    expect(series.labels).toHaveLength(24);
    expect(series.labels[9]).toBe("09");
    expect(series.values.slice(0, 3)).toEqual([1, 2, 0]);
  });

  it("orders languages and channels by count", () => {
    expect(byCount({ zh: 19, en: 41 })).toEqual({ labels: ["en", "zh"], values: [41, 19] });
  });

  it("configures a bar chart of the same numbers", () => {
    const config = barConfig({ labels: ["a", "b"], values: [1, 2] }, { label: "Questions", horizontal: true, tickLabels: ["A", "B"] });
    expect(config.type).toBe("bar");
    expect(config.data.labels).toEqual(["A", "B"]);
    expect(config.data.datasets[0].data).toEqual([1, 2]);
    expect(config.options.indexAxis).toBe("y");
    expect(config.options.animation).toBe(false);
  });
});
