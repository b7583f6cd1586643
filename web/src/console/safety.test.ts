// No server text is ever rendered as HTML: the console's source never reaches for raw markup.
import { describe, expect, it } from "vitest";

const sources = import.meta.glob(["./**/*.ts", "./**/*.tsx", "!./**/*.test.ts", "!./**/*.test.tsx"], {
  query: "?raw",
  import: "default",
  eager: true,
}) as Record<string, string>;

describe("markup safety", () => {
  it("finds the sources", () => {
    expect(Object.keys(sources).length).toBeGreaterThan(20);
  });

  it("never sets raw HTML", () => {
    for (const [file, text] of Object.entries(sources)) {
      expect(text, file).not.toMatch(/dangerouslySetInnerHTML|\.innerHTML\s*=|outerHTML\s*=|insertAdjacentHTML|document\.write/);
    }
  });
});
