import { afterEach, describe, expect, it, vi } from "vitest";
import { lastDays } from "../lib/dates";
import { ADMIN_SESSION, INSIGHTS } from "../test/fixtures";
import { drawn } from "../test/chartjs-stub";
import { choose, click, startApp, type, waitFor } from "../test/render";

vi.mock("../components/chartjs", () => import("../test/chartjs-stub"));

let app: Awaited<ReturnType<typeof startApp>>;
afterEach(async () => {
  await app?.cleanup();
});

const rowsOf = (testid: string) =>
  [...app.id(testid)!.querySelectorAll("tbody tr[data-label]")].map((tr) => [(tr as HTMLElement).dataset.label, Number((tr as HTMLElement).dataset.value)]);

describe("insights", () => {
  it("lets the server pick the last seven days by default, and shows them", async () => {
    app = await startApp({ session: ADMIN_SESSION, hash: "#/insights" });
    await app.find("figure-answer-rate");
    expect(app.server.calls.some((c) => c.path === "/v1/admin/insights")).toBe(true);
    await waitFor(() => expect((app.id("range-from") as HTMLInputElement).value).toBe(INSIGHTS.from));
    expect((app.id("range-to") as HTMLInputElement).value).toBe(INSIGHTS.to);
  });

  it("asks for the period in the route", async () => {
    const { from, to } = lastDays(30);
    app = await startApp({ session: ADMIN_SESSION, hash: `#/insights?from=${from}&to=${to}` });
    await app.find("figure-answer-rate");
    expect(app.server.calls.some((c) => c.path === `/v1/admin/insights?from=${from}&to=${to}`)).toBe(true);
  });

  it("shows each figure with its counts", async () => {
    app = await startApp({ session: ADMIN_SESSION, hash: "#/insights?from=2026-11-18&to=2026-11-24" });
    const rate = await app.find("figure-answer-rate");
    expect(rate.dataset).toMatchObject({ value: "0.82", count: "41", of: "50" });
    expect(rate.querySelector(".figure-value")?.textContent).toBe("0.82");
    expect(rate.querySelector(".figure-count")?.textContent).toBe("41 of 50");
    const containment = app.id("figure-containment")!;
    expect(containment.querySelector(".figure-value")?.textContent).toBe("0.68");
    expect(containment.textContent).toContain("28 of 41");
    expect(containment.textContent).toContain(INSIGHTS.figures.containment_definition);
    expect(app.id("figure-csat")?.textContent).toContain("4.20 of 5");
    expect(app.id("figure-latency")?.textContent).toContain("38 ms / 1.2 s");
    expect(app.id("figure-frustration")?.textContent).toContain("3 of 60");
    expect(rowsOf("figure-handoffs")).toEqual([
      ["low_confidence", 6],
      ["requested_human", 3],
      ["complaint", 1],
    ]);
    expect(app.id("figure-handoffs")?.textContent).toContain("Low confidence");
  });

  it("links the period's HTML report, in the console's language, in a new tab", async () => {
    app = await startApp({ session: ADMIN_SESSION, hash: "#/insights?from=2026-11-18&to=2026-11-24" });
    const link = (await app.find("insights-report")) as HTMLAnchorElement;
    expect(link.textContent).toBe("Open the report (HTML)");
    expect(link.getAttribute("href")).toBe("/v1/admin/insights?from=2026-11-18&to=2026-11-24&format=html&lang=en");
    expect(link.target).toBe("_blank");
    expect(link.rel).toBe("noopener");
    await choose(app.id("language"), "zh");
    expect(link.textContent).toBe("打开报告（HTML）");
    expect(link.getAttribute("href")).toBe("/v1/admin/insights?from=2026-11-18&to=2026-11-24&format=html&lang=zh");
  });

  it("links the report of the period the server picked", async () => {
    app = await startApp({ session: ADMIN_SESSION, hash: "#/insights" });
    const link = (await app.find("insights-report")) as HTMLAnchorElement;
    expect(link.getAttribute("href")).toBe(`/v1/admin/insights?from=${INSIGHTS.from}&to=${INSIGHTS.to}&format=html&lang=en`);
  });

  it("draws the charts from the same numbers as their tables", async () => {
    drawn.length = 0;
    app = await startApp({ session: ADMIN_SESSION, hash: "#/insights?from=2026-11-18&to=2026-11-24" });
    await app.find("chart-per-day");
    expect(rowsOf("chart-per-day")).toEqual(Object.entries(INSIGHTS.figures.questions_by_day));
    expect(rowsOf("chart-per-hour")).toHaveLength(24);
    expect(rowsOf("chart-per-hour")[10]).toEqual(["10", 8]);
    expect(rowsOf("chart-languages")).toEqual([
      ["en", 41],
      ["zh", 19],
    ]);
    expect(rowsOf("chart-channels")).toEqual([
      ["web", 52],
      ["api", 8],
    ]);
    expect(app.id("chart-per-day")?.dataset.total).toBe("60");
    await waitFor(() => expect(drawn).toHaveLength(4));
    const perDay = drawn[0].config as { data: { labels: string[]; datasets: { data: number[] }[] } };
    expect(perDay.data.labels[0]).toBe("11-18");
    expect(perDay.data.datasets[0].data).toEqual(Object.values(INSIGHTS.figures.questions_by_day));
  });

  it("lists topics with their trend and shares", async () => {
    app = await startApp({ session: ADMIN_SESSION, hash: "#/insights" });
    await app.find("topic-row");
    const [first, second] = app.ids("topic-row");
    expect(first.querySelector("[data-trend] [aria-hidden]")?.textContent).toBe("↑ +50%");
    expect(first.querySelector("[data-trend] .sr-only")?.textContent).toBe("up +50%");
    expect(first.textContent).toContain("0.92 (11 of 12)");
    expect(second.querySelector("[data-trend]")?.getAttribute("data-trend")).toBe("new");
    expect(second.textContent).toContain("– (0 of 0)");
  });

  it("opens the editor from a gap, prefilled, and saves a curated answer", async () => {
    app = await startApp({ session: ADMIN_SESSION, hash: "#/insights" });
    await app.find("gap");
    const gap = app.ids("gap")[0];
    expect([...gap.querySelectorAll("[data-why]")].map((w) => w.textContent)).toEqual(["kefu was not confident", "customers asked again"]);
    await click(gap.querySelector("[data-testid=gap-write]"));
    await app.find("answer-editor");
    expect((app.id("answer-questions") as HTMLTextAreaElement).value).toBe("扫地机器人多重？\nroamo s7 重量");
    expect((app.id("answer-text") as HTMLTextAreaElement).value).toBe("Roamo S7 约 3.8 公斤。");
    expect((app.id("answer-locale") as HTMLSelectElement).value).toBe("zh");
    await click(app.id("answer-save"));
    await waitFor(() => expect(app.id("answer-editor")).toBeNull());
    const post = app.server.calls.find((c) => c.method === "POST" && c.path === "/v1/admin/answers");
    expect(post?.body).toEqual({
      questions: ["扫地机器人多重？", "roamo s7 重量"],
      answer: "Roamo S7 约 3.8 公斤。",
      locale: "zh",
      product: null,
      tags: [],
      author: "alice",
    });
  });

  it("links a gap to its sample conversations", async () => {
    app = await startApp({ session: ADMIN_SESSION, hash: "#/insights?from=2026-11-18&to=2026-11-24" });
    const link = (await app.find("gap-conversations")) as HTMLAnchorElement;
    expect(link.getAttribute("href")).toMatch(/^#\/conversations\?filter=abstained&language=zh&before_ms=\d+$/);
  });

  it("refuses a period that ends before it starts", async () => {
    app = await startApp({ session: ADMIN_SESSION, hash: "#/insights?from=2026-11-18&to=2026-11-24" });
    await app.find("figure-answer-rate");
    const before = app.server.calls.length;
    await type(app.id("range-from"), "2026-11-30");
    await click(app.id("range-apply"));
    expect(app.q("form [role=alert]")?.textContent).toBe("The first day is after the last.");
    expect(app.server.calls.length).toBe(before);
  });
});
