// What every component of the widget reads: the controller, the language and its strings.

import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { Lang } from "../shared/i18n";
import type { Chat } from "./chat";
import type { Translate } from "./strings";

export interface WidgetContext {
  chat: Chat;
  lang: Lang;
  t: Translate;
  /** Puts focus back in the message box (after a control that had it goes away). */
  focusInput: () => void;
}

export const Widget = createContext<WidgetContext | null>(null);

export function useWidget(): WidgetContext {
  const context = useContext(Widget);
  if (!context) throw new Error("kefu widget component outside its provider");
  return context;
}
