// A citation's source, over the conversation: the passage of the document around the cited
// span, the span highlighted. A curated answer has no document: its snippet is the source.

import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { formatDate } from "../shared/i18n";
import { safeHref } from "../shared/segments";
import { passage, type Passage } from "../shared/span";
import type { Citation, DocumentView } from "../shared/types";
import { useWidget } from "./context";
import { BackIcon, ExternalIcon } from "./icons";
import { docLabel } from "./MessageView";

interface Props {
  citation: Citation;
  onClose: () => void;
}

/** The id kefu cites the shop's order system under (docs/orders.md). */
const ORDER_SYSTEM = "order-system";

type Loaded = { state: "loading" } | { state: "ready"; doc: DocumentView } | { state: "failed" };

export function SourceView({ citation, onClose }: Props) {
  const { chat, t, lang } = useWidget();
  const curated = citation.doc_id === "curated";
  // Sources that are no help-center document: a curated answer, the shop's order system.
  const documentless = curated || citation.doc_id === ORDER_SYSTEM;
  const [loaded, setLoaded] = useState<Loaded>({ state: "loading" });
  const back = useRef<HTMLButtonElement>(null);

  // Before the browser paints: opening the view makes the conversation inert, which drops the
  // focus of the citation pressed; until it is here, Escape would reach no handler.
  useLayoutEffect(() => {
    back.current?.focus();
  }, []);

  useEffect(() => {
    if (documentless) return;
    let current = true;
    setLoaded({ state: "loading" });
    chat.document(citation.doc_id).then(
      (doc) => current && setLoaded({ state: "ready", doc }),
      () => current && setLoaded({ state: "failed" }),
    );
    return () => {
      current = false;
    };
  }, [citation.doc_id, documentless]);

  const doc = loaded.state === "ready" ? loaded.doc : undefined;
  const chunk = doc?.chunks?.find((c) => c.chunk_id === citation.chunk_id);
  const title = citation.title || doc?.title || docLabel(citation, t);
  const crumb = citation.breadcrumb || chunk?.breadcrumb || "";
  const href = safeHref(citation.url ?? doc?.url);

  let shown: Passage | undefined;
  if (doc && typeof doc.text === "string") shown = passage(doc.text, citation.span, chunk?.span);
  else if (citation.snippet && (documentless || loaded.state === "failed")) {
    // No document to read (curated, the order system, or not allowed): the quoted text alone.
    shown = { before: "", mark: citation.snippet, after: "", clippedStart: false, clippedEnd: false };
  }

  return (
    <section class="source-view" data-testid="kefu-source-view" aria-labelledby="kefu-source-title">
      <header class="source-header">
        <button type="button" ref={back} class="icon-button" aria-label={t("back")} title={t("back")} onClick={onClose}>
          <BackIcon />
        </button>
        <h2 id="kefu-source-title">
          {t("sourceView")} {citation.n}
        </h2>
      </header>
      <div class="source-body">
        <p class="source-doc">{title}</p>
        {curated && citation.curated ? (
          <p class="source-crumb">
            {[t("curatedSource"), citation.curated.author, formatDate(citation.curated.created_at_ms, lang)].filter(Boolean).join(" · ")}
          </p>
        ) : crumb && crumb !== title ? (
          <p class="source-crumb">{crumb}</p>
        ) : null}
        {shown ? (
          <blockquote class="passage">
            {shown.clippedStart ? "… " : null}
            {shown.before}
            <mark>{shown.mark}</mark>
            {shown.after}
            {shown.clippedEnd ? " …" : null}
          </blockquote>
        ) : loaded.state === "loading" && !documentless ? (
          <p class="muted" role="status">
            {t("loading")}
          </p>
        ) : (
          <p class="muted" role="alert">
            {t("sourceFailed")}
          </p>
        )}
        {href ? (
          <a class="open-page" href={href} target="_blank" rel="noopener noreferrer">
            {t("openPage")} <ExternalIcon />
          </a>
        ) : null}
      </div>
    </section>
  );
}
