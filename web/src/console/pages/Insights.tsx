// Insights for a period: the figures (each share with its counts), when and how customers ask,
// the topics, the knowledge gaps with a way to write the missing answer, and content health; a
// link opens the same period's HTML report.
import { useState } from "preact/hooks";
import { ChartFigure } from "../components/ChartFigure";
import { CuratedEditor, type EditorDraft } from "../components/CuratedEditor";
import { DocumentPanel } from "../components/DocumentPanel";
import { ErrorNote, Loading, Notice } from "../components/ErrorNote";
import { Modal } from "../components/Modal";
import { useApp } from "../context";
import { insightsReportPath } from "../lib/api";
import { byCount, perDay, perHour, shortDay } from "../lib/charts";
import { endOfLocalDay, lastDays, rangeProblem, type DateRange } from "../lib/dates";
import {
  DASH,
  formatMs,
  formatNumber,
  formatShare,
  shareValue,
  sortedCounts,
  trendLabel,
  trendOf,
} from "../lib/format";
import { navigate, useLoad } from "../lib/hooks";
import { codeLabel } from "../lib/i18n";
import { routeHref, type Route } from "../lib/route";
import type { ConversationFilter, Figures, Gap, Insights as InsightsData, PassageRef, Share, Topic } from "../lib/types";

export function Insights({ route }: { route: Route }) {
  const { api, t, lang } = useApp();
  // Without dates in the route the server picks its default, the seven days that end today in
  // the shop's UTC offset (the browser's "today" may be another day there).
  const from = route.params.get("from");
  const to = route.params.get("to");
  const data = useLoad((signal) => api.insights(from, to, signal), [from, to]);
  const range: DateRange =
    from && to ? { from, to } : data.data ? { from: data.data.from, to: data.data.to } : lastDays(7);
  const [writing, setWriting] = useState<EditorDraft | null>(null);
  const [saved, setSaved] = useState<string | null>(null);

  return (
    <>
      <div class="page-head">
        <h1 tabIndex={-1}>{t("insights.title")}</h1>
        {data.data && (
          <>
            <span class="muted" data-testid="insights-period">
              {t("insights.period", { from: data.data.from, to: data.data.to, offset: data.data.utc_offset })}
            </span>
            <a
              href={insightsReportPath(data.data.from, data.data.to, lang)}
              target="_blank"
              rel="noopener"
              data-testid="insights-report"
            >
              {t("insights.report")}
            </a>
          </>
        )}
      </div>
      <RangeForm key={`${range.from}/${range.to}`} range={range} />
      <ErrorNote error={data.error} onRetry={data.reload} />
      <Notice text={saved} />
      {data.loading && !data.data && <Loading />}
      {data.data && (
        <div class={data.loading ? "stale" : undefined} aria-busy={data.loading}>
          <FiguresSection figures={data.data.figures} range={range} />
          <ChartsSection insights={data.data} />
          <TopicsSection insights={data.data} />
          <GapsSection gaps={data.data.gaps} range={range} onWrite={setWriting} />
          <HealthSection insights={data.data} />
          <p class="muted run">
            {t("run.summary", {
              read: data.data.run.questions_read,
              distinct: data.data.run.distinct_questions,
              placed: data.data.run.newly_placed,
              ms: formatMs(data.data.run.total_ms, t),
            })}
          </p>
        </div>
      )}
      {writing && (
        <CuratedEditor
          draft={writing}
          onClose={() => setWriting(null)}
          onSaved={(answer) => {
            setWriting(null);
            setSaved(t("editor.saved", { version: answer.version }));
          }}
        />
      )}
    </>
  );
}

function RangeForm({ range }: { range: DateRange }) {
  const { t } = useApp();
  const [from, setFrom] = useState(range.from);
  const [to, setTo] = useState(range.to);
  const problem = rangeProblem({ from, to });
  const [shown, setShown] = useState(false);

  function submit(event: Event) {
    event.preventDefault();
    setShown(true);
    if (!problem) navigate(routeHref("insights", [], { from, to }));
  }
  function preset(days: number) {
    const next = lastDays(days);
    setFrom(next.from);
    setTo(next.to);
    setShown(false);
    navigate(routeHref("insights", [], { ...next }));
  }

  return (
    <form class="toolbar range" onSubmit={submit} aria-label={t("insights.range")}>
      <div class="field inline">
        <label for="range-from">{t("insights.from")}</label>
        <input id="range-from" type="date" data-testid="range-from" value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
      </div>
      <div class="field inline">
        <label for="range-to">{t("insights.to")}</label>
        <input id="range-to" type="date" data-testid="range-to" value={to} onInput={(e) => setTo(e.currentTarget.value)} />
      </div>
      <button type="submit" class="primary" data-testid="range-apply">
        {t("insights.show")}
      </button>
      <button type="button" onClick={() => preset(7)}>
        {t("insights.last7")}
      </button>
      <button type="button" onClick={() => preset(30)}>
        {t("insights.last30")}
      </button>
      {shown && problem && (
        <span class="help help-error" role="alert">
          {t(`range.${problem}`)}
        </span>
      )}
    </form>
  );
}

/** The conversations behind a figure, as near as the list's filters can say. */
function drillHref(filter: ConversationFilter, range: DateRange, language?: string): string {
  return routeHref("conversations", [], { filter, language, before_ms: endOfLocalDay(range.to) });
}

function ShareFigure(props: { testid: string; label: string; share: Share; help?: string; drill?: string }) {
  const { t } = useApp();
  const { share } = props;
  return (
    <div class="figure" data-testid={props.testid} data-value={share.value ?? ""} data-count={share.count} data-of={share.of}>
      <dt>{props.label}</dt>
      <dd>
        <span class="figure-value">{shareValue(share)}</span>
        <span class="figure-count">{t("figure.nOfN", { count: share.count, of: share.of })}</span>
        {props.help && <span class="figure-help">{props.help}</span>}
        {props.drill && (
          <a class="figure-link" href={props.drill} aria-label={`${t("figure.see")}: ${props.label}`}>
            {t("figure.see")}
          </a>
        )}
      </dd>
    </div>
  );
}

function FiguresSection({ figures, range }: { figures: Figures; range: DateRange }) {
  const { t, lang } = useApp();
  const { csat, latency } = figures;
  return (
    <section aria-labelledby="figures-heading">
      <h2 id="figures-heading">{t("insights.figures")}</h2>
      <dl class="figures">
        <div class="figure" data-testid="figure-conversations" data-value={figures.conversations}>
          <dt>{t("figure.conversations")}</dt>
          <dd>
            <span class="figure-value">{formatNumber(figures.conversations, lang)}</span>
          </dd>
        </div>
        <div class="figure" data-testid="figure-questions" data-value={figures.questions}>
          <dt>{t("figure.questions")}</dt>
          <dd>
            <span class="figure-value">{formatNumber(figures.questions, lang)}</span>
          </dd>
        </div>
        <ShareFigure
          testid="figure-answer-rate"
          label={t("figure.answerRate")}
          share={figures.answer_rate}
          help={t("figure.answerRateHelp")}
          drill={drillHref("abstained", range)}
        />
        <ShareFigure
          testid="figure-containment"
          label={t("figure.containment")}
          share={figures.containment}
          help={figures.containment_definition}
          drill={drillHref("handoff", range)}
        />
        <ShareFigure
          testid="figure-thumbs-up"
          label={t("figure.thumbsUp")}
          share={figures.thumbs_up}
          help={t("figure.thumbsUpHelp")}
          drill={drillHref("thumbs_down", range)}
        />
        <div class="figure" data-testid="figure-csat" data-value={csat.mean ?? ""} data-count={csat.count}>
          <dt>{t("figure.csat")}</dt>
          <dd>
            <span class="figure-value">{csat.mean === null ? DASH : t("figure.csatValue", { mean: csat.mean.toFixed(2) })}</span>
            <span class="figure-count">{t("figure.csatCount", { count: csat.count })}</span>
            {csat.count > 0 && (
              <span class="figure-help">
                {csat.distribution.map((n, i) => `${i + 1}★ ${n}`).join(" · ")}
              </span>
            )}
          </dd>
        </div>
        <div
          class="figure"
          data-testid="figure-latency"
          data-p50={latency.p50_ms ?? ""}
          data-p95={latency.p95_ms ?? ""}
          data-count={latency.count}
        >
          <dt>{t("figure.latency")}</dt>
          <dd>
            <span class="figure-value">
              {formatMs(latency.p50_ms, t)} / {formatMs(latency.p95_ms, t)}
            </span>
            <span class="figure-count">{t("figure.latencyCount", { count: latency.count })}</span>
          </dd>
        </div>
        <ShareFigure
          testid="figure-frustration"
          label={t("figure.frustration")}
          share={figures.frustration_rate}
          help={t("figure.frustrationHelp")}
        />
      </dl>
      <div class="grid-3">
        <CountsTable
          testid="figure-handoffs"
          title={t("figure.handoffs")}
          counts={figures.handoffs_suggested}
          prefix="reason"
          drill={drillHref("handoff", range)}
        />
        <CountsTable testid="figure-tickets-opened" title={t("figure.tickets")} counts={figures.tickets_opened} prefix="reason" />
        <CountsTable
          testid="figure-thumbs-down-reasons"
          title={t("figure.thumbsDown")}
          counts={figures.thumbs_down_reasons}
          prefix="feedback.reason"
          drill={drillHref("thumbs_down", range)}
        />
      </div>
    </section>
  );
}

function CountsTable(props: { testid: string; title: string; counts: Record<string, number>; prefix: string; drill?: string }) {
  const { t } = useApp();
  const rows = sortedCounts(props.counts);
  return (
    <div class="card" data-testid={props.testid}>
      <table class="data-table compact">
        <caption>{props.title}</caption>
        <thead>
          <tr>
            <th scope="col">{t("col.reason")}</th>
            <th scope="col" class="num">
              {t("col.count")}
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && (
            <tr>
              <td colSpan={2} class="muted">
                {t("common.none")}
              </td>
            </tr>
          )}
          {rows.map(([code, n]) => (
            <tr key={code} data-label={code} data-value={n}>
              <th scope="row">{codeLabel(t, props.prefix, code)}</th>
              <td class="num">{n}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {props.drill && rows.length > 0 && (
        <a href={props.drill} class="figure-link" aria-label={`${t("figure.see")}: ${props.title}`}>
          {t("figure.see")}
        </a>
      )}
    </div>
  );
}

function ChartsSection({ insights }: { insights: InsightsData }) {
  const { t } = useApp();
  const f = insights.figures;
  const days = perDay(f);
  const languageName = (code: string) => (code === "en" || code === "zh" ? t(`locale.${code}`) : code);
  return (
    <section aria-labelledby="charts-heading">
      <h2 id="charts-heading">{t("insights.charts")}</h2>
      <div class="charts">
        <ChartFigure
          testid="chart-per-day"
          title={t("chart.perDay")}
          series={days}
          tickLabels={days.labels.map(shortDay)}
          labelHeader={t("col.day")}
          valueHeader={t("col.questions")}
        />
        <ChartFigure
          testid="chart-per-hour"
          title={t("chart.perHour", { offset: insights.utc_offset })}
          series={perHour(f)}
          labelHeader={t("col.hour")}
          valueHeader={t("col.questions")}
          color="#009E73"
        />
        <ChartFigure
          testid="chart-languages"
          title={t("chart.languages")}
          series={byCount(f.questions_by_language)}
          labelHeader={t("col.language")}
          valueHeader={t("col.questions")}
          labelText={languageName}
          horizontal
          color="#E69F00"
        />
        <ChartFigure
          testid="chart-channels"
          title={t("chart.channels")}
          series={byCount(f.questions_by_channel)}
          labelHeader={t("col.channel")}
          valueHeader={t("col.questions")}
          horizontal
          color="#CC79A7"
        />
      </div>
    </section>
  );
}

function TopicsSection({ insights }: { insights: InsightsData }) {
  const { t } = useApp();
  return (
    <section aria-labelledby="topics-heading">
      <h2 id="topics-heading">{t("topics.title")}</h2>
      <p class="muted">
        {t("topics.summary", {
          shown: insights.topics.length,
          count: insights.topic_count,
          threshold: insights.topic_threshold.toFixed(2),
        })}
      </p>
      {insights.topics.length === 0 ? (
        <p class="muted">{t("topics.empty")}</p>
      ) : (
        <div class="table-scroll">
          <table class="data-table" data-testid="topics-table">
            <caption class="sr-only">{t("topics.title")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("col.topic")}</th>
                <th scope="col" class="num">
                  {t("col.questions")}
                </th>
                <th scope="col" class="num">
                  {t("col.previous")}
                </th>
                <th scope="col">{t("col.trend")}</th>
                <th scope="col">{t("col.answerRate")}</th>
                <th scope="col">{t("col.thumbsDown")}</th>
                <th scope="col">{t("col.unmet")}</th>
                <th scope="col">{t("col.details")}</th>
              </tr>
            </thead>
            <tbody>
              {insights.topics.map((topic) => (
                <TopicRow key={topic.id} topic={topic} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function TopicRow({ topic }: { topic: Topic }) {
  const { t } = useApp();
  const trend = trendOf(topic.trend, topic.previous, topic.questions);
  return (
    <tr data-testid="topic-row" data-topic-id={topic.id}>
      <th scope="row" class="topic-label">
        {topic.label}
      </th>
      <td class="num">{topic.questions}</td>
      <td class="num">{topic.previous}</td>
      <td>
        <span class={`trend trend-${trend.direction}`} data-trend={trend.direction} title={trendLabel(trend, t)}>
          <span aria-hidden="true">
            {trend.arrow} {trend.direction === "new" ? t("trend.new") : trend.percent}
          </span>
          <span class="sr-only">{trendLabel(trend, t)}</span>
        </span>
      </td>
      <td>{formatShare(topic.answer_rate, t)}</td>
      <td>{formatShare(topic.thumbs_down, t)}</td>
      <td>{formatShare(topic.unmet, t)}</td>
      <td>
        <details>
          <summary>{t("topics.samples")}</summary>
          <ul class="plain">
            {topic.samples.map((s, i) => (
              <li key={i}>{s}</li>
            ))}
          </ul>
          {topic.documents.length > 0 && (
            <>
              <p class="muted">{t("topics.documents")}</p>
              <ul class="plain">
                {topic.documents.map((d) => (
                  <li key={d.doc_id}>
                    <code>{d.doc_id}</code> ({d.answers})
                  </li>
                ))}
              </ul>
            </>
          )}
          {topic.conversations.length > 0 && <ConversationLinks ids={topic.conversations} />}
        </details>
      </td>
    </tr>
  );
}

function ConversationLinks({ ids }: { ids: string[] }) {
  const { t } = useApp();
  return (
    <p>
      {t("gap.conversations")}:{" "}
      {ids.slice(0, 5).map((id, i) => (
        <span key={id}>
          {i > 0 && ", "}
          <a href={routeHref("conversations", [id])}>{id.slice(0, 8)}</a>
        </span>
      ))}
    </p>
  );
}

function GapsSection({ gaps, range, onWrite }: { gaps: Gap[]; range: DateRange; onWrite: (draft: EditorDraft) => void }) {
  const { t } = useApp();
  const [doc, setDoc] = useState<string | null>(null);
  return (
    <section aria-labelledby="gaps-heading">
      <h2 id="gaps-heading">{t("gaps.title")}</h2>
      <p class="muted">{t("gaps.intro")}</p>
      {gaps.length === 0 && <p class="muted">{t("gaps.empty")}</p>}
      <ol class="gaps">
        {gaps.map((gap) => (
          <li key={gap.topic} class="card gap" data-testid="gap" data-topic-id={gap.topic}>
            <div class="gap-head">
              <h3 lang={gap.language || undefined}>{gap.label}</h3>
              <span class="badge badge-warn" data-testid="gap-unmet" data-count={gap.unmet.count} data-of={gap.unmet.of}>
                {t("gap.unmet")}: {formatShare(gap.unmet, t)}
              </span>
            </div>
            <p class="why">
              <span class="muted">{t("gap.why")}: </span>
              {gap.why.map((w) => (
                <span key={w} class="badge" data-why={w}>
                  {codeLabel(t, "why", w)}
                </span>
              ))}
            </p>
            <div class="grid-2">
              <div>
                <h4>{t("gap.samples")}</h4>
                <ul class="plain" lang={gap.language || undefined}>
                  {gap.samples.map((s, i) => (
                    <li key={i}>{s}</li>
                  ))}
                </ul>
              </div>
              <div>
                <h4>{t("gap.closest")}</h4>
                {gap.closest.length === 0 ? (
                  <p class="muted">{t("common.none")}</p>
                ) : (
                  <ul class="plain">
                    {gap.closest.map((c) => (
                      <li key={c.doc_id}>
                        <button type="button" class="button-link" onClick={() => setDoc(c.doc_id)}>
                          {c.title || c.doc_id}
                        </button>{" "}
                        <span class="muted">
                          <code>{c.doc_id}</code>
                          {c.similarity !== null && ` · ${t("gap.similarity", { value: c.similarity.toFixed(2) })}`}
                        </span>
                      </li>
                    ))}
                  </ul>
                )}
              </div>
            </div>
            {gap.draft && (
              <div class="draft">
                <h4>
                  {t("gap.draft")}:{" "}
                  {gap.draft.kind === "agent_reply" ? t("gap.draftAgent") : t("gap.draftPassage", { doc: gap.draft.doc_id })}
                </h4>
                <blockquote class="quote">{gap.draft.text}</blockquote>
              </div>
            )}
            <div class="actions start">
              <button
                type="button"
                class="primary"
                data-testid="gap-write"
                onClick={() =>
                  onWrite({
                    questions: gap.samples,
                    answer: gap.draft?.text ?? "",
                    locale: gap.language,
                  })
                }
              >
                {t("gap.write")}
              </button>
              <a href={drillHref("abstained", range, gap.language || undefined)} data-testid="gap-conversations">
                {t("gap.conversations")}
              </a>
              {gap.draft?.kind === "agent_reply" && (
                <a href={routeHref("conversations", [gap.draft.conversation_id])}>{t("gap.draftAgent")}</a>
              )}
            </div>
            {gap.conversations.length > 0 && <ConversationLinks ids={gap.conversations} />}
          </li>
        ))}
      </ol>
      {doc && (
        <Modal title={t("doc.title", { id: doc })} onClose={() => setDoc(null)} wide>
          <DocumentPanel docId={doc} />
        </Modal>
      )}
    </section>
  );
}

function HealthSection({ insights }: { insights: InsightsData }) {
  const { t } = useApp();
  const h = insights.health;
  return (
    <section aria-labelledby="health-heading" data-testid="health">
      <h2 id="health-heading">{t("health.title")}</h2>
      <details>
        <summary>{t("health.neverCited", { n: h.never_cited.length, documents: h.documents })}</summary>
        <ul class="plain columns">
          {h.never_cited.map((d) => (
            <li key={d}>
              <code>{d}</code>
            </li>
          ))}
        </ul>
      </details>
      <h3>{t("health.ratedDown")}</h3>
      {h.rated_down.length === 0 ? (
        <p class="muted">{t("common.none")}</p>
      ) : (
        <ul class="plain">
          {h.rated_down.map((d) => (
            <li key={d.doc_id}>
              <code>{d.doc_id}</code>: {t("health.ratedDownItem", { down: d.thumbs_down, citations: d.citations })}{" "}
              <span class="muted">
                (
                {sortedCounts(d.reasons)
                  .map(([r, n]) => `${codeLabel(t, "feedback.reason", r)} ${n}`)
                  .join(", ")}
                )
              </span>
            </li>
          ))}
        </ul>
      )}
      <Pairs title={t("health.contradictions")} pairs={h.contradictions} />
      <Pairs title={t("health.curatedContradictions")} pairs={h.curated_contradictions} />
      <Pairs title={t("health.nearDuplicates")} pairs={h.near_duplicates} />
    </section>
  );
}

function Pairs({ title, pairs }: { title: string; pairs: { a: PassageRef; b: PassageRef; similarity?: number }[] }) {
  const { t } = useApp();
  return (
    <>
      <h3>{title}</h3>
      {pairs.length === 0 ? (
        <p class="muted">{t("common.none")}</p>
      ) : (
        <ul class="pairs">
          {pairs.map((p, i) => (
            <li key={i} class="card pair">
              {p.similarity !== undefined && <span class="badge">{p.similarity.toFixed(2)}</span>}
              <p>
                <code>{p.a.doc_id}</code>: {p.a.excerpt}
              </p>
              <p>
                <code>{p.b.doc_id}</code>: {p.b.excerpt}
              </p>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
