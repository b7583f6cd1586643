import { describe, expect, it } from "vitest";
import { enterAction } from "./ime";

describe("enterAction", () => {
  it("sends on Enter", () => {
    expect(enterAction({ key: "Enter", shiftKey: false })).toBe("send");
  });
  it("leaves Shift+Enter to the text box (a newline)", () => {
    expect(enterAction({ key: "Enter", shiftKey: true })).toBe("default");
  });
  it("never sends while an input method composes", () => {
    expect(enterAction({ key: "Enter", shiftKey: false, isComposing: true })).toBe("default");
    // Safari: the confirming keydown comes after compositionend, marked by keyCode 229.
    expect(enterAction({ key: "Enter", shiftKey: false, isComposing: false, keyCode: 229 })).toBe("default");
  });
  it("ignores other keys", () => {
    expect(enterAction({ key: "a", shiftKey: false })).toBe("default");
  });
});
