import { useApp } from "../context";
import { errorText } from "../lib/errors";

/** An error, announced to screen readers; with a retry button when there is something to retry. */
export function ErrorNote({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useApp();
  if (!error) return null;
  return (
    <div class="note note-error" role="alert">
      <span>{errorText(error, t)}</span>
      {onRetry && (
        <button type="button" class="button-link" onClick={onRetry}>
          {t("common.retry")}
        </button>
      )}
    </div>
  );
}

/** A success message, announced politely. */
export function Notice({ text }: { text: string | null }) {
  return (
    // Always in the page (empty and invisible when there is nothing to say), so that a screen
    // reader announces the text when it comes.
    <div class={text ? "note note-ok" : "sr-only"} role="status" aria-live="polite">
      {text}
    </div>
  );
}

export function Loading() {
  const { t } = useApp();
  return (
    <p class="muted" role="status">
      {t("common.loading")}
    </p>
  );
}
