// Every conversation, newest first, filtered by what happened in it; a transcript to read; and
// the deletions privacy requests ask for (one conversation, or all of one customer's).
import { useEffect, useState } from "preact/hooks";
import { StateBadge } from "../components/Badges";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { ErrorNote, Loading, Notice } from "../components/ErrorNote";
import { Transcript } from "../components/Transcript";
import { useApp } from "../context";
import { formatDateTime } from "../lib/format";
import { navigate, useLoad } from "../lib/hooks";
import { routeHref, type Route } from "../lib/route";
import type { ConversationFilter, ConversationPage, ConversationSummary } from "../lib/types";
import { isValidId } from "../lib/validate";
import { short } from "./Inbox";

const FILTERS: readonly ConversationFilter[] = ["all", "answered", "abstained", "thumbs_down", "handoff"];
const LANGUAGES = ["", "en", "zh"] as const;

export function Conversations({ route }: { route: Route }) {
  const { api, t } = useApp();
  const selected = route.rest[0] ?? null;
  const filterParam = route.params.get("filter") as ConversationFilter | null;
  const filter: ConversationFilter = filterParam && FILTERS.includes(filterParam) ? filterParam : "all";
  const language = route.params.get("language") ?? "";
  const beforeParam = Number(route.params.get("before_ms"));
  const before = Number.isFinite(beforeParam) && beforeParam > 0 ? beforeParam : null;
  const params = { filter, language: language || undefined, before_ms: before ?? undefined };

  const first = useLoad((signal) => api.conversations({ filter, language: language || undefined, before_ms: before }, signal), [
    filter,
    language,
    before,
  ]);
  const [more, setMore] = useState<ConversationSummary[]>([]);
  // Where the next page starts: after this conversation (time and id, so none is skipped).
  const [next, setNext] = useState<{ ms: number; id: string | null } | null>(null);
  const [moreError, setMoreError] = useState<unknown>(null);
  const [removed, setRemoved] = useState<Set<string>>(new Set());
  const [notice, setNotice] = useState<string | null>(null);
  const [erasing, setErasing] = useState<string | null>(null);

  useEffect(() => {
    setMore([]);
    setNext(cursorOf(first.data));
  }, [first.data]);

  async function loadMore() {
    if (next === null) return;
    setMoreError(null);
    try {
      const page = await api.conversations({
        filter,
        language: language || undefined,
        before_ms: next.ms,
        before_id: next.id,
      });
      setMore((old) => [...old, ...page.conversations]);
      setNext(cursorOf(page));
    } catch (e) {
      setMoreError(e);
    }
  }

  const rows = [...(first.data?.conversations ?? []), ...more].filter((c) => !removed.has(c.id));
  const go = (changes: Record<string, string | undefined>) =>
    navigate(routeHref("conversations", selected ? [selected] : [], { ...params, before_ms: undefined, ...changes }));

  return (
    <>
      <div class="page-head">
        <h1 tabIndex={-1}>{t("conversations.title")}</h1>
      </div>
      <div class="toolbar">
        <div class="field inline">
          <label for="conv-filter">{t("conv.filter")}</label>
          <select id="conv-filter" data-testid="conversation-filter" value={filter} onChange={(e) => go({ filter: e.currentTarget.value })}>
            {FILTERS.map((f) => (
              <option key={f} value={f}>
                {t(`filter.${f}`)}
              </option>
            ))}
          </select>
        </div>
        <div class="field inline">
          <label for="conv-language">{t("conv.language")}</label>
          <select
            id="conv-language"
            data-testid="conversation-language"
            value={language}
            onChange={(e) => go({ language: e.currentTarget.value || undefined })}
          >
            {LANGUAGES.map((l) => (
              <option key={l} value={l}>
                {l ? t(`locale.${l}`) : t("common.all")}
              </option>
            ))}
          </select>
        </div>
        <EraseForm onErase={setErasing} />
      </div>
      <Notice text={notice} />
      <div class="split">
        <section class="pane list-pane" aria-label={t("conversations.title")}>
          <ErrorNote error={first.error} onRetry={first.reload} />
          {!first.data && !first.error && <Loading />}
          {first.data && rows.length === 0 && <p class="muted empty">{t("conv.empty")}</p>}
          <ul class="ticket-list">
            {rows.map((c) => (
              <ConversationRow key={c.id} conversation={c} current={c.id === selected} params={params} />
            ))}
          </ul>
          <ErrorNote error={moreError} onRetry={loadMore} />
          {next !== null && (
            <button type="button" class="wide" data-testid="load-more" onClick={loadMore}>
              {t("common.loadMore")}
            </button>
          )}
        </section>
        <section class="pane detail-pane" aria-label={selected ? t("conv.heading", { id: short(selected) }) : t("conv.pick")}>
          {selected ? (
            <ConversationDetail
              key={selected}
              id={selected}
              onDeleted={(text) => {
                setRemoved((old) => new Set(old).add(selected));
                setNotice(text);
                navigate(routeHref("conversations", [], params));
              }}
              onErase={setErasing}
            />
          ) : (
            <p class="muted empty">{t("conv.pick")}</p>
          )}
        </section>
      </div>
      {erasing && (
        <ConfirmDialog
          title={t("erase.confirmTitle", { id: erasing })}
          text={t("erase.confirmText")}
          confirmLabel={t("common.delete")}
          danger
          typeToConfirm={{ value: erasing, label: t("erase.confirmLabel") }}
          onClose={() => setErasing(null)}
          onConfirm={async () => {
            const result = await api.deleteUser(erasing);
            setNotice(t("erase.done", { ...result.deleted, id: erasing }));
            if (selected) navigate(routeHref("conversations", [], params));
            first.reload();
          }}
        />
      )}
    </>
  );
}

function ConversationRow({
  conversation: c,
  current,
  params,
}: {
  conversation: ConversationSummary;
  current: boolean;
  params: Record<string, string | number | undefined>;
}) {
  const { t, lang } = useApp();
  return (
    <li>
      <a
        class={current ? "ticket-row current" : "ticket-row"}
        href={routeHref("conversations", [c.id], params)}
        aria-current={current ? "true" : undefined}
        data-testid="conversation-row"
        data-conversation-id={c.id}
      >
        <span class="row-main">
          <span class="preview" lang={c.language ?? undefined}>
            {c.preview || "…"}
          </span>
        </span>
        <span class="row-sub">
          <span>{formatDateTime(c.updated_at_ms, lang)}</span>
          <span>{c.external_user_id ?? t("conv.anonymous")}</span>
          <span>{c.channel}</span>
          <span>{t("conv.turns", { n: c.turns })}</span>
          {c.language && <span>{c.language}</span>}
        </span>
        <span class="badges">
          {c.answered > 0 && <span class="badge badge-ok">{t("filter.answered")}</span>}
          {c.abstained > 0 && <span class="badge badge-warn">{t("filter.abstained")}</span>}
          {c.thumbs_down > 0 && <span class="badge badge-danger">{t("filter.thumbs_down")}</span>}
          {c.ticket_state && <StateBadge state={c.ticket_state} />}
        </span>
      </a>
    </li>
  );
}

function EraseForm({ onErase }: { onErase: (id: string) => void }) {
  const { t } = useApp();
  const [id, setId] = useState("");
  const [invalid, setInvalid] = useState(false);
  return (
    <form
      class="erase"
      aria-labelledby="erase-heading"
      onSubmit={(e) => {
        e.preventDefault();
        const value = id.trim();
        setInvalid(!isValidId(value));
        if (isValidId(value)) onErase(value);
      }}
    >
      <h2 id="erase-heading" class="sr-only">
        {t("erase.title")}
      </h2>
      <div class="field inline">
        <label for="erase-user-id">{t("erase.label")}</label>
        <input
          id="erase-user-id"
          data-testid="erase-user-id"
          value={id}
          spellcheck={false}
          aria-invalid={invalid}
          aria-describedby="erase-help"
          onInput={(e) => setId(e.currentTarget.value)}
        />
      </div>
      <button type="submit" class="danger-outline" data-testid="erase-user">
        {t("erase.submit")}
      </button>
      <span id="erase-help" class={invalid ? "help help-error" : "sr-only"}>
        {invalid ? t("erase.invalid") : `${t("erase.title")}: ${t("erase.help")}`}
      </span>
    </form>
  );
}

function ConversationDetail({
  id,
  onDeleted,
  onErase,
}: {
  id: string;
  onDeleted: (notice: string) => void;
  onErase: (externalUserId: string) => void;
}) {
  const { api, t, lang } = useApp();
  const loaded = useLoad((signal) => api.conversation(id, signal), [id]);
  const [deleting, setDeleting] = useState(false);
  if (loaded.error) return <ErrorNote error={loaded.error} onRetry={loaded.reload} />;
  if (!loaded.data) return <Loading />;
  const c = loaded.data;
  return (
    <div data-testid="conversation-detail" data-conversation-id={c.id}>
      <header class="detail-head">
        <div>
          <h2>{t("conv.heading", { id: short(c.id) })}</h2>
          <p class="meta">
            <span>{c.external_user_id ?? t("conv.anonymous")}</span>
            <span>{c.channel}</span>
            <span>{formatDateTime(c.created_at_ms, lang)}</span>
          </p>
        </div>
        <div class="actions">
          {c.external_user_id && (
            <button type="button" class="danger-outline" data-testid="erase-customer" onClick={() => onErase(c.external_user_id!)}>
              {t("conv.eraseCustomer")}
            </button>
          )}
          <button type="button" class="danger-outline" data-testid="delete-conversation" onClick={() => setDeleting(true)}>
            {t("conv.delete")}
          </button>
        </div>
      </header>
      <div class="transcript-box tall">
        <Transcript conversation={c} />
      </div>
      {deleting && (
        <ConfirmDialog
          title={t("conv.deleteTitle")}
          text={t("conv.deleteText")}
          confirmLabel={t("common.delete")}
          danger
          onClose={() => setDeleting(false)}
          onConfirm={async () => {
            const result = await api.deleteConversation(c.id);
            onDeleted(t("conv.deleted", result.deleted));
          }}
        />
      )}
    </div>
  );
}

/** Where the page after `page` starts, or `null` after the last one. */
function cursorOf(page: ConversationPage | undefined): { ms: number; id: string | null } | null {
  if (page?.next_before_ms == null) return null;
  return { ms: page.next_before_ms, id: page.next_before_id ?? null };
}
