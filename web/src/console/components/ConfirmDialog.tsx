// A confirmation for what cannot be undone. With `typeToConfirm`, the person types the value
// again (an external user id) before the button works.
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { useApp } from "../context";
import { ErrorNote } from "./ErrorNote";
import { Modal } from "./Modal";

export function ConfirmDialog(props: {
  title: string;
  text: string;
  confirmLabel: string;
  danger?: boolean;
  typeToConfirm?: { value: string; label: string };
  children?: ComponentChildren;
  onConfirm: () => Promise<void>;
  onClose: () => void;
}) {
  const { t } = useApp();
  const [typed, setTyped] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const ready = !props.typeToConfirm || typed.trim() === props.typeToConfirm.value;

  async function confirm(event: Event) {
    event.preventDefault();
    if (!ready || busy) return;
    setBusy(true);
    setError(null);
    try {
      await props.onConfirm();
      props.onClose();
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  }

  return (
    <Modal title={props.title} onClose={props.onClose} testid="confirm-dialog">
      <form onSubmit={confirm}>
        <p>{props.text}</p>
        {props.children}
        {props.typeToConfirm && (
          <div class="field">
            <label for="confirm-typed">{props.typeToConfirm.label}</label>
            <input
              id="confirm-typed"
              data-testid="confirm-input"
              value={typed}
              autocomplete="off"
              spellcheck={false}
              onInput={(e) => setTyped(e.currentTarget.value)}
              data-autofocus
            />
          </div>
        )}
        <ErrorNote error={error} />
        <div class="actions">
          <button
            type="button"
            onClick={props.onClose}
            data-testid="confirm-cancel"
            // With nothing to type, focus starts on the safe choice.
            data-autofocus={props.typeToConfirm ? undefined : true}
          >
            {t("common.cancel")}
          </button>
          <button
            type="submit"
            class={props.danger ? "danger" : "primary"}
            disabled={!ready || busy}
            data-testid="confirm-ok"
          >
            {props.confirmLabel}
          </button>
        </div>
      </form>
    </Modal>
  );
}
