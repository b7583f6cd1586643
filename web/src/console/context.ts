// What every page needs: the API, the session, the language and its words.
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { Api } from "./lib/api";
import type { Lang, Translate } from "./lib/i18n";
import type { Session } from "./lib/types";

export interface AppContext {
  api: Api;
  session: Session;
  lang: Lang;
  t: Translate;
  isAdmin: boolean;
  /** The session ended (a 401 anywhere, a live stream included): back to sign-in. */
  sessionEnded: () => void;
}

export const App = createContext<AppContext | null>(null);

export function useApp(): AppContext {
  const context = useContext(App);
  if (!context) throw new Error("useApp outside the app");
  return context;
}
