// The conversation as a live log: new messages are announced politely, and the view follows
// the newest one unless the shopper scrolled up to read.

import { useLayoutEffect, useRef } from "preact/hooks";
import type { ChatState } from "./chat";
import { useWidget } from "./context";
import { MessageView, type OpenSource } from "./MessageView";

interface Props {
  state: ChatState;
  greeting: string;
  suggestions: string[];
  onSuggest: (question: string) => void;
  onOpenSource: OpenSource;
  /** Covered by the source view: out of the tab order and the accessibility tree. */
  covered: boolean;
}

/** Closer than this to the bottom counts as "at the bottom". */
const STICK_PX = 48;

export function MessageList({ state, greeting, suggestions, onSuggest, onOpenSource, covered }: Props) {
  const { t } = useWidget();
  const log = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);

  useLayoutEffect(() => {
    const el = log.current;
    if (el && atBottom.current) el.scrollTop = el.scrollHeight;
  }, [state.messages, state.restoring]);

  const asked = state.messages.some((m) => m.role === "customer");
  return (
    <div
      ref={log}
      class="log"
      role="log"
      aria-live="polite"
      aria-label={t("messages")}
      // Scrollable, so reachable by keyboard (axe: scrollable-region-focusable).
      tabIndex={0}
      inert={covered}
      onScroll={(e) => {
        const el = e.currentTarget;
        atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < STICK_PX;
      }}
    >
      <div class="msg bot greeting" data-testid="kefu-greeting">
        <div class="bubble">
          <p class="text">{greeting}</p>
        </div>
      </div>
      {!asked && suggestions.length > 0 && !state.restoring ? (
        <div class="chips" role="group" aria-label={t("suggestions")}>
          {suggestions.map((q) => (
            <button type="button" class="chip" key={q} data-testid="kefu-suggestion" disabled={state.busy} onClick={() => onSuggest(q)}>
              {q}
            </button>
          ))}
        </div>
      ) : null}
      {state.restoring ? (
        <p class="muted center" role="status">
          {t("restoring")}
        </p>
      ) : null}
      {state.messages.map((m) => (
        <MessageView key={m.key} msg={m} onOpenSource={onOpenSource} />
      ))}
    </div>
  );
}
