// The widget's options, from the script tag's data attributes and `Kefu.init({...})`, checked:
// a shop's typo must cost it one option (with a console warning), never the widget or its page.

import { uiLanguage, type Lang } from "../shared/i18n";

export interface WidgetOptions {
  /** The publishable key. */
  key: string;
  /** The API's base URL, without a trailing slash. */
  api: string;
  position: "right" | "left";
  /** Accent colour, a valid CSS colour; the default when absent. */
  color?: string;
  greeting?: string;
  suggestions: string[];
  /** The shop's id of its customer. */
  user?: string;
  /** The shop's HMAC-SHA256 of `user` (64 hex digits), so that kefu trusts the id. */
  userSignature?: string;
  /** Model codes of what that signed-in customer owns, and looked at recently: only with `userSignature`. */
  ownedProducts?: string[];
  viewedProducts?: string[];
  /** The UI language. */
  lang: Lang;
  /** The locale sent with questions: only when the shop chose one (`data-locale`); else the server detects it. */
  locale?: Lang;
  /** Open the panel at load. */
  open: boolean;
}

/** Option values as given: strings from data attributes, or anything from `Kefu.init`. */
export type RawOptions = Record<string, unknown>;

export interface OptionContext {
  /** The origin the widget's script came from: the default API. */
  scriptOrigin?: string;
  /** The page's `<html lang>`. */
  htmlLang?: string;
  /** Whether a string is a CSS colour (`CSS.supports` in a browser). */
  isColor?: (value: string) => boolean;
}

const NAMES = [
  "key",
  "api",
  "position",
  "color",
  "greeting",
  "suggestions",
  "user",
  "userSignature",
  "ownedProducts",
  "viewedProducts",
  "locale",
  "open",
] as const;
const MAX_SUGGESTIONS = 8;
// The server's own limits (docs/http-api.md): a question of at most 1,000 characters, an
// external user id of 1–128 ASCII letters, digits, `-`, `_`, `.`, `:`, product lists of at
// most 50 model codes of 1–80 bytes.
const MAX_QUESTION = 1000;
const EXTERNAL_USER_ID = /^[A-Za-z0-9_.:-]{1,128}$/;
const MAX_PRODUCTS = 50;
const MAX_PRODUCT_BYTES = 80;

/** The options a script tag's `data-*` attributes give. */
export function fromDataset(dataset: DOMStringMap | undefined): RawOptions {
  const raw: RawOptions = {};
  if (!dataset) return raw;
  for (const name of NAMES) if (dataset[name] !== undefined) raw[name] = dataset[name];
  return raw;
}

/** The checked options, or `undefined` without a usable key; `problems` says what was ignored. */
export function parseOptions(
  raw: RawOptions,
  context: OptionContext = {},
): { options?: WidgetOptions; problems: string[] } {
  const problems: string[] = [];
  const text = (name: string): string | undefined => {
    const value = raw[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
      problems.push(`${name}: not a string`);
      return undefined;
    }
    const trimmed = String(value).trim();
    return trimmed === "" ? undefined : trimmed;
  };

  const key = text("key");
  // A header value: visible ASCII only, or fetch would throw on every request.
  if (!key || !/^[\x21-\x7e]+$/.test(key)) {
    problems.push(key ? "key: not a key" : "key: missing (data-key or Kefu.init({key}))");
    return { problems };
  }

  let api = context.scriptOrigin;
  const apiText = text("api");
  if (apiText) {
    const base = baseUrl(apiText, context.scriptOrigin);
    if (base) api = base;
    else problems.push("api: not an http(s) URL");
  }
  if (!api) {
    problems.push("api: unknown (no script origin; set data-api)");
    return { problems };
  }

  const positionText = text("position");
  let position: "right" | "left" = "right";
  if (positionText === "left" || positionText === "right") position = positionText;
  else if (positionText) problems.push("position: right or left");

  let color = text("color");
  if (color && !isAccentColor(color, context.isColor ?? supportsColor)) {
    problems.push("color: not a CSS colour");
    color = undefined;
  }

  const greetingText = text("greeting");
  const greeting = greetingText ? greetingText.slice(0, 500) : undefined;

  let user = text("user");
  if (user && !EXTERNAL_USER_ID.test(user)) {
    problems.push("user: 1–128 ASCII letters, digits, -, _, ., :");
    user = undefined;
  }

  let userSignature = text("userSignature");
  if (userSignature && (!user || !/^[0-9a-fA-F]{64}$/.test(userSignature))) {
    problems.push("userSignature: 64 hex digits, with user");
    userSignature = undefined;
  }

  // The shop's word about a customer it signed in: the server refuses the lists without the signature.
  const products = (name: "ownedProducts" | "viewedProducts"): string[] | undefined => {
    const list = parseProducts(raw[name], name, problems);
    if (!list.length) return undefined;
    if (!userSignature) problems.push(`${name}: needs userSignature`);
    return userSignature ? list : undefined;
  };

  const localeText = text("locale");
  const locale = localeText ? uiLanguage(localeText) : undefined;

  return {
    options: {
      key,
      api,
      position,
      color,
      greeting,
      suggestions: parseSuggestions(raw.suggestions, problems),
      user,
      userSignature,
      ownedProducts: products("ownedProducts"),
      viewedProducts: products("viewedProducts"),
      lang: locale ?? uiLanguage(context.htmlLang),
      locale,
      open: isTrue(raw.open),
    },
    problems,
  };
}

/** Suggested questions: an array, a JSON array of strings, or `|`-separated text. */
export function parseSuggestions(value: unknown, problems: string[] = []): string[] {
  let list: unknown[] = [];
  if (Array.isArray(value)) list = value;
  else if (typeof value === "string") {
    const trimmed = value.trim();
    if (trimmed.startsWith("[")) {
      try {
        const parsed = JSON.parse(trimmed);
        if (Array.isArray(parsed)) list = parsed;
      } catch {
        problems.push("suggestions: not a JSON array");
      }
    } else list = trimmed.split("|");
  } else if (value !== undefined && value !== null) problems.push("suggestions: an array or text");
  const out: string[] = [];
  for (const item of list) {
    if (typeof item !== "string") continue;
    const question = item.trim();
    if (question && question.length <= MAX_QUESTION && !out.includes(question)) out.push(question);
  }
  return out.slice(0, MAX_SUGGESTIONS);
}

/**
 * Model codes: an array, or comma-separated text. Entries the server would refuse (the whole
 * session with them) are dropped: too long, or with control characters.
 */
export function parseProducts(value: unknown, name = "products", problems: string[] = []): string[] {
  let list: unknown[] = [];
  if (Array.isArray(value)) list = value;
  else if (typeof value === "string") list = value.split(",");
  else if (value !== undefined && value !== null) problems.push(`${name}: an array or comma-separated text`);
  const out: string[] = [];
  for (const item of list) {
    if (typeof item !== "string") continue;
    const model = item.trim();
    if (!model || /[\0-\x1f\x7f-\x9f]/.test(model) || new TextEncoder().encode(model).length > MAX_PRODUCT_BYTES) continue;
    if (!out.includes(model)) out.push(model);
  }
  return out.slice(0, MAX_PRODUCTS);
}

/** `true`, `"true"`, `"1"` or a bare attribute (`data-open`). */
export function isTrue(value: unknown): boolean {
  if (value === true) return true;
  if (typeof value !== "string") return false;
  const v = value.trim().toLowerCase();
  return v === "true" || v === "1" || v === "";
}

/** An http(s) URL without its query, fragment and trailing slash; relative ones against `origin`. */
export function baseUrl(value: string, origin?: string): string | undefined {
  try {
    const url = new URL(value, origin);
    if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
    return (url.origin + url.pathname).replace(/\/+$/, "");
  } catch {
    return undefined;
  }
}

/**
 * A colour a shop may pick as the accent: a real CSS colour, not a keyword that depends on
 * context (`currentcolor`, `inherit`, `var()`), nothing that could end a declaration.
 */
export function isAccentColor(value: string, isColor: (value: string) => boolean): boolean {
  if (value.length > 64 || /[;{}<>\\]|url\(|var\(|attr\(|^(?:inherit|initial|unset|revert|currentcolor|transparent)$/i.test(value)) {
    return false;
  }
  return isColor(value);
}

function supportsColor(value: string): boolean {
  if (typeof CSS !== "undefined" && typeof CSS.supports === "function") return CSS.supports("color", value);
  return /^#(?:[0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i.test(value);
}
