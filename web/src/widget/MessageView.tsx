// One message of the conversation. Server text only ever becomes Preact text nodes (and links
// whose href passed `safeHref`): no HTML from an answer, a document or an agent is parsed.

import { useRef, useState } from "preact/hooks";
import { toSegments, type Segment } from "../shared/segments";
import { FEEDBACK_REASONS, type Citation, type FeedbackReason } from "../shared/types";
import { useWidget } from "./context";
import { ThumbDownIcon, ThumbUpIcon } from "./icons";
import type { StringKey, Translate } from "./strings";
import type { Msg } from "./transcript";

/** Opens citation `n` of message `key`; `from` gets focus back when the source view closes. */
export type OpenSource = (key: string, n: number, from: HTMLElement) => void;

interface Props {
  msg: Msg;
  onOpenSource: OpenSource;
}

export function MessageView({ msg, onOpenSource }: Props) {
  const { t } = useWidget();
  if (msg.role === "system") {
    const status = statusText(msg, t);
    if (!status) return null;
    return (
      <div class="msg system" data-testid="kefu-msg" data-role="system" data-seq={msg.seq}>
        <p class="status" data-testid="kefu-status">
          {status}
        </p>
      </div>
    );
  }
  const speaker = msg.role === "customer" ? t("you") : msg.role === "agent" ? msg.actor || t("agent") : t("assistant");
  return (
    <div class={`msg ${msg.role}`} data-testid="kefu-msg" data-role={msg.role} data-seq={msg.seq} data-status={msg.status}>
      {msg.role === "agent" ? (
        <p class="speaker" aria-hidden="true">
          {speaker}
        </p>
      ) : null}
      <div class="bubble" aria-busy={msg.status === "pending" || msg.status === "streaming" ? "true" : undefined}>
        <span class="sr-only">{speaker}: </span>
        {msg.status === "pending" ? (
          <Typing />
        ) : msg.status === "error" ? (
          <Failure msg={msg} />
        ) : (
          <Text msgKey={msg.key} text={msg.text} citations={msg.citations} onOpenSource={onOpenSource} />
        )}
      </div>
      {msg.role === "bot" && msg.status !== "error" && msg.citations.length > 0 ? (
        <Sources msgKey={msg.key} citations={msg.citations} onOpenSource={onOpenSource} />
      ) : null}
      {rateable(msg) ? (
        <Feedback msg={msg} seq={msg.seq} />
      ) : null}
    </div>
  );
}

/** kefu's answers get thumbs once stored; its reply to "talk to a person" is no answer to rate. */
function rateable(msg: Msg): msg is Msg & { seq: number } {
  return (
    msg.role === "bot" &&
    msg.status === "done" &&
    msg.seq !== undefined &&
    !msg.stale &&
    !!msg.text &&
    msg.handoffReason !== "requested_human"
  );
}

function statusText(msg: Msg, t: Translate): string | undefined {
  switch (msg.text) {
    case "ticket_opened":
      return t("ticketOpened");
    case "ticket_assigned":
      return msg.actor ? t("ticketAssigned", { name: msg.actor }) : t("ticketAssignedAnon");
    case "ticket_resolved":
      return t("ticketResolved");
    case "ticket_expired":
      return t("ticketExpired");
    default:
      // Events this version does not know are not worth a line of code names.
      return undefined;
  }
}

function Typing() {
  const { t } = useWidget();
  return (
    <span class="typing">
      <span class="sr-only">{t("writing")}</span>
      <i aria-hidden="true" />
      <i aria-hidden="true" />
      <i aria-hidden="true" />
    </span>
  );
}

function Failure({ msg }: { msg: Msg }) {
  const { chat, t, focusInput } = useWidget();
  return (
    <span class="failure" role="alert">
      {errorText(msg.error?.code, msg.error?.retryAfter, t)}{" "}
      <button type="button" class="link-button" onClick={() => {
          chat.retry(msg.key);
          focusInput();
        }}>
        {t("retry")}
      </button>
    </span>
  );
}

/** What the shopper is told of a failed question, by the API's error code. */
export function errorText(code: string | undefined, retryAfter: number | undefined, t: Translate): string {
  switch (code) {
    case "network":
      return t("errorNetwork");
    case "rate_limited":
      return t("errorRate", { s: Math.max(1, retryAfter ?? 10) });
    case "overloaded":
    case "busy":
      return t("errorBusy");
    case "timeout":
      return t("errorTimeout");
    case "invalid_ask_question":
    case "payload_too_large":
      return t("errorTooLong");
    case "unauthorized":
    case "forbidden":
    case "setup_missing":
    case "index_missing":
      return t("errorUnavailable");
    default:
      return t("errorGeneric");
  }
}

interface TextProps {
  msgKey: string;
  text: string;
  citations: Citation[];
  onOpenSource: OpenSource;
}

function Text({ msgKey, text, citations, onOpenSource }: TextProps) {
  const { t } = useWidget();
  const segments = toSegments(text, new Set(citations.map((c) => c.n)));
  return (
    <p class="text">
      {segments.map((segment, i) => (
        <SegmentView key={i} segment={segment} label={(n) => t("source", { n })} onCite={(n, el) => onOpenSource(msgKey, n, el)} />
      ))}
    </p>
  );
}

function SegmentView({
  segment,
  label,
  onCite,
}: {
  segment: Segment;
  label: (n: number) => string;
  onCite: (n: number, el: HTMLElement) => void;
}) {
  switch (segment.kind) {
    case "text":
      return <>{segment.text}</>;
    case "link":
      return (
        <a href={segment.href} target="_blank" rel="noopener noreferrer">
          {segment.text}
        </a>
      );
    case "cite":
      return (
        <button
          type="button"
          class="cite"
          data-testid="kefu-cite"
          data-n={segment.n}
          aria-label={label(segment.n)}
          onClick={(e) => onCite(segment.n, e.currentTarget)}
        >
          {segment.n}
        </button>
      );
  }
}

/** A label for a cited document whose title is not known yet: `en/policies/returns.md` → "Returns". */
export function docLabel(citation: Citation, t: Translate): string {
  if (citation.title) return citation.title;
  if (citation.doc_id === "curated") return t("curatedSource");
  const name = citation.doc_id.split("/").pop()!.replace(/\.[a-z0-9]+$/i, "").replace(/[-_]+/g, " ").trim();
  if (!name) return citation.doc_id;
  return name.length <= 3 ? name.toUpperCase() : name[0].toUpperCase() + name.slice(1);
}

function Sources({ msgKey, citations, onOpenSource }: { msgKey: string; citations: Citation[]; onOpenSource: OpenSource }) {
  const { t } = useWidget();
  const sorted = [...citations].sort((a, b) => a.n - b.n);
  const headingId = `kefu-sources-${msgKey}`;
  return (
    <div class="sources">
      <p class="sources-title" id={headingId}>
        {t("sources")}
      </p>
      <ol aria-labelledby={headingId}>
        {sorted.map((c) => (
          <li key={c.n} data-testid="kefu-source" data-n={c.n}>
            <button type="button" class="source-button" onClick={(e) => onOpenSource(msgKey, c.n, e.currentTarget)}>
              <span class="num" aria-hidden="true">
                {c.n}
              </span>
              <span class="sr-only">{t("source", { n: c.n })}: </span>
              <span class="source-name">{c.breadcrumb || docLabel(c, t)}</span>
            </button>
          </li>
        ))}
      </ol>
    </div>
  );
}

function Feedback({ msg, seq }: { msg: Msg; seq: number }) {
  const { chat, t } = useWidget();
  // The reasons are asked right after a thumbs down, not again after a reload.
  const [asking, setAsking] = useState(false);
  const [thanked, setThanked] = useState(false);
  const down = useRef<HTMLButtonElement>(null);
  const rate = (thumbs: "up" | "down", reason?: FeedbackReason) => {
    void chat.rate(seq, thumbs, reason);
    setAsking(thumbs === "down" && !reason);
    setThanked(thumbs === "up" || !!reason);
    // The reason buttons go away: focus back on the thumb.
    if (reason) down.current?.focus();
  };
  return (
    <div class="feedback">
      <div class="thumbs">
        <button
          type="button"
          class="thumb"
          data-testid="kefu-thumbs-up"
          aria-label={t("helpful")}
          title={t("helpful")}
          aria-pressed={msg.thumbs === "up" ? "true" : "false"}
          onClick={() => rate("up")}
        >
          <ThumbUpIcon />
        </button>
        <button
          ref={down}
          type="button"
          class="thumb"
          data-testid="kefu-thumbs-down"
          aria-label={t("notHelpful")}
          title={t("notHelpful")}
          aria-pressed={msg.thumbs === "down" ? "true" : "false"}
          onClick={() => rate("down")}
        >
          <ThumbDownIcon />
        </button>
        {thanked ? (
          <span class="thanks" role="status">
            {t("thanks")}
          </span>
        ) : null}
      </div>
      {asking && msg.thumbs === "down" ? (
        <div class="reasons" role="group" aria-label={t("reasonPrompt")}>
          <p class="reasons-title" aria-hidden="true">
            {t("reasonPrompt")}
          </p>
          {FEEDBACK_REASONS.map((reason) => (
            <button
              type="button"
              class="chip small"
              key={reason}
              data-testid="kefu-reason"
              data-reason={reason}
              aria-pressed={msg.reason === reason ? "true" : "false"}
              onClick={() => rate("down", reason)}
            >
              {t(`reason_${reason}` as StringKey)}
            </button>
          ))}
        </div>
      ) : null}
    </div>
  );
}
