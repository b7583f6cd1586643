// Sign-in: an agent or admin key and the name replies are signed with. The key goes to the
// server once; the session lives in an HttpOnly cookie the page never reads.
import { useState } from "preact/hooks";
import { ApiError, type Api } from "../lib/api";
import { errorText } from "../lib/errors";
import type { Translate } from "../lib/i18n";
import type { Session } from "../lib/types";
import { isValidId } from "../lib/validate";

const LAST_AGENT = "kefu.console.agent";

function rememberedAgent(): string {
  try {
    return localStorage.getItem(LAST_AGENT) ?? "";
  } catch {
    return "";
  }
}

export function SignIn({ api, t, onSignedIn }: { api: Api; t: Translate; onSignedIn: (session: Session) => void }) {
  const [key, setKey] = useState("");
  const [agent, setAgent] = useState(rememberedAgent);
  const [problem, setProblem] = useState<"key" | "agent" | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    const name = agent.trim();
    if (!key.trim()) return setProblem("key");
    if (!isValidId(name)) return setProblem("agent");
    setProblem(null);
    setError(null);
    setBusy(true);
    try {
      const session = await api.signIn(key.trim(), name);
      try {
        localStorage.setItem(LAST_AGENT, name);
      } catch {
        // Private mode: typed again next time.
      }
      setKey("");
      onSignedIn(session);
    } catch (e) {
      // 401, 403 (a query or publishable key), 429: the server's words say which.
      setError(e instanceof ApiError && e.status !== 0 ? e.message : errorText(e, t));
      setBusy(false);
    }
  }

  return (
    <main id="main" class="signin">
      <form class="signin-card" onSubmit={submit} noValidate aria-labelledby="signin-title">
        <h1 id="signin-title">{t("signin.title")}</h1>
        <p class="muted">{t("signin.intro")}</p>
        <div class="field">
          <label for="signin-key">{t("signin.key")}</label>
          <input
            id="signin-key"
            data-testid="signin-key"
            type="password"
            autocomplete="current-password"
            value={key}
            aria-invalid={problem === "key"}
            aria-describedby="signin-key-help"
            onInput={(e) => setKey(e.currentTarget.value)}
            required
          />
          <p id="signin-key-help" class={problem === "key" ? "help help-error" : "help"}>
            {t(problem === "key" ? "signin.missingKey" : "signin.keyHelp")}
          </p>
        </div>
        <div class="field">
          <label for="signin-agent">{t("signin.agent")}</label>
          <input
            id="signin-agent"
            data-testid="signin-agent"
            autocomplete="username"
            spellcheck={false}
            maxLength={128}
            value={agent}
            aria-invalid={problem === "agent"}
            aria-describedby="signin-agent-help"
            onInput={(e) => setAgent(e.currentTarget.value)}
            required
          />
          <p id="signin-agent-help" class={problem === "agent" ? "help help-error" : "help"}>
            {t(problem === "agent" ? "signin.invalidAgent" : "signin.agentHelp")}
          </p>
        </div>
        {error && (
          <div class="note note-error" role="alert" data-testid="signin-error">
            {error}
          </div>
        )}
        <button type="submit" class="primary wide" disabled={busy} data-testid="signin-submit">
          {t(busy ? "signin.busy" : "signin.submit")}
        </button>
      </form>
    </main>
  );
}
