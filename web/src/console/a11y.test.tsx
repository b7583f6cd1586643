// Every page, rendered with data, checked by axe-core: no serious or critical violation. (jsdom
// cannot compute colours, so contrast is checked in a real browser, not here.)
import axe from "axe-core";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ADMIN_SESSION } from "./test/fixtures";
import { click, startApp } from "./test/render";

vi.mock("./components/chartjs", () => import("./test/chartjs-stub"));

// axe probes canvases; jsdom has none and would log that for each probe.
HTMLCanvasElement.prototype.getContext = (() => null) as typeof HTMLCanvasElement.prototype.getContext;

let app: Awaited<ReturnType<typeof startApp>>;
afterEach(async () => {
  await app?.cleanup();
});

async function violations() {
  const result = await axe.run(document.body, {
    rules: { "color-contrast": { enabled: false } },
    resultTypes: ["violations"],
  });
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join("; ")})`);
}

const pages: [string, string, string][] = [
  ["the inbox with a ticket", "#/inbox/t-high", "turn"],
  ["insights", "#/insights", "gap"],
  ["curated answers", "#/knowledge/answers", "answer-row"],
  ["the index with a document", "#/knowledge/index?doc=en%2Ffaq.csv", "chunk"],
  ["the search playground", "#/knowledge/search?q=fee", "search-hybrid"],
  ["conversations with a transcript", "#/conversations/c-2", "turn"],
];

describe("accessibility", () => {
  it("has no serious violation on sign-in", async () => {
    app = await startApp({ session: null });
    await app.find("signin-key");
    expect(await violations()).toEqual([]);
  });

  for (const [name, hash, ready] of pages) {
    it(`has no serious violation on ${name}`, async () => {
      app = await startApp({ session: ADMIN_SESSION, hash });
      await app.find(ready);
      expect(await violations()).toEqual([]);
    });
  }

  it("has no serious violation in the curated-answer editor", async () => {
    app = await startApp({ session: ADMIN_SESSION, hash: "#/knowledge" });
    await click(await app.find("answer-add"));
    await app.find("answer-editor");
    expect(await violations()).toEqual([]);
  });
});
