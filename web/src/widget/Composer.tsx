// The message box: a textarea that grows with its text. Enter sends, Shift+Enter starts a new
// line, and an Enter that confirms an input method's candidate (Chinese, Japanese) does neither.

import { useEffect, useRef } from "preact/hooks";
import { enterAction } from "../shared/ime";
import { MAX_QUESTION_CHARS } from "./chat";
import { useWidget } from "./context";
import { SendIcon } from "./icons";

interface Props {
  draft: string;
  onDraft: (text: string) => void;
  onSend: () => void;
  /** An answer is coming: the shopper may type, not send. */
  busy: boolean;
  /** Bumped to move focus into the box. */
  focusRequest: number;
}

const MAX_HEIGHT = 120;

export function Composer({ draft, onDraft, onSend, busy, focusRequest }: Props) {
  const { t } = useWidget();
  const box = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    if (focusRequest > 0) box.current?.focus();
  }, [focusRequest]);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    el.style.height = "auto";
    el.style.height = `${Math.min(el.scrollHeight, MAX_HEIGHT)}px`;
  }, [draft]);

  const canSend = !busy && draft.trim() !== "";
  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        if (canSend) onSend();
      }}
    >
      <textarea
        ref={box}
        data-testid="kefu-input"
        aria-label={t("input")}
        placeholder={t("placeholder")}
        rows={1}
        maxLength={MAX_QUESTION_CHARS}
        value={draft}
        onInput={(e) => onDraft(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (enterAction(e) !== "send") return;
          e.preventDefault();
          if (canSend) onSend();
        }}
      />
      <button type="submit" class="send" data-testid="kefu-send" aria-label={t("send")} title={t("send")} disabled={!canSend}>
        <SendIcon />
      </button>
    </form>
  );
}
