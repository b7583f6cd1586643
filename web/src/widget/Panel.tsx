// The chat panel: a non-modal dialog with the conversation, the message box, "talk to a
// person", and the source view over the conversation when a citation is opened.

import { useEffect, useRef, useState } from "preact/hooks";
import type { ChatState } from "./chat";
import { Composer } from "./Composer";
import { useWidget } from "./context";
import { CloseIcon, PersonIcon } from "./icons";
import { MessageList } from "./MessageList";
import { SourceView } from "./SourceView";

interface Props {
  state: ChatState;
  /** Bumped to move focus into the message box. */
  focusRequest: number;
  greeting: string;
  suggestions: string[];
  draft: string;
  onDraft: (text: string) => void;
  /** Closes the panel and gives focus back to the launcher. */
  onClose: () => void;
}

interface Opened {
  key: string;
  n: number;
  /** The button that opened it, focused again when it closes. */
  from: HTMLElement;
}

export function Panel({ state, focusRequest, greeting, suggestions, draft, onDraft, onClose }: Props) {
  const { chat, t, focusInput } = useWidget();
  const [opened, setOpened] = useState<Opened | null>(null);
  const returnTo = useRef<HTMLElement | null>(null);
  const citation = opened
    ? state.messages.find((m) => m.key === opened.key)?.citations.find((c) => c.n === opened.n)
    : undefined;

  useEffect(() => {
    // Back from a source: to the button that opened it.
    if (!opened && returnTo.current) {
      returnTo.current.focus();
      returnTo.current = null;
    }
  }, [opened]);

  const closeSource = () => {
    returnTo.current = opened?.from ?? null;
    setOpened(null);
  };
  const send = (text: string) => {
    if (chat.send(text)) onDraft("");
    // The button pressed (send goes disabled, a suggestion goes away) would take focus with it.
    focusInput();
  };

  return (
    <div
      id="kefu-panel"
      class="panel"
      role="dialog"
      aria-label={t("panel")}
      data-testid="kefu-panel"
      onKeyDown={(e) => {
        if (e.key !== "Escape" || e.isComposing) return;
        e.stopPropagation();
        if (opened) closeSource();
        else onClose();
      }}
    >
      <div class="header">
        <div class="heading">
          <h2 class="title">{t("title")}</h2>
          <p class="subtitle">{t("subtitle")}</p>
        </div>
        <button
          type="button"
          class="handoff"
          data-testid="kefu-handoff"
          // Not `disabled` while it runs: a disabled button drops the focus it has.
          aria-disabled={state.handingOff ? "true" : undefined}
          onClick={() => void chat.handoff()}
        >
          <PersonIcon />
          <span>{t("handoff")}</span>
        </button>
        <button type="button" class="icon-button" aria-label={t("closeChat")} title={t("closeChat")} onClick={onClose}>
          <CloseIcon />
        </button>
      </div>
      <div class="body">
        <MessageList
          state={state}
          greeting={greeting}
          suggestions={suggestions}
          onSuggest={send}
          onOpenSource={(key, n, from) => setOpened({ key, n, from })}
          covered={!!citation}
        />
        {citation ? <SourceView key={`${opened!.key}:${opened!.n}`} citation={citation} onClose={closeSource} /> : null}
      </div>
      {state.notice ? (
        <p class="notice" role="status">
          {t(state.notice)}
        </p>
      ) : null}
      <Composer
        draft={draft}
        onDraft={onDraft}
        onSend={() => send(draft)}
        busy={state.busy || state.restoring}
        focusRequest={focusRequest}
      />
    </div>
  );
}
