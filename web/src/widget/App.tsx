// The widget: the launcher button and, while open, the panel. Focus follows the shopper:
// into the message box when they open it, back to the launcher when it closes.

import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { Chat, ChatState } from "./chat";
import { Widget } from "./context";
import { ChatIcon, ChevronDownIcon } from "./icons";
import type { WidgetOptions } from "./options";
import { Panel } from "./Panel";
import { translator } from "./strings";
import type { Theme } from "./theme";

interface Props {
  chat: Chat;
  options: WidgetOptions;
  theme: Theme;
}

function useChatState(chat: Chat): ChatState {
  const [state, setState] = useState(chat.state);
  useEffect(() => {
    setState(chat.state);
    return chat.subscribe(() => setState(chat.state));
  }, [chat]);
  return state;
}

export function App({ chat, options, theme }: Props) {
  const state = useChatState(chat);
  const t = useMemo(() => translator(options.lang), [options.lang]);
  const [focusTick, setFocusTick] = useState(0);
  const context = useMemo(
    () => ({ chat, lang: options.lang, t, focusInput: () => setFocusTick((n) => n + 1) }),
    [chat, options.lang, t],
  );
  const [draft, setDraft] = useState("");
  const root = useRef<HTMLDivElement>(null);
  const launcher = useRef<HTMLButtonElement>(null);
  const wasOpen = useRef(state.open);
  const refocus = useRef(false);

  // Closed by any means (Escape, the close button, Kefu.close()) while focus was in the panel:
  // the panel is about to go, so note it now, while the focused element is still there.
  if (wasOpen.current && !state.open) {
    const active = (root.current?.getRootNode() as ShadowRoot | undefined)?.activeElement;
    refocus.current = !!active?.closest(".panel");
  }
  wasOpen.current = state.open;
  useEffect(() => {
    if (!state.open && refocus.current) {
      refocus.current = false;
      launcher.current?.focus();
    }
  }, [state.open]);

  const unread = state.unread > 0 && !state.open;
  return (
    <Widget.Provider value={context}>
      <div
        ref={root}
        class={`kefu ${options.position}${state.open ? " is-open" : ""}`}
        lang={options.lang === "zh" ? "zh-CN" : "en"}
        style={{ "--kefu-accent": theme.accent, "--kefu-on-accent": theme.onAccent, "--kefu-link": theme.link }}
        onKeyDown={(e) => {
          // Escape on the launcher (the panel handles its own).
          if (e.key === "Escape" && state.open) chat.close();
        }}
      >
        {state.open ? (
          <Panel
            state={state}
            focusRequest={state.focusRequest + focusTick}
            greeting={options.greeting ?? t("greeting")}
            suggestions={options.suggestions}
            draft={draft}
            onDraft={setDraft}
            onClose={() => chat.close()}
          />
        ) : null}
        <button
          ref={launcher}
          type="button"
          class="launcher"
          data-testid="kefu-launcher"
          aria-label={state.open ? t("closeChat") : unread ? `${t("openChat")} (${t("unread", { n: state.unread })})` : t("openChat")}
          aria-expanded={state.open ? "true" : "false"}
          aria-controls={state.open ? "kefu-panel" : undefined}
          onClick={() => chat.toggle()}
        >
          {state.open ? <ChevronDownIcon /> : <ChatIcon />}
          {unread ? (
            <span class="badge" aria-hidden="true">
              {state.unread > 9 ? "9+" : state.unread}
            </span>
          ) : null}
        </button>
      </div>
    </Widget.Provider>
  );
}
