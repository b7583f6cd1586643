// The curated-answer editor: add one, write a new version of one, or start from a knowledge
// gap (its sample questions and draft prefilled). The server checks again; its message is shown.
import { useState } from "preact/hooks";
import { useApp } from "../context";
import { MAX_ANSWER_CHARS, MAX_QUESTIONS, charCount, isValidId, lines, tagList } from "../lib/validate";
import type { CuratedAnswer, CuratedInput } from "../lib/types";
import { ErrorNote } from "./ErrorNote";
import { Modal } from "./Modal";

export interface EditorDraft {
  questions: string[];
  answer: string;
  locale?: string;
  product?: string | null;
  tags?: string[];
}

export type EditorProblem = "questions" | "answer" | "author";

/** What is wrong with the form before it is sent, field by field. */
export function editorProblems(input: CuratedInput): EditorProblem[] {
  const problems: EditorProblem[] = [];
  if (input.questions.length < 1 || input.questions.length > MAX_QUESTIONS) problems.push("questions");
  const n = charCount(input.answer.trim());
  if (n < 1 || n > MAX_ANSWER_CHARS) problems.push("answer");
  if (!isValidId(input.author)) problems.push("author");
  return problems;
}

export function CuratedEditor(props: {
  /** The answer to revise; none to add a new one. */
  editing?: CuratedAnswer | null;
  draft?: EditorDraft | null;
  onSaved: (saved: CuratedAnswer) => void;
  onClose: () => void;
}) {
  const { api, t, session } = useApp();
  const start = props.editing ?? props.draft ?? null;
  const [questions, setQuestions] = useState((start?.questions ?? []).join("\n"));
  const [answer, setAnswer] = useState(start?.answer ?? "");
  const [locale, setLocale] = useState(start?.locale === "en" || start?.locale === "zh" ? start.locale : "");
  const [product, setProduct] = useState(start?.product ?? "");
  const [tags, setTags] = useState((start?.tags ?? []).join(", "));
  const [author, setAuthor] = useState(session.agent);
  const [problems, setProblems] = useState<EditorProblem[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function save(event: Event) {
    event.preventDefault();
    const input: CuratedInput = {
      questions: lines(questions),
      answer: answer.trim(),
      locale: locale || undefined,
      product: product.trim() || null,
      tags: tagList(tags),
      author: author.trim(),
    };
    const found = editorProblems(input);
    setProblems(found);
    if (found.length) return;
    setBusy(true);
    setError(null);
    try {
      const saved = props.editing ? await api.reviseAnswer(props.editing.id, input) : await api.addAnswer(input);
      props.onSaved(saved);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  }

  const invalid = (p: EditorProblem) => problems.includes(p);
  return (
    <Modal title={t(props.editing ? "editor.editTitle" : "editor.addTitle")} onClose={props.onClose} wide testid="answer-editor">
      <form onSubmit={save} noValidate>
        <div class="field">
          <label for="ed-questions">{t("editor.questions")}</label>
          <textarea
            id="ed-questions"
            data-testid="answer-questions"
            rows={4}
            value={questions}
            aria-invalid={invalid("questions")}
            aria-describedby="ed-questions-help"
            onInput={(e) => setQuestions(e.currentTarget.value)}
            data-autofocus
          />
          <p id="ed-questions-help" class={invalid("questions") ? "help help-error" : "help"}>
            {t(invalid("questions") ? "editor.errQuestions" : "editor.questionsHelp")}
          </p>
        </div>
        <div class="field">
          <label for="ed-answer">{t("editor.answer")}</label>
          <textarea
            id="ed-answer"
            data-testid="answer-text"
            rows={7}
            value={answer}
            aria-invalid={invalid("answer")}
            aria-describedby="ed-answer-help"
            onInput={(e) => setAnswer(e.currentTarget.value)}
          />
          <p id="ed-answer-help" class={invalid("answer") ? "help help-error" : "help"}>
            {invalid("answer")
              ? t("editor.errAnswer")
              : t("editor.answerHelp", { n: charCount(answer.trim()), max: MAX_ANSWER_CHARS })}
          </p>
        </div>
        <div class="field-row">
          <div class="field">
            <label for="ed-locale">{t("editor.locale")}</label>
            <select id="ed-locale" data-testid="answer-locale" value={locale} onChange={(e) => setLocale(e.currentTarget.value)}>
              <option value="">{t("editor.localeAuto")}</option>
              <option value="en">{t("locale.en")}</option>
              <option value="zh">{t("locale.zh")}</option>
            </select>
          </div>
          <div class="field">
            <label for="ed-product">{t("editor.product")}</label>
            <input id="ed-product" data-testid="answer-product" value={product} onInput={(e) => setProduct(e.currentTarget.value)} />
          </div>
          <div class="field">
            <label for="ed-tags">{t("editor.tags")}</label>
            <input id="ed-tags" data-testid="answer-tags" value={tags} onInput={(e) => setTags(e.currentTarget.value)} />
          </div>
          <div class="field">
            <label for="ed-author">{t("editor.author")}</label>
            <input
              id="ed-author"
              data-testid="answer-author"
              value={author}
              aria-invalid={invalid("author")}
              aria-describedby={invalid("author") ? "ed-author-help" : undefined}
              onInput={(e) => setAuthor(e.currentTarget.value)}
            />
            {invalid("author") && (
              <p id="ed-author-help" class="help help-error">
                {t("editor.errAuthor")}
              </p>
            )}
          </div>
        </div>
        <ErrorNote error={error} />
        <div class="actions">
          <button type="button" onClick={props.onClose}>
            {t("common.cancel")}
          </button>
          <button type="submit" class="primary" disabled={busy} data-testid="answer-save">
            {t("common.save")}
          </button>
        </div>
      </form>
    </Modal>
  );
}
