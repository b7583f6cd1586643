// Numbers as the console shows them. Every share keeps its counts beside it ("0.82 (41 of 50)"),
// so a rate from a handful of conversations is never mistaken for a solid one.
import type { Lang, Translate } from "./i18n";
import type { Share } from "./types";

export const DASH = "–";

/** A share's value with two decimals, or a dash when there was nothing to count. */
export function shareValue(share: Share): string {
  return share.value === null || share.value === undefined || share.of === 0 ? DASH : share.value.toFixed(2);
}

/** `0.82 (41 of 50)`. */
export function formatShare(share: Share, t: Translate): string {
  return t("fmt.share", { value: shareValue(share), count: share.count, of: share.of });
}

/** Milliseconds as people read them: `38 ms`, `1.2 s`. */
export function formatMs(ms: number | null | undefined, t: Translate): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return DASH;
  if (ms < 1000) return t("unit.ms", { n: Math.round(ms) });
  return t("unit.s", { n: (ms / 1000).toFixed(ms < 10_000 ? 1 : 0) });
}

export function formatScore(score: number): string {
  return score.toFixed(3);
}

export function locale(lang: Lang): string {
  return lang === "zh" ? "zh-CN" : "en-GB";
}

export function formatNumber(n: number, lang: Lang): string {
  return new Intl.NumberFormat(locale(lang)).format(n);
}

export function formatDateTime(ms: number, lang: Lang): string {
  return new Intl.DateTimeFormat(locale(lang), { dateStyle: "medium", timeStyle: "short" }).format(new Date(ms));
}

export function formatTime(ms: number, lang: Lang): string {
  return new Intl.DateTimeFormat(locale(lang), { timeStyle: "short" }).format(new Date(ms));
}

/** How long ago, coarsely: `just now`, `12 min`, `3 h`, `2 d`. */
export function formatAge(ms: number, now: number, t: Translate): string {
  const seconds = Math.max(0, (now - ms) / 1000);
  if (seconds < 60) return t("age.now");
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return t("age.min", { n: minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return t("age.h", { n: hours });
  return t("age.d", { n: Math.floor(hours / 24) });
}

export type TrendDirection = "up" | "down" | "flat" | "new" | "none";

export interface Trend {
  direction: TrendDirection;
  /** `↑`, `↓`, `→`, `★` or empty. */
  arrow: string;
  /** `+50%`, `−30%`, `0%`; empty for new or unknown. */
  percent: string;
}

/** Changes smaller than this read as steady. */
const STEADY = 0.1;

/** A topic's trend against the period before: `(questions − previous) / previous`. */
export function trendOf(trend: number | null, previous: number, questions: number): Trend {
  if (trend === null || trend === undefined || !Number.isFinite(trend)) {
    if (previous === 0 && questions > 0) return { direction: "new", arrow: "★", percent: "" };
    return { direction: "none", arrow: "", percent: "" };
  }
  const percent = `${trend > 0 ? "+" : trend < 0 ? "−" : ""}${Math.round(Math.abs(trend) * 100)}%`;
  if (Math.abs(trend) < STEADY) return { direction: "flat", arrow: "→", percent };
  return trend > 0 ? { direction: "up", arrow: "↑", percent } : { direction: "down", arrow: "↓", percent };
}

/** The words a screen reader says for a trend. */
export function trendLabel(trend: Trend, t: Translate): string {
  switch (trend.direction) {
    case "up":
      return t("trend.up", { pct: trend.percent });
    case "down":
      return t("trend.down", { pct: trend.percent });
    case "flat":
      return t("trend.flat");
    case "new":
      return t("trend.new");
    default:
      return DASH;
  }
}

/** A record of counts, largest first (ties by name), as `[name, count]` pairs. */
export function sortedCounts(counts: Record<string, number> | null | undefined): [string, number][] {
  return Object.entries(counts ?? {}).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** The start of a long text, cut at a character (code point) boundary. */
export function excerpt(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join("").trimEnd()}…`;
}
