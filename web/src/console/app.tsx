// The console's shell: the session (checked on load, ended by any 401), the language, the
// header, the left navigation and the page the hash names.
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { App as AppContextProvider, type AppContext } from "./context";
import { createApi, type Api } from "./lib/api";
import { errorText } from "./lib/errors";
import { useHashRoute } from "./lib/hooks";
import { initialLang, storeLang, storedLang, translate, type Key, type Lang, type Translate } from "./lib/i18n";
import { ADMIN_PAGES, PAGES, routeHref, type Page, type Route } from "./lib/route";
import type { Session } from "./lib/types";
import { Conversations } from "./pages/Conversations";
import { Inbox } from "./pages/Inbox";
import { Insights } from "./pages/Insights";
import { Knowledge } from "./pages/Knowledge";
import { SignIn } from "./pages/SignIn";

const NAV_KEYS: Record<Page, Key> = {
  inbox: "nav.inbox",
  insights: "nav.insights",
  knowledge: "nav.knowledge",
  conversations: "nav.conversations",
};

export function ConsoleApp({ api: given }: { api?: Api } = {}) {
  // undefined: still asking the server; null: signed out.
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [bootError, setBootError] = useState<unknown>(null);
  const [lang, setLang] = useState<Lang>(() =>
    initialLang(storedLang(), typeof navigator === "undefined" ? [] : navigator.languages ?? [navigator.language]),
  );
  const sessionRef = useRef<Session | null | undefined>(session);
  sessionRef.current = session;
  const api = useMemo(
    () => given ?? createApi({ csrf: () => sessionRef.current?.csrf ?? null, onUnauthorized: () => setSession(null) }),
    [given],
  );
  const t: Translate = useMemo(() => (key, vars) => translate(lang, key, vars), [lang]);
  const route = useHashRoute();

  useEffect(() => {
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
    document.title = t("app.title");
  }, [lang, t]);

  function check() {
    setBootError(null);
    api.session().then(setSession, (e: { status?: number }) => {
      if (e?.status === 401) setSession(null);
      else setBootError(e);
    });
  }
  useEffect(check, [api]);

  function chooseLang(next: Lang) {
    setLang(next);
    storeLang(next);
  }

  async function signOut() {
    try {
      await api.signOut();
    } catch {
      // Signed out here whatever the server says: the cookie expires on its own.
    }
    setSession(null);
  }

  const header = (
    <header class="topbar">
      <span class="brand">{t("app.title")}</span>
      <div class="topbar-right">
        <label class="inline">
          <span class="sr-only">{t("header.language")}</span>
          <select data-testid="language" value={lang} onChange={(e) => chooseLang(e.currentTarget.value as Lang)}>
            <option value="en" lang="en">
              English
            </option>
            <option value="zh" lang="zh-CN">
              中文
            </option>
          </select>
        </label>
        {session && (
          <>
            <span class="who" data-testid="signed-in-as">
              {t("header.signedInAs", { agent: session.agent })} <span class="badge">{t(`scope.${session.scope}`)}</span>
            </span>
            <button type="button" data-testid="sign-out" onClick={signOut}>
              {t("header.signOut")}
            </button>
          </>
        )}
      </div>
    </header>
  );

  if (session === undefined) {
    return (
      <>
        {header}
        <main id="main" class="boot">
          {bootError ? (
            <div class="note note-error" role="alert">
              {errorText(bootError, t)}{" "}
              <button type="button" class="button-link" onClick={check}>
                {t("common.retry")}
              </button>
            </div>
          ) : (
            <p class="muted" role="status">
              {t("common.loading")}
            </p>
          )}
        </main>
      </>
    );
  }
  if (session === null) {
    return (
      <>
        {header}
        <SignIn api={api} t={t} onSignedIn={setSession} />
      </>
    );
  }

  const context: AppContext = {
    api,
    session,
    lang,
    t,
    isAdmin: session.scope === "admin",
    sessionEnded: () => setSession(null),
  };
  return (
    <AppContextProvider.Provider value={context}>
      <a class="skip" href="#main" onClick={skipToMain}>
        {t("app.skip")}
      </a>
      {header}
      <div class="layout">
        <nav class="sidenav" aria-label={t("nav.label")}>
          <ul>
            {PAGES.filter((page) => context.isAdmin || !ADMIN_PAGES.has(page)).map((page) => (
              <li key={page}>
                <a href={routeHref(page)} aria-current={route.page === page ? "page" : undefined} data-testid={`nav-${page}`}>
                  {t(NAV_KEYS[page])}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" tabIndex={-1} data-page={route.page}>
          <PageView route={route} isAdmin={context.isAdmin} t={t} />
        </main>
      </div>
    </AppContextProvider.Provider>
  );
}

/** The skip link's target is the hash router's too: move focus without changing the hash. */
function skipToMain(event: Event) {
  event.preventDefault();
  document.getElementById("main")?.focus();
}

function PageView({ route, isAdmin, t }: { route: Route; isAdmin: boolean; t: Translate }) {
  // Focus the page's heading when the page changes, so a screen reader hears where it is.
  const page = route.page;
  useEffect(() => {
    const heading = document.querySelector<HTMLElement>("main h1");
    if (heading && document.activeElement?.closest(".sidenav")) heading.focus();
  }, [page]);

  if (ADMIN_PAGES.has(page) && !isAdmin) {
    return (
      <>
        <h1 tabIndex={-1}>{t(NAV_KEYS[page])}</h1>
        <div class="note note-error" role="alert" data-testid="needs-admin">
          {t("common.needsAdmin")}
        </div>
      </>
    );
  }
  switch (page) {
    case "insights":
      return <Insights route={route} />;
    case "knowledge":
      return <Knowledge route={route} />;
    case "conversations":
      return <Conversations route={route} />;
    default:
      return <Inbox route={route} />;
  }
}
