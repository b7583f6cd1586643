// Enter in a chat box: Chinese, Japanese and Korean input methods confirm a candidate with
// Enter, and that Enter must not send the half-typed message. Browsers mark it differently:
// `isComposing` (most), or keyCode 229 (Safari sends the confirming keydown after
// compositionend, with isComposing already false).

export interface EnterKey {
  key: string;
  shiftKey: boolean;
  isComposing?: boolean;
  keyCode?: number;
}

/** What a keydown should do: send the message, leave it to the text box (a newline, the IME), or nothing of ours. */
export function enterAction(event: EnterKey): "send" | "default" {
  if (event.key !== "Enter") return "default";
  if (event.isComposing || event.keyCode === 229) return "default";
  if (event.shiftKey) return "default";
  return "send";
}
