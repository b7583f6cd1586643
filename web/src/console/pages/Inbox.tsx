// The agents' inbox: tickets by priority and age on the left, the selected one's whole
// conversation on the right, live, with the reply box and the ticket's actions.
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { StateBadge, TicketBadges } from "../components/Badges";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { ErrorNote, Loading, Notice } from "../components/ErrorNote";
import { Transcript } from "../components/Transcript";
import { useApp } from "../context";
import { ApiError } from "../lib/api";
import { formatAge, formatTime } from "../lib/format";
import { navigate, useInterval, useLoad, useNow } from "../lib/hooks";
import { routeHref, type Route } from "../lib/route";
import { follow } from "../lib/sse";
import { isActive, lastAgentReply, lastSeq, mergeTurns, sortTickets } from "../lib/tickets";
import type { Ticket, TicketView, Turn } from "../lib/types";
import { MAX_REPLY_CHARS, charCount } from "../lib/validate";

/** `active` (open and assigned, the default) is the console's own: two lists merged. */
const STATES = ["active", "open", "assigned", "resolved", "expired", "all"] as const;
/** How often the list is read again. */
const REFRESH_MS = 10_000;

export function Inbox({ route }: { route: Route }) {
  const { api, t, lang } = useApp();
  const state = route.params.get("state") ?? "active";
  const selected = route.rest[0] ?? null;
  const list = useLoad(
    async (signal) => {
      if (state !== "active") return api.tickets(state, 50, signal);
      // A ticket an agent answered becomes assigned: it stays in sight until resolved.
      const [open, assigned] = await Promise.all([api.tickets("open", 50, signal), api.tickets("assigned", 50, signal)]);
      return { tickets: [...open.tickets, ...assigned.tickets] };
    },
    [state],
  );
  const [checkedAt, setCheckedAt] = useState<number | null>(null);
  useEffect(() => {
    if (list.data) setCheckedAt(Date.now());
  }, [list.data]);
  useInterval(list.reload, REFRESH_MS);
  const now = useNow();
  const tickets = sortTickets(list.data?.tickets ?? []);

  return (
    <>
      <div class="page-head">
        <h1 tabIndex={-1}>{t("inbox.title")}</h1>
        {checkedAt !== null && <span class="muted">{t("common.updated", { time: formatTime(checkedAt, lang) })}</span>}
      </div>
      <div class="split">
        <section class="pane list-pane" aria-labelledby="tickets-heading">
          <div class="toolbar">
            <h2 id="tickets-heading">{t("inbox.tickets")}</h2>
            <label class="inline">
              {t("inbox.state")}{" "}
              <select
                data-testid="ticket-state-filter"
                value={state}
                onChange={(e) => navigate(routeHref("inbox", selected ? [selected] : [], { state: e.currentTarget.value }))}
              >
                {STATES.map((s) => (
                  <option key={s} value={s}>
                    {t(`state.${s}`)}
                  </option>
                ))}
              </select>
            </label>
          </div>
          <ErrorNote error={list.error} onRetry={list.reload} />
          {!list.data && !list.error && <Loading />}
          {list.data && tickets.length === 0 && <p class="muted empty">{t("inbox.empty")}</p>}
          <ul class="ticket-list">
            {tickets.map((ticket) => (
              <TicketRow key={ticket.id} ticket={ticket} state={state} current={ticket.id === selected} now={now} />
            ))}
          </ul>
        </section>
        <section class="pane detail-pane" aria-label={selected ? t("ticket.heading", { id: short(selected) }) : t("inbox.pick")}>
          {selected ? (
            <TicketDetail key={selected} id={selected} onChanged={list.reload} />
          ) : (
            <p class="muted empty">{t("inbox.pick")}</p>
          )}
        </section>
      </div>
    </>
  );
}

/** The first characters of a UUID: enough to tell tickets apart on screen. */
export function short(id: string): string {
  return id.length > 12 ? id.slice(0, 8) : id;
}

function TicketRow({ ticket, state, current, now }: { ticket: Ticket; state: string; current: boolean; now: number }) {
  const { t } = useApp();
  return (
    <li>
      <a
        class={current ? "ticket-row current" : "ticket-row"}
        href={routeHref("inbox", [ticket.id], { state })}
        aria-current={current ? "true" : undefined}
        data-testid="ticket-row"
        data-ticket-id={ticket.id}
        data-priority={ticket.priority}
      >
        <span class="row-main">
          <TicketBadges ticket={ticket} />
          <span class="age">{formatAge(ticket.created_at_ms, now, t)}</span>
        </span>
        <span class="row-sub">
          <span>{ticket.external_user_id ? t("ticket.customer", { id: ticket.external_user_id }) : short(ticket.conversation_id)}</span>
          <span>{ticket.assignee ? t("ticket.assignee", { agent: ticket.assignee }) : t("ticket.unassigned")}</span>
          {state !== "open" && <StateBadge state={ticket.state} />}
        </span>
      </a>
    </li>
  );
}

function TicketDetail({ id, onChanged }: { id: string; onChanged: () => void }) {
  const { api, t, session, isAdmin, sessionEnded } = useApp();
  const loaded = useLoad((signal) => api.ticket(id, signal), [id]);
  const view = loaded.data;
  // null until the stream first answers: "connecting", then live or reconnecting.
  const [live, setLive] = useState<boolean | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [promoting, setPromoting] = useState(false);
  const now = useNow();
  const conversationId = view?.conversation.id ?? null;
  const turnsRef = useRef<Turn[]>([]);
  turnsRef.current = view?.conversation.turns ?? [];

  // Live turns: the customer's messages and other agents' replies as they are stored. A ticket
  // event (assigned, resolved) also changes the ticket, so read it again then.
  useEffect(() => {
    if (!conversationId) return;
    const controller = new AbortController();
    const seq = lastSeq(turnsRef.current);
    void follow(`/v1/conversations/${encodeURIComponent(conversationId)}/events`, {
      lastEventId: seq === null ? null : String(seq),
      signal: controller.signal,
      onStatus: setLive,
      onUnauthorized: sessionEnded,
      onError: setError,
      onEvent: (event) => {
        if (event.event !== "turn") return;
        let turn: Turn;
        try {
          turn = JSON.parse(event.data) as Turn;
        } catch {
          return;
        }
        loaded.setData((old) => old && withTurns(old, [turn]));
        if (turn.role === "system") {
          api.ticket(id).then(
            (fresh) => loaded.setData((old) => (old ? { ...old, ticket: fresh.ticket } : fresh)),
            () => {},
          );
          onChanged();
        }
      },
    });
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [conversationId]);

  if (loaded.error && !view) return <ErrorNote error={loaded.error} onRetry={loaded.reload} />;
  if (!view) return <Loading />;
  const ticket = view.ticket;
  const active = isActive(ticket);
  const reply = lastAgentReply(view.conversation.turns, ticket.id);

  async function act(action: () => Promise<TicketView>) {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      const result = await action();
      loaded.setData((old) => (old ? withTurns({ ...old, ticket: result.ticket }, result.conversation.turns) : result));
      onChanged();
      return true;
    } catch (e) {
      setError(e);
      // Someone else changed it meanwhile: show what it is now.
      if (e instanceof ApiError && e.code === "ticket_state_conflict") loaded.reload();
      return false;
    } finally {
      setBusy(false);
    }
  }

  async function promote() {
    if (isActive(view!.ticket)) {
      try {
        const result = await api.resolve(ticket.id, session.agent);
        loaded.setData((old) => (old ? withTurns({ ...old, ticket: result.ticket }, result.conversation.turns) : result));
      } catch (e) {
        // Resolved meanwhile (a click on Resolve still on its way, or another agent): the
        // server says whether the reply can be promoted as the ticket is now.
        if (!(e instanceof ApiError && e.code === "ticket_state_conflict")) throw e;
        loaded.reload();
      }
      onChanged();
    }
    const saved = await api.promoteTicket(ticket.id, session.agent);
    setNotice(t("ticket.promoted", { id: short(saved.id) }));
  }

  return (
    <div class="ticket-detail" data-testid="ticket-detail" data-ticket-id={ticket.id} data-state={ticket.state}>
      <header class="detail-head">
        <div>
          <h2>
            {t("ticket.heading", { id: short(ticket.id) })} <StateBadge state={ticket.state} />
          </h2>
          <p class="meta">
            <TicketBadges ticket={ticket} />
            <span>{t("ticket.age", { age: formatAge(ticket.created_at_ms, now, t) })}</span>
            <span data-testid="ticket-assignee">
              {ticket.assignee ? t("ticket.assignee", { agent: ticket.assignee }) : t("ticket.unassigned")}
            </span>
            {ticket.external_user_id && <span>{t("ticket.customer", { id: ticket.external_user_id })}</span>}
            <span class={live ? "live on" : "live"} data-testid="live">
              {t(live ? "ticket.live" : live === null ? "ticket.connecting" : "ticket.reconnecting")}
            </span>
          </p>
        </div>
        <div class="actions">
          {active && ticket.assignee !== session.agent && (
            <button type="button" data-testid="assign" disabled={busy} onClick={() => act(() => api.assign(ticket.id, session.agent))}>
              {t("ticket.assign")}
            </button>
          )}
          {active && (
            <button type="button" data-testid="resolve" disabled={busy} onClick={() => act(() => api.resolve(ticket.id, session.agent))}>
              {t("ticket.resolve")}
            </button>
          )}
          {isAdmin && ticket.state !== "expired" && (
            <button
              type="button"
              data-testid="promote"
              disabled={busy || !reply}
              title={reply ? undefined : t("ticket.noReply")}
              onClick={() => setPromoting(true)}
            >
              {t("ticket.promote")}
            </button>
          )}
        </div>
      </header>
      <ErrorNote error={error} />
      <Notice text={notice} />
      <ScrollBox count={view.conversation.turns.length}>
        <Transcript conversation={view.conversation} />
      </ScrollBox>
      {active ? (
        <ReplyBox busy={busy} onSend={(text) => act(() => api.reply(ticket.id, session.agent, text))} />
      ) : (
        <p class="muted closed-note">{t("ticket.closed", { state: t(`state.${ticket.state === "expired" ? "expired" : "resolved"}`) })}</p>
      )}
      {promoting && (
        <ConfirmDialog
          title={t("ticket.promoteTitle")}
          text={t("ticket.promoteText")}
          confirmLabel={t("ticket.promote")}
          onConfirm={promote}
          onClose={() => setPromoting(false)}
        >
          {reply && <blockquote class="quote">{reply.text}</blockquote>}
        </ConfirmDialog>
      )}
    </div>
  );
}

function withTurns(view: TicketView, turns: readonly Turn[]): TicketView {
  return { ...view, conversation: { ...view.conversation, turns: mergeTurns(view.conversation.turns, turns) } };
}

/** Keeps the newest turn in sight as turns arrive, unless the agent scrolled up to read. */
function ScrollBox({ count, children }: { count: number; children: ComponentChildren }) {
  const box = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);
  useEffect(() => {
    const el = box.current;
    if (el && pinned.current) el.scrollTop = el.scrollHeight;
  }, [count]);
  return (
    <div
      ref={box}
      class="transcript-box"
      onScroll={(e) => {
        const el = e.currentTarget;
        pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
      }}
    >
      {children}
    </div>
  );
}

function ReplyBox({ busy, onSend }: { busy: boolean; onSend: (text: string) => Promise<boolean> }) {
  const { t } = useApp();
  const [text, setText] = useState("");
  const n = charCount(text.trim());
  const tooLong = n > MAX_REPLY_CHARS;

  async function send(event?: Event) {
    event?.preventDefault();
    if (busy || n === 0 || tooLong) return;
    if (await onSend(text.trim())) setText("");
  }

  return (
    <form class="reply" onSubmit={send}>
      <label for="reply-text">{t("reply.label")}</label>
      <textarea
        id="reply-text"
        data-testid="reply-text"
        rows={3}
        value={text}
        aria-invalid={tooLong}
        aria-describedby="reply-help"
        onInput={(e) => setText(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) void send(e);
        }}
      />
      <div class="reply-foot">
        <span id="reply-help" class={tooLong ? "help help-error" : "help"}>
          {tooLong ? t("reply.tooLong", { max: MAX_REPLY_CHARS }) : t("reply.hint", { n, max: MAX_REPLY_CHARS })}
        </span>
        <button type="submit" class="primary" data-testid="reply-send" disabled={busy || n === 0 || tooLong}>
          {t("reply.send")}
        </button>
      </div>
    </form>
  );
}
