// Insights figures as chart series. The same series feed the Chart.js canvas and the table of
// numbers beside it, so the two cannot disagree.
import { sortedCounts } from "./format";
import type { Figures } from "./types";

export interface Series {
  /** What each bar is (a day, an hour, a language). */
  labels: string[];
  values: number[];
}

/** Questions per day, in day order (the server lists every day of the period, empty ones too). */
export function perDay(figures: Pick<Figures, "questions_by_day">): Series {
  const days = Object.keys(figures.questions_by_day ?? {}).sort();
  return { labels: days, values: days.map((d) => figures.questions_by_day[d] ?? 0) };
}

/** `2026-11-03` → `11-03`: the year is in the period. */
export function shortDay(day: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(day) ? day.slice(5) : day;
}

/** Questions per hour of the day, `00` to `23` (missing hours count 0). */
export function perHour(figures: Pick<Figures, "questions_by_hour">): Series {
  const hours = figures.questions_by_hour ?? [];
  const labels: string[] = [];
  const values: number[] = [];
  for (let h = 0; h < 24; h++) {
    labels.push(String(h).padStart(2, "0"));
    values.push(hours[h] ?? 0);
  }
  return { labels, values };
}

/** A record of counts as a series, largest first. */
export function byCount(counts: Record<string, number> | null | undefined): Series {
  const pairs = sortedCounts(counts);
  return { labels: pairs.map((p) => p[0]), values: pairs.map((p) => p[1]) };
}

export function total(series: Series): number {
  return series.values.reduce((a, b) => a + b, 0);
}

/** The Chart.js configuration of a bar chart of one series (no animation: numbers, not a show). */
export function barConfig(series: Series, options: { horizontal?: boolean; label: string; color?: string; tickLabels?: string[] }) {
  return {
    type: "bar" as const,
    data: {
      labels: options.tickLabels ?? series.labels,
      datasets: [
        {
          label: options.label,
          data: series.values,
          backgroundColor: options.color ?? "#0072B2",
          borderRadius: 2,
          maxBarThickness: 48,
        },
      ],
    },
    options: {
      indexAxis: options.horizontal ? ("y" as const) : ("x" as const),
      responsive: true,
      maintainAspectRatio: false,
      animation: false as const,
      plugins: { legend: { display: false } },
      scales: {
        x: { beginAtZero: true, ticks: { precision: 0, color: "#374151" }, grid: { display: !!options.horizontal } },
        y: { beginAtZero: true, ticks: { precision: 0, color: "#374151" }, grid: { display: !options.horizontal } },
      },
    },
  };
}
