// A conversation's turns: the customer's messages, kefu's answers with their citations and how
// sure kefu was, agents' replies and the ticket's events. Every text is rendered as text.
import { useState } from "preact/hooks";
import { useApp } from "../context";
import { formatDateTime } from "../lib/format";
import { codeLabel } from "../lib/i18n";
import { toSegments } from "../../shared/segments";
import { csatOf, isCurated, ratingFor, uniqueCitations } from "../lib/transcript";
import type { Citation, Conversation, Turn } from "../lib/types";
import { DocumentPanel } from "./DocumentPanel";
import { Modal } from "./Modal";

export function Transcript({ conversation, label }: { conversation: Conversation; label?: string }) {
  const { t } = useApp();
  const [open, setOpen] = useState<Citation | null>(null);
  const csat = csatOf(conversation);
  return (
    <div class="transcript">
      {conversation.turns.length === 0 ? (
        <p class="muted">{t("transcript.empty")}</p>
      ) : (
        <ol class="turns" aria-label={label ?? t("transcript.label")}>
          {conversation.turns.map((turn) => (
            <TurnItem key={turn.seq} turn={turn} conversation={conversation} onCite={setOpen} />
          ))}
        </ol>
      )}
      {csat !== null && <p class="badge badge-info">{t("feedback.csat", { score: csat })}</p>}
      {open && (
        <Modal title={t("doc.title", { id: open.doc_id })} onClose={() => setOpen(null)} wide>
          <DocumentPanel docId={open.doc_id} citation={open} />
        </Modal>
      )}
    </div>
  );
}

function TurnItem({ turn, conversation, onCite }: { turn: Turn; conversation: Conversation; onCite: (c: Citation) => void }) {
  const { t, lang } = useApp();
  const time = (
    <time dateTime={new Date(turn.created_at_ms).toISOString()}>{formatDateTime(turn.created_at_ms, lang)}</time>
  );
  if (turn.role === "system") {
    return (
      <li class="turn turn-system" data-testid="turn" data-role="system" data-seq={turn.seq}>
        <span>{codeLabel(t, "event", turn.text)}</span>
        {turn.actor && <span> · {turn.actor}</span>} · {time}
      </li>
    );
  }
  const role = turn.role === "customer" || turn.role === "bot" || turn.role === "agent" ? turn.role : "customer";
  const rating = turn.role === "bot" ? ratingFor(turn, conversation) : null;
  const frustrated = turn.role === "customer" && (turn.frustration?.signals?.length ?? 0) > 0;
  return (
    <li class={`turn turn-${role}`} data-testid="turn" data-role={turn.role} data-seq={turn.seq}>
      <div class="turn-head">
        <span class="who">
          {codeLabel(t, "role", turn.role)}
          {turn.role === "agent" && turn.actor ? ` · ${turn.actor}` : ""}
        </span>
        {time}
      </div>
      <div class="turn-text" lang={turn.language ?? undefined}>
        {turn.role === "customer" ? turn.text : <AnswerText turn={turn} onCite={onCite} />}
      </div>
      {(turn.role === "bot" || frustrated) && (
        <div class="turn-meta">
          {frustrated && <span class="badge badge-warn">{t("badge.frustrated")}</span>}
          {turn.role === "bot" && turn.abstained && <span class="badge badge-warn">{t("turn.abstained")}</span>}
          {turn.role === "bot" && turn.handoff_reason && (
            <span class="badge badge-info">{t("turn.handoff", { reason: codeLabel(t, "reason", turn.handoff_reason) })}</span>
          )}
          {turn.role === "bot" && typeof turn.confidence === "number" && (
            <span class="muted">{t("turn.confidence", { value: turn.confidence.toFixed(2) })}</span>
          )}
          {rating && (
            <span class={rating.thumbs === "up" ? "badge badge-ok" : "badge badge-danger"} data-testid="turn-rating">
              {t(rating.thumbs === "up" ? "feedback.up" : "feedback.down")}
              {rating.reason ? ` (${codeLabel(t, "feedback.reason", rating.reason)})` : ""}
              {rating.comment ? `: “${rating.comment}”` : ""}
            </span>
          )}
        </div>
      )}
      {turn.role === "bot" && <Sources citations={turn.citations} onCite={onCite} />}
    </li>
  );
}

/**
 * kefu's answer or an agent's reply: `[n]` markers as buttons to the cited passage, http(s)
 * links as links. A customer's message stays plain text (its links are not vouched for).
 */
function AnswerText({ turn, onCite }: { turn: Turn; onCite: (c: Citation) => void }) {
  const { t } = useApp();
  const byN = new Map((turn.citations ?? []).map((c) => [c.n, c]));
  return (
    <>
      {toSegments(turn.text, [...byN.keys()]).map((segment, i) => {
        if (segment.kind === "text") return segment.text;
        if (segment.kind === "link") {
          return (
            <a key={i} href={segment.href} target="_blank" rel="noopener noreferrer">
              {segment.text}
            </a>
          );
        }
        const citation = byN.get(segment.n)!;
        return isCurated(citation) ? (
          <sup key={i} class="cite" title={t("turn.curated")}>
            [{segment.n}]
          </sup>
        ) : (
          <sup key={i}>
            <button
              type="button"
              class="cite"
              aria-label={t("turn.source", { n: segment.n, doc: citation.doc_id })}
              onClick={() => onCite(citation)}
            >
              [{segment.n}]
            </button>
          </sup>
        );
      })}
    </>
  );
}

function Sources({ citations, onCite }: { citations: Citation[] | null; onCite: (c: Citation) => void }) {
  const { t } = useApp();
  const list = uniqueCitations(citations);
  if (list.length === 0) return null;
  return (
    <div class="sources">
      <span class="muted">{t("turn.sources")}:</span>
      <ul>
        {list.map((c) => (
          <li key={c.n}>
            {isCurated(c) ? (
              <span class="source">
                [{c.n}] {t("turn.curated")}
              </span>
            ) : (
              <button type="button" class="source button-link" onClick={() => onCite(c)} data-testid="citation">
                [{c.n}] {c.title || c.doc_id}
              </button>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
