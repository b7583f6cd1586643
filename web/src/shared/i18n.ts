// Language helpers shared by the front ends: kefu's UIs speak Chinese and English.

export type Lang = "zh" | "en";

/** The UI language for a language tag (`zh`, `zh-CN`, `zh-Hant-TW` → Chinese; anything else English). */
export function uiLanguage(tag: string | null | undefined): Lang {
  return /^zh(?:$|[-_])/i.test((tag ?? "").trim()) ? "zh" : "en";
}

/** `template` with each `{name}` replaced by `vars[name]` (text only, for text nodes). */
export function format(template: string, vars: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

/** A date as the UI language writes it (2026年11月22日, Nov 22, 2026). */
export function formatDate(ms: number, lang: Lang): string {
  const date = new Date(ms);
  if (!Number.isFinite(ms) || Number.isNaN(date.getTime())) return "";
  try {
    return date.toLocaleDateString(lang === "zh" ? "zh-CN" : "en", { year: "numeric", month: "short", day: "numeric" });
  } catch {
    return date.toISOString().slice(0, 10);
  }
}
