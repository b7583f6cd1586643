// A help-center document as the index holds it: its chunks, each with its breadcrumb, and the
// passage a citation quotes marked.
import { useApp } from "../context";
import { useLoad } from "../lib/hooks";
import { safeHref } from "../../shared/segments";
import { passage } from "../../shared/span";
import { chunkOf, sliceChars } from "../lib/transcript";
import type { Citation, DocumentView } from "../lib/types";
import { ErrorNote, Loading } from "./ErrorNote";

export function DocumentPanel({ docId, citation }: { docId: string; citation?: Citation | null }) {
  const { api } = useApp();
  const doc = useLoad((signal) => api.document(docId, signal), [docId]);
  if (doc.error) return <ErrorNote error={doc.error} onRetry={doc.reload} />;
  if (!doc.data) return <Loading />;
  return <DocumentBody doc={doc.data} citation={citation} />;
}

export function DocumentBody({ doc, citation }: { doc: DocumentView; citation?: Citation | null }) {
  const { t } = useApp();
  const href = safeHref(doc.url);
  const cited = citation ? chunkOf(doc.chunks, citation) : null;
  return (
    <article class="document" data-testid="document">
      <h3>{doc.title || doc.id}</h3>
      <p class="muted">
        <code>{doc.id}</code> · {t("doc.meta", { locale: doc.locale, type: doc.doc_type ?? "–", product: doc.product ?? "–" })}
        {href && (
          <>
            {" · "}
            <a href={href} target="_blank" rel="noopener noreferrer">
              {t("doc.open")}
            </a>
          </>
        )}
      </p>
      {cited && citation && (
        <section class="cited" aria-label={t("doc.cited")}>
          <h4>{t("doc.cited")}</h4>
          <p class="breadcrumb">{cited.breadcrumb}</p>
          <Passage text={doc.text} span={cited.span} quote={citation.span} />
        </section>
      )}
      <h4>{t("doc.chunks", { n: doc.chunks.length })}</h4>
      <ol class="chunks">
        {doc.chunks.map((chunk) => (
          <li key={chunk.chunk_id} data-testid="chunk" class={cited?.chunk_id === chunk.chunk_id ? "chunk current" : "chunk"}>
            <p class="breadcrumb">{chunk.breadcrumb}</p>
            <p class="chunk-text">{sliceChars(doc.text, chunk.span[0], chunk.span[1])}</p>
          </li>
        ))}
      </ol>
    </article>
  );
}

/** A chunk, with the part a citation quotes marked when there is one. */
function Passage({ text, span, quote }: { text: string; span: [number, number]; quote?: [number, number] | null }) {
  if (!quote) return <p class="chunk-text">{sliceChars(text, span[0], span[1])}</p>;
  const parts = passage(text, quote, span);
  return (
    <p class="chunk-text">
      {parts.before}
      {parts.mark && <mark>{parts.mark}</mark>}
      {parts.after}
    </p>
  );
}
