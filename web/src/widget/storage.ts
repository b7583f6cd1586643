// What the widget keeps in the browser: the session (localStorage, so a reload or another tab
// continues the conversation) and whether the panel was open (sessionStorage: this tab only).
// Storage can be missing or throw (Safari private windows, sandboxed iframes, a full quota):
// then the widget simply forgets.

import type { Session } from "../shared/types";

export interface Slot<T> {
  load(): T | null;
  save(value: T | null): void;
}

function storageOf(name: "localStorage" | "sessionStorage"): Storage | null {
  try {
    return window[name];
  } catch {
    return null;
  }
}

function slot<T>(storage: Storage | null, key: string, check: (value: unknown) => value is T): Slot<T> {
  return {
    load() {
      try {
        const text = storage?.getItem(key);
        if (!text) return null;
        const value: unknown = JSON.parse(text);
        return check(value) ? value : null;
      } catch {
        return null;
      }
    },
    save(value) {
      try {
        if (value === null) storage?.removeItem(key);
        else storage?.setItem(key, JSON.stringify(value));
      } catch {
        // Full or forbidden: not worth failing the chat for.
      }
    },
  };
}

export function isSession(value: unknown): value is Session {
  const s = value as Session;
  return (
    !!s &&
    typeof s.token === "string" &&
    s.token.length > 0 &&
    typeof s.conversation_id === "string" &&
    s.conversation_id.length > 0 &&
    typeof s.expires_at_ms === "number"
  );
}

const isBoolean = (value: unknown): value is boolean => typeof value === "boolean";

/**
 * The slots of one widget: keyed by API and publishable key, so two shops on one origin do not
 * mix, and by the shop's customer, so that a browser passed to someone else (or a customer who
 * logged out) never continues the first one's conversation.
 */
export function widgetStorage(
  api: string,
  key: string,
  user?: string,
  local = storageOf("localStorage"),
  session = storageOf("sessionStorage"),
) {
  const id = `kefu:${api}:${key}:${user ?? ""}`;
  return {
    session: slot(local, `${id}:session`, isSession),
    open: slot(session, `${id}:open`, isBoolean),
  };
}
