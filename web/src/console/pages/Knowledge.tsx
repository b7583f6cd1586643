// What kefu answers from: the curated answers the shop's people wrote, the index of the help
// center (its documents and their chunks), and a playground comparing the retrieval modes.
import { useState } from "preact/hooks";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { CuratedEditor } from "../components/CuratedEditor";
import { DocumentPanel } from "../components/DocumentPanel";
import { ErrorNote, Loading, Notice } from "../components/ErrorNote";
import { Modal } from "../components/Modal";
import { useApp } from "../context";
import { errorText } from "../lib/errors";
import { formatDateTime, formatMs, formatScore, excerpt } from "../lib/format";
import { navigate, useLoad } from "../lib/hooks";
import { routeHref, type Route } from "../lib/route";
import { MODES, elsewhere, rankMaps } from "../lib/search";
import type { CuratedAnswer, SearchMode, SearchResponse, SearchResult } from "../lib/types";
import { safeHref } from "../../shared/segments";

type Tab = "answers" | "index" | "search";
const TABS: readonly Tab[] = ["answers", "index", "search"];

export function Knowledge({ route }: { route: Route }) {
  const { t } = useApp();
  const tab: Tab = TABS.includes(route.rest[0] as Tab) ? (route.rest[0] as Tab) : "answers";
  return (
    <>
      <div class="page-head">
        <h1 tabIndex={-1}>{t("knowledge.title")}</h1>
      </div>
      <nav class="tabs" aria-label={t("knowledge.tabs")}>
        {TABS.map((name) => (
          <a
            key={name}
            href={routeHref("knowledge", [name])}
            aria-current={tab === name ? "page" : undefined}
            data-testid={`tab-${name}`}
          >
            {t(`tab.${name}`)}
          </a>
        ))}
      </nav>
      {tab === "answers" && <AnswersTab />}
      {tab === "index" && <IndexTab selected={route.params.get("doc")} />}
      {tab === "search" && <SearchTab route={route} />}
    </>
  );
}

/** Does an answer match a filter text (its questions, answer, tags, product, author)? */
export function answerMatches(answer: CuratedAnswer, filter: string): boolean {
  const needle = filter.trim().toLowerCase();
  if (!needle) return true;
  return [...answer.questions, answer.answer, ...answer.tags, answer.product ?? "", answer.author]
    .some((text) => text.toLowerCase().includes(needle));
}

function AnswersTab() {
  const { api, t, lang, session } = useApp();
  const list = useLoad((signal) => api.answers(signal), []);
  const [filter, setFilter] = useState("");
  const [editing, setEditing] = useState<CuratedAnswer | "new" | null>(null);
  const [history, setHistory] = useState<CuratedAnswer | null>(null);
  const [removing, setRemoving] = useState<CuratedAnswer | null>(null);
  const [author, setAuthor] = useState(session.agent);
  const [notice, setNotice] = useState<string | null>(null);
  const answers = (list.data?.answers ?? []).filter((a) => answerMatches(a, filter));

  return (
    <section aria-labelledby="answers-heading">
      <div class="toolbar">
        <h2 id="answers-heading">{t("tab.answers")}</h2>
        <label class="inline">
          <span class="sr-only">{t("answers.filter")}</span>
          <input
            type="search"
            placeholder={t("answers.filter")}
            data-testid="answers-filter"
            value={filter}
            onInput={(e) => setFilter(e.currentTarget.value)}
          />
        </label>
        <button type="button" class="primary" data-testid="answer-add" onClick={() => setEditing("new")}>
          {t("answers.add")}
        </button>
      </div>
      <Notice text={notice} />
      <ErrorNote error={list.error} onRetry={list.reload} />
      {!list.data && !list.error && <Loading />}
      {list.data && list.data.answers.length === 0 && <p class="muted">{t("answers.empty")}</p>}
      {answers.length > 0 && (
        <div class="table-scroll">
          <table class="data-table" data-testid="answers-table">
            <caption class="sr-only">{t("tab.answers")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("col.exampleQuestions")}</th>
                <th scope="col">{t("col.answer")}</th>
                <th scope="col">{t("col.locale")}</th>
                <th scope="col">{t("col.author")}</th>
                <th scope="col" class="num">
                  {t("col.version")}
                </th>
                <th scope="col">{t("col.updated")}</th>
                <th scope="col">{t("col.actions")}</th>
              </tr>
            </thead>
            <tbody>
              {answers.map((a) => (
                <tr key={a.id} data-testid="answer-row" data-answer-id={a.id}>
                  <th scope="row" lang={a.locale}>
                    {a.questions[0]}
                    {a.questions.length > 1 && <span class="muted"> {t("answers.more", { n: a.questions.length - 1 })}</span>}
                    {(a.product || a.tags.length > 0) && (
                      <span class="tags">
                        {[a.product, ...a.tags].filter(Boolean).map((tag) => (
                          <span key={tag} class="badge">
                            {tag}
                          </span>
                        ))}
                      </span>
                    )}
                  </th>
                  <td lang={a.locale} class="answer-cell">
                    {excerpt(a.answer, 160)}
                  </td>
                  <td>{a.locale === "en" || a.locale === "zh" ? t(`locale.${a.locale}`) : a.locale}</td>
                  <td>
                    {a.author}
                    {a.source_conversation_id && (
                      <>
                        {" · "}
                        <a href={routeHref("conversations", [a.source_conversation_id])}>{t("answers.promotedFrom")}</a>
                      </>
                    )}
                  </td>
                  <td class="num">{a.version}</td>
                  <td>{formatDateTime(a.created_at_ms, lang)}</td>
                  <td class="row-actions">
                    <button type="button" data-testid="answer-edit" onClick={() => setEditing(a)}>
                      {t("common.edit")}
                    </button>
                    <button type="button" data-testid="answer-history" onClick={() => setHistory(a)}>
                      {t("answers.history")}
                    </button>
                    <button type="button" class="danger-outline" data-testid="answer-remove" onClick={() => setRemoving(a)}>
                      {t("answers.remove")}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {editing && (
        <CuratedEditor
          editing={editing === "new" ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={(saved) => {
            setEditing(null);
            setNotice(t("editor.saved", { version: saved.version }));
            list.reload();
          }}
        />
      )}
      {history && <HistoryDialog answer={history} onClose={() => setHistory(null)} />}
      {removing && (
        <ConfirmDialog
          title={t("answers.removeTitle")}
          text={t("answers.removeText")}
          confirmLabel={t("answers.remove")}
          danger
          onClose={() => setRemoving(null)}
          onConfirm={async () => {
            await api.removeAnswer(removing.id, author.trim());
            setNotice(t("answers.removed"));
            list.reload();
          }}
        >
          <blockquote class="quote">{removing.questions[0]}</blockquote>
          <div class="field">
            <label for="remove-author">{t("editor.author")}</label>
            <input id="remove-author" data-testid="remove-author" value={author} onInput={(e) => setAuthor(e.currentTarget.value)} />
          </div>
        </ConfirmDialog>
      )}
    </section>
  );
}

function HistoryDialog({ answer, onClose }: { answer: CuratedAnswer; onClose: () => void }) {
  const { api, t, lang } = useApp();
  const history = useLoad((signal) => api.answerHistory(answer.id, signal), [answer.id]);
  const versions = [...(history.data?.versions ?? [])].reverse();
  return (
    <Modal title={t("history.title")} onClose={onClose} wide testid="answer-history-dialog">
      <ErrorNote error={history.error} onRetry={history.reload} />
      {!history.data && !history.error && <Loading />}
      <ol class="versions">
        {versions.map((v) => (
          <li key={v.version} class="card" data-testid="answer-version" data-version={v.version}>
            <h3>
              {t("history.version", { n: v.version })}{" "}
              {v.removed && <span class="badge badge-danger">{t("history.removed")}</span>}
            </h3>
            <p class="muted">{t("history.by", { author: v.author, time: formatDateTime(v.created_at_ms, lang) })}</p>
            <ul class="plain" lang={v.locale}>
              {v.questions.map((q, i) => (
                <li key={i}>{q}</li>
              ))}
            </ul>
            <blockquote class="quote" lang={v.locale}>
              {v.answer}
            </blockquote>
          </li>
        ))}
      </ol>
    </Modal>
  );
}

function IndexTab({ selected }: { selected: string | null }) {
  const { api, t, lang } = useApp();
  const index = useLoad((signal) => api.index(signal), []);
  const [filter, setFilter] = useState("");
  const data = index.data;
  const needle = filter.trim().toLowerCase();
  const documents = (data?.documents ?? []).filter(
    (d) => !needle || d.id.toLowerCase().includes(needle) || d.title.toLowerCase().includes(needle),
  );

  return (
    <>
      <section aria-labelledby="index-heading">
        <div class="toolbar">
          <h2 id="index-heading">{t("index.title")}</h2>
          <button type="button" onClick={index.reload}>
            {t("common.refresh")}
          </button>
        </div>
        <ErrorNote error={index.error} onRetry={index.reload} />
        {!data && !index.error && <Loading />}
        {data && (
          <dl class="figures compact">
            <Stat testid="index-generation" label={t("index.generation")} value={String(data.generation)} />
            <Stat testid="index-model" label={t("index.model")} value={data.model} />
            <Stat testid="index-documents" label={t("index.documents")} value={String(data.documents_count)} />
            <Stat testid="index-chunks" label={t("index.chunks")} value={String(data.chunks_count)} />
            <Stat
              testid="index-last-ingest"
              label={t("index.lastIngest")}
              value={data.last_ingest_ms ? formatDateTime(data.last_ingest_ms, lang) : t("index.never")}
            />
          </dl>
        )}
      </section>
      {data && (
        <div class={selected ? "split even" : undefined}>
          <section class="pane" aria-labelledby="docs-heading">
            <div class="toolbar">
              <h2 id="docs-heading">{t("docs.title")}</h2>
              <label class="inline">
                <span class="sr-only">{t("docs.filter")}</span>
                <input
                  type="search"
                  placeholder={t("docs.filter")}
                  data-testid="documents-filter"
                  value={filter}
                  onInput={(e) => setFilter(e.currentTarget.value)}
                />
              </label>
            </div>
            {documents.length === 0 ? (
              <p class="muted">{t("docs.empty")}</p>
            ) : (
              <div class="table-scroll tall">
                <table class="data-table compact" data-testid="documents-table">
                  <caption class="sr-only">{t("docs.title")}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t("col.title")}</th>
                      <th scope="col">{t("col.locale")}</th>
                      <th scope="col">{t("col.type")}</th>
                      <th scope="col">{t("col.product")}</th>
                      <th scope="col" class="num">
                        {t("col.chunks")}
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {documents.map((d) => (
                      <tr key={d.id} data-testid="document-row" data-doc-id={d.id} class={d.id === selected ? "current" : undefined}>
                        <th scope="row">
                          <a
                            href={routeHref("knowledge", ["index"], { doc: d.id })}
                            aria-current={d.id === selected ? "true" : undefined}
                          >
                            {d.title || d.id}
                          </a>
                          <br />
                          <code class="muted">{d.id}</code>
                        </th>
                        <td>{d.locale}</td>
                        <td>{d.doc_type ?? "–"}</td>
                        <td>{d.product ?? "–"}</td>
                        <td class="num">{d.chunks}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
          {selected && (
            <section class="pane" aria-label={t("doc.title", { id: selected })}>
              <DocumentPanel key={selected} docId={selected} />
            </section>
          )}
        </div>
      )}
    </>
  );
}

function Stat({ testid, label, value }: { testid: string; label: string; value: string }) {
  return (
    <div class="figure" data-testid={testid} data-value={value}>
      <dt>{label}</dt>
      <dd>
        <span class="figure-value small">{value}</span>
      </dd>
    </div>
  );
}

type Outcome = { ok: true; value: SearchResponse } | { ok: false; error: unknown };

function SearchTab({ route }: { route: Route }) {
  const { api, t } = useApp();
  const q = route.params.get("q") ?? "";
  const locale = route.params.get("locale") ?? "";
  const k = clampK(Number(route.params.get("k") ?? 10));
  const [text, setText] = useState(q);
  const [lc, setLc] = useState(locale);
  const [kText, setKText] = useState(String(k));
  // The three modes at once; one failing (no dense index) does not hide the others.
  const results = useLoad(
    q
      ? async (signal) => {
          const settled = await Promise.allSettled(MODES.map((mode) => api.search(q, mode, k, locale || null, signal)));
          return Object.fromEntries(
            MODES.map((mode, i) => {
              const s = settled[i];
              return [mode, s.status === "fulfilled" ? { ok: true, value: s.value } : { ok: false, error: s.reason }];
            }),
          ) as Record<SearchMode, Outcome>;
        }
      : null,
    [q, locale, k],
  );
  const ranks = results.data
    ? rankMaps(
        Object.fromEntries(MODES.map((m) => [m, results.data![m].ok ? (results.data![m] as { value: SearchResponse }).value.results : []])),
      )
    : null;

  return (
    <section aria-labelledby="search-heading">
      <h2 id="search-heading">{t("search.title")}</h2>
      <p class="muted">{t("search.intro")}</p>
      <form
        class="toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          if (text.trim()) navigate(routeHref("knowledge", ["search"], { q: text.trim(), locale: lc, k: clampK(Number(kText)) }));
        }}
      >
        <div class="field inline grow">
          <label for="search-query">{t("search.query")}</label>
          <input id="search-query" type="search" data-testid="search-query" value={text} onInput={(e) => setText(e.currentTarget.value)} />
        </div>
        <div class="field inline">
          <label for="search-locale">{t("search.locale")}</label>
          <select id="search-locale" data-testid="search-locale" value={lc} onChange={(e) => setLc(e.currentTarget.value)}>
            <option value="">{t("common.any")}</option>
            <option value="en">{t("locale.en")}</option>
            <option value="zh">{t("locale.zh")}</option>
          </select>
        </div>
        <div class="field inline">
          <label for="search-k">{t("search.k")}</label>
          <input
            id="search-k"
            type="number"
            min={1}
            max={100}
            class="narrow"
            data-testid="search-k"
            value={kText}
            onInput={(e) => setKText(e.currentTarget.value)}
          />
        </div>
        <button type="submit" class="primary" data-testid="search-submit">
          {t("search.submit")}
        </button>
      </form>
      {results.loading && <Loading />}
      {results.data && ranks && (
        <div class="grid-3 search-columns">
          {MODES.map((mode) => (
            <SearchColumn key={mode} mode={mode} outcome={results.data![mode]} ranks={ranks} />
          ))}
        </div>
      )}
    </section>
  );
}

export function clampK(k: number): number {
  return Number.isFinite(k) ? Math.min(100, Math.max(1, Math.round(k))) : 10;
}

function SearchColumn({ mode, outcome, ranks }: { mode: SearchMode; outcome: Outcome; ranks: ReturnType<typeof rankMaps> }) {
  const { t } = useApp();
  const [doc, setDoc] = useState<SearchResult | null>(null);
  const headingId = `search-${mode}-heading`;
  return (
    <section class="card search-column" data-testid={`search-${mode}`} aria-labelledby={headingId}>
      <h3 id={headingId}>
        {t(`search.${mode}`)}
        {outcome.ok && <span class="muted took"> · {formatMs(outcome.value.took_ms, t)}</span>}
      </h3>
      {!outcome.ok && <p class="note note-error">{errorText(outcome.error, t)}</p>}
      {outcome.ok && outcome.value.results.length === 0 && <p class="muted">{t("search.noResults")}</p>}
      {outcome.ok && (
        <ol class="results">
          {outcome.value.results.map((r, i) => {
            const others = elsewhere(r.chunk_id, mode, ranks);
            const href = safeHref(r.url);
            return (
              <li key={r.chunk_id} class="result" data-testid="search-result" data-chunk-id={r.chunk_id} data-score={r.score}>
                <div class="result-head">
                  <span class="rank">#{i + 1}</span>
                  <span class="score">{t("search.score", { score: formatScore(r.score) })}</span>
                </div>
                <button type="button" class="button-link result-title" onClick={() => setDoc(r)}>
                  {r.title || r.doc_id}
                </button>
                <p class="breadcrumb">{r.breadcrumb}</p>
                <p class="snippet" lang={r.locale}>
                  {r.snippet}
                </p>
                <p class="muted small">
                  <code>{r.doc_id}</code>
                  {href && (
                    <>
                      {" · "}
                      <a href={href} target="_blank" rel="noopener noreferrer">
                        {t("doc.open")}
                      </a>
                    </>
                  )}
                  {" · "}
                  {others.length === 0
                    ? t("search.onlyHere")
                    : others.map((o) => t("search.elsewhere", { mode: t(`search.short.${o.mode}`), n: o.rank })).join(", ")}
                </p>
              </li>
            );
          })}
        </ol>
      )}
      {doc && (
        <Modal title={t("doc.title", { id: doc.doc_id })} onClose={() => setDoc(null)} wide>
          <DocumentPanel docId={doc.doc_id} citation={{ n: 0, chunk_id: doc.chunk_id, doc_id: doc.doc_id, span: null }} />
        </Modal>
      )}
    </section>
  );
}
