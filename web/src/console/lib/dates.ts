// Dates as the insights API takes them: `YYYY-MM-DD`, days of the calendar (the server reads
// them in its own UTC offset; the console proposes the browser's local days).

const DAY_MS = 86_400_000;
/** The longest period the server accepts (docs/insights.md). */
export const MAX_PERIOD_DAYS = 3660;

const pad = (n: number) => String(n).padStart(2, "0");

/** A date's local calendar day, `YYYY-MM-DD`. */
export function isoDate(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** `YYYY-MM-DD` as a UTC midnight in milliseconds, or null when it is no real day. */
export function parseIsoDate(text: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) return null;
  return ms;
}

/** Adds `days` to a `YYYY-MM-DD` day. */
export function addDays(day: string, days: number): string {
  const ms = parseIsoDate(day);
  if (ms === null) throw new Error(`not a date: ${day}`);
  return new Date(ms + days * DAY_MS).toISOString().slice(0, 10);
}

export interface DateRange {
  from: string;
  to: string;
}

/** The `days` days that end today (today included): the insights' default is 7. */
export function lastDays(days: number, today: Date = new Date()): DateRange {
  const to = isoDate(today);
  return { from: addDays(to, -(days - 1)), to };
}

/** Days in a range, both ends included; null when a date is invalid. */
export function rangeDays(range: DateRange): number | null {
  const from = parseIsoDate(range.from);
  const to = parseIsoDate(range.to);
  if (from === null || to === null) return null;
  return Math.round((to - from) / DAY_MS) + 1;
}

export type RangeProblem = "invalid" | "reversed" | "too_long";

/** What is wrong with a range, or null when the server will take it. */
export function rangeProblem(range: DateRange): RangeProblem | null {
  const days = rangeDays(range);
  if (days === null) return "invalid";
  if (days < 1) return "reversed";
  if (days > MAX_PERIOD_DAYS) return "too_long";
  return null;
}

/** The range of the same length just before this one (to compare periods). */
export function previousRange(range: DateRange): DateRange {
  const days = rangeDays(range) ?? 1;
  return { from: addDays(range.from, -days), to: addDays(range.from, -1) };
}

/** The end of a local day, in Unix milliseconds: a "before" cursor that includes the whole day. */
export function endOfLocalDay(day: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match || parseIsoDate(day) === null) return null;
  return new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + 1).getTime();
}
