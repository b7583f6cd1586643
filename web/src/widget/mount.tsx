// Puts the widget on the page: one element of our own (`<kefu-widget>`) with an open shadow
// root holding our CSS and markup, so the page's styles do not reach in and ours do not leak
// out. Tests pierce the shadow root (it is open on purpose).

import { render } from "preact";
import css from "./widget.css?inline";
import { App } from "./App";
import { Chat, type ChatDeps } from "./chat";
import type { WidgetOptions } from "./options";
import { widgetStorage } from "./storage";
import { resolveTheme } from "./theme";

export interface Mounted {
  chat: Chat;
  host: HTMLElement;
  unmount: () => void;
}

export function mount(options: WidgetOptions, deps: Partial<ChatDeps> = {}): Mounted {
  const host = document.createElement("kefu-widget");
  // Inline and !important: the page's own rules (`div { … }`, `* { … }`) cannot move or hide it.
  host.style.setProperty("all", "initial", "important");
  host.style.setProperty("position", "fixed", "important");
  host.style.setProperty("z-index", "2147483000", "important");
  host.style.setProperty("inset", "auto", "important");
  const shadow = host.attachShadow({ mode: "open" });
  const style = document.createElement("style");
  style.textContent = css;
  const container = document.createElement("div");
  shadow.append(style, container);
  document.body.appendChild(host);

  const chat = new Chat(options, { ...widgetStorage(options.api, options.key, options.user), ...deps });
  render(<App chat={chat} options={options} theme={resolveTheme(options.color)} />, container);
  chat.start();
  return {
    chat,
    host,
    unmount() {
      chat.destroy();
      render(null, container);
      host.remove();
    },
  };
}
