import { afterEach, describe, expect, it, vi } from "vitest";
import { ADMIN_SESSION } from "../test/fixtures";
import { choose, click, go, startApp, type, waitFor } from "../test/render";
import { answerMatches, clampK } from "./Knowledge";

vi.mock("../components/chartjs", () => import("../test/chartjs-stub"));

let app: Awaited<ReturnType<typeof startApp>>;
afterEach(async () => {
  await app?.cleanup();
});

describe("curated answers", () => {
  it("lists the live answers", async () => {
    app = await startApp({ session: ADMIN_SESSION, hash: "#/knowledge" });
    const row = await app.find("answer-row");
    expect(app.ids("answer-row")).toHaveLength(1);
    expect(row.textContent).toContain("how heavy is the roamo s7");
    expect(row.textContent).toContain("+1 more");
    expect(row.textContent).toContain("About 3.8 kg.");
    expect(row.dataset.answerId).toBe("a-1");
  });

  it("checks the form, then adds an answer", async () => {
    app = await startApp({ session: ADMIN_SESSION, hash: "#/knowledge/answers" });
    await click(await app.find("answer-add"));
    await click(await app.find("answer-save"));
    expect(app.id("answer-questions")?.getAttribute("aria-invalid")).toBe("true");
    expect(app.id("answer-text")?.getAttribute("aria-invalid")).toBe("true");
    expect(app.server.calls.some((c) => c.method === "POST")).toBe(false);
    await type(app.id("answer-questions"), "do you ship to norway\n\nshipping to Oslo?");
    await type(app.id("answer-text"), "Yes, in 5–7 days.");
    await type(app.id("answer-tags"), "shipping, nordics");
    await click(app.id("answer-save"));
    await waitFor(() => expect(app.ids("answer-row")).toHaveLength(2));
    expect(app.server.calls.find((c) => c.method === "POST")?.body).toEqual({
      questions: ["do you ship to norway", "shipping to Oslo?"],
      answer: "Yes, in 5–7 days.",
      product: null,
      tags: ["shipping", "nordics"],
      author: "alice",
    });
  });

  it("edits, shows the history, and removes with the author", async () => {
    app = await startApp({ session: ADMIN_SESSION, hash: "#/knowledge" });
    await click(await app.find("answer-edit"));
    expect((app.id("answer-text") as HTMLTextAreaElement).value).toBe("About 3.8 kg.");
    await type(app.id("answer-text"), "About 3.9 kg.");
    await click(app.id("answer-save"));
    await waitFor(() => expect(app.id("answer-row")?.textContent).toContain("3.9 kg"));
    const put = app.server.calls.find((c) => c.method === "PUT")!;
    expect(put.path).toBe("/v1/admin/answers/a-1");
    expect(put.headers["x-csrf-token"]).toBe(ADMIN_SESSION.csrf);

    await click(app.id("answer-history"));
    await waitFor(() => expect(app.ids("answer-version").map((v) => v.dataset.version)).toEqual(["3", "2", "1"]));
    await click(app.q("[role=dialog] [aria-label=Close]"));

    await click(app.id("answer-remove"));
    await type(await app.find("remove-author"), "carol");
    await click(app.id("confirm-ok"));
    await waitFor(() => expect(app.ids("answer-row")).toHaveLength(0));
    expect(app.server.calls.find((c) => c.method === "DELETE")?.path).toBe("/v1/admin/answers/a-1?author=carol");
  });

  it("filters by any text of the answer", () => {
    const answer = { id: "a", version: 1, questions: ["Weight?"], answer: "3.8 kg", locale: "en", product: "roamo", tags: ["specs"], author: "al", source_conversation_id: null, source_turn_seq: null, created_at_ms: 0 };
    expect(answerMatches(answer, "weight")).toBe(true);
    expect(answerMatches(answer, "SPECS")).toBe(true);
    expect(answerMatches(answer, "norway")).toBe(false);
    expect(answerMatches(answer, "  ")).toBe(true);
  });
});

describe("the index", () => {
  it("shows the index's figures, its documents, and a document's chunks", async () => {
    app = await startApp({ session: ADMIN_SESSION, hash: "#/knowledge/index" });
    expect((await app.find("index-generation")).dataset.value).toBe("7");
    expect(app.id("index-model")?.dataset.value).toBe("multilingual-e5-small");
    expect(app.id("index-chunks")?.dataset.value).toBe("5");
    expect(app.ids("document-row").map((r) => r.dataset.docId)).toEqual(["en/faq.csv", "en/policies/returns.md"]);
    await type(app.id("documents-filter"), "returns");
    expect(app.ids("document-row")).toHaveLength(1);
    await go("#/knowledge/index?doc=en%2Fpolicies%2Freturns.md");
    await app.find("chunk");
    expect(app.server.calls.some((c) => c.path === "/v1/documents/en/policies/returns.md")).toBe(true);
    // The mock serves this document with a `javascript:` url: it must not become a link.
    expect(app.q('[data-testid=document] a[href^="javascript"]')).toBeNull();
    expect(app.q("[data-testid=document]")?.textContent).not.toContain("Open in the help center");
  });
});

describe("the search playground", () => {
  it("runs the three modes and shows them side by side", async () => {
    app = await startApp({ session: ADMIN_SESSION, hash: "#/knowledge/search" });
    await type(await app.find("search-query"), "restocking fee");
    await choose(app.id("search-locale"), "en");
    await type(app.id("search-k"), "5");
    await click(app.id("search-submit"));
    await app.find("search-bm25");
    const bodies = app.server.calls.filter((c) => c.path === "/v1/search").map((c) => c.body);
    expect(bodies).toEqual(
      ["bm25", "dense", "hybrid"].map((mode) => ({ query: "restocking fee", k: 5, mode, filters: { locale: "en" } })),
    );
    for (const mode of ["bm25", "dense", "hybrid"]) {
      expect(app.id(`search-${mode}`)?.querySelectorAll("[data-testid=search-result]")).toHaveLength(2);
    }
    const first = app.id("search-bm25")!.querySelector<HTMLElement>("[data-testid=search-result]")!;
    expect(first.dataset.score).toBe("12.4");
    expect(first.textContent).toContain("score 12.400");
    expect(first.textContent).toContain("hybrid #2");
    expect(app.id("search-dense")!.querySelectorAll("[data-testid=search-result]")[1].textContent).toContain("only here");
    expect(location.hash).toBe("#/knowledge/search?q=restocking+fee&locale=en&k=5");
  });

  it("keeps k within the server's limits", () => {
    expect([clampK(0), clampK(7.4), clampK(500), clampK(Number.NaN)]).toEqual([1, 7, 100, 10]);
  });
});
