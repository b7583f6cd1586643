import { afterEach, describe, expect, it } from "vitest";
import type { Session, Turn } from "../shared/types";
import { mount, type Mounted } from "./mount";
import type { WidgetOptions } from "./options";
import { FakeServer, json, liveSse, memorySlot, settle, sse } from "./test-server";

const OPTIONS: WidgetOptions = {
  key: "pk_test",
  api: "https://kefu.example",
  position: "right",
  suggestions: ["Can I return opened electronics?", "运费多少？"],
  lang: "en",
  open: false,
};
const SESSION: Session = { token: "t1", conversation_id: "c1", expires_at_ms: Date.now() + 3_600_000 };
// Chinese and an emoji before the cited span: offsets count code points.
const DOC_TEXT = "退货政策 😀\n拆封的电子产品退货收取15%手续费。其他商品免费。";
const SPAN: [number, number] = [7, 25];

function turn(seq: number, role: Turn["role"], text: string, extra: Partial<Turn> = {}): Turn {
  return { seq, role, actor: null, text, citations: null, abstained: null, handoff_reason: null, language: "en", created_at_ms: 0, ...extra };
}

let mounted: Mounted[] = [];
afterEach(() => {
  for (const m of mounted) m.unmount();
  mounted = [];
});

function setup(options: Partial<WidgetOptions> = {}, stored: Session | null = null) {
  const server = new FakeServer();
  server.on("POST /v1/sessions", () => json(SESSION));
  const events = liveSse();
  server.on("GET /v1/conversations/c1/events", () => events.response);
  const widget = mount({ ...OPTIONS, ...options }, { session: memorySlot(stored), open: memorySlot<boolean>(), fetch: server.fetch, random: () => 0 });
  mounted.push(widget);
  const root = widget.host.shadowRoot!;
  const q = <T extends Element = HTMLElement>(id: string) => root.querySelector<T>(`[data-testid="${id}"]`);
  const all = (id: string) => Array.from(root.querySelectorAll<HTMLElement>(`[data-testid="${id}"]`));
  return { server, widget, root, q, all, events };
}

function key(target: Element, init: KeyboardEventInit) {
  target.dispatchEvent(new KeyboardEvent("keydown", { bubbles: true, cancelable: true, composed: true, ...init }));
}

function type(input: HTMLTextAreaElement, text: string) {
  input.value = text;
  input.dispatchEvent(new Event("input", { bubbles: true }));
}

const ANSWER = {
  answer: 'Yes <img src=x onerror="alert(1)"> with a fee. [1] See https://shop.example/returns. [9]',
  citations: [
    {
      n: 1,
      chunk_id: "k1",
      doc_id: "zh/policies/returns.md",
      title: "退货政策",
      url: "javascript:alert(1)",
      breadcrumb: "退货政策 › 手续费",
      span: SPAN,
      snippet: "拆封的电子产品退货收取15%手续费。",
    },
  ],
  abstained: false,
  handoff: { needed: false, reason: null },
  conversation_id: "c1",
  language: "en",
  ticket: null,
  turn: 2,
};

async function openAndAsk(t: ReturnType<typeof setup>) {
  t.server.on("POST /v1/ask", () => sse([{ event: "done", data: ANSWER }]));
  t.q("kefu-launcher")!.click();
  await settle();
  const input = t.q<HTMLTextAreaElement>("kefu-input")!;
  type(input, "Can I return it?");
  await settle();
  key(input, { key: "Enter" });
  await settle();
}

describe("widget UI", () => {
  it("lives in one open shadow root, with a labelled launcher", () => {
    const { widget, q } = setup();
    expect(document.querySelectorAll("kefu-widget")).toHaveLength(1);
    expect(widget.host.shadowRoot?.mode).toBe("open");
    // (vitest leaves ?inline CSS empty; the build fills it)
    expect(widget.host.shadowRoot?.querySelector("style")).not.toBeNull();
    const launcher = q("kefu-launcher")!;
    expect(launcher.tagName).toBe("BUTTON");
    expect(launcher.getAttribute("aria-label")).toBe("Open chat");
    expect(launcher.getAttribute("aria-expanded")).toBe("false");
    expect(q("kefu-panel")).toBeNull();
  });

  it("opens an accessible dialog with focus in the message box, and shows suggestions", async () => {
    const { q, all, root } = setup();
    q("kefu-launcher")!.click();
    await settle();
    const panel = q("kefu-panel")!;
    expect(panel.getAttribute("role")).toBe("dialog");
    expect(panel.getAttribute("aria-label")).toBeTruthy();
    expect(q("kefu-launcher")!.getAttribute("aria-expanded")).toBe("true");
    const log = panel.querySelector('[role="log"]')!;
    expect(log.getAttribute("aria-live")).toBe("polite");
    expect(root.activeElement).toBe(q("kefu-input"));
    expect(all("kefu-suggestion").map((b) => b.textContent)).toEqual(OPTIONS.suggestions);
    for (const button of Array.from(root.querySelectorAll("button"))) {
      expect(button.getAttribute("aria-label") || button.textContent?.trim()).toBeTruthy();
    }
    expect(q("kefu-input")!.getAttribute("aria-label")).toBeTruthy();
  });

  it("renders answers as text, citations as buttons, and only http(s) links", async () => {
    const t = setup();
    await openAndAsk(t);
    const messages = t.all("kefu-msg");
    expect(messages.map((m) => [m.dataset.role, m.dataset.seq])).toEqual([
      ["customer", "1"],
      ["bot", "2"],
    ]);
    const bot = messages[1];
    expect(t.root.querySelector("img")).toBeNull();
    expect(bot.textContent).toContain('<img src=x onerror="alert(1)">');
    // [9] has no citation: it stays text.
    expect(bot.textContent).toContain("[9]");
    expect(t.all("kefu-cite").map((b) => b.textContent)).toEqual(["1"]);
    const links = Array.from(bot.querySelectorAll("a"));
    expect(links.map((a) => [a.getAttribute("href"), a.target, a.rel])).toEqual([
      ["https://shop.example/returns", "_blank", "noopener noreferrer"],
    ]);
    expect(t.all("kefu-source").map((s) => s.textContent)).toEqual(["1Source 1: 退货政策 › 手续费"]);
    // The suggestions go once the shopper asked.
    expect(t.all("kefu-suggestion")).toEqual([]);
  });

  it("opens a citation's source with the span highlighted, and comes back to the button", async () => {
    const t = setup();
    t.server.on("GET /v1/documents/zh/policies/returns.md", () =>
      json({ id: "zh/policies/returns.md", title: "退货政策", url: null, locale: "zh", text: DOC_TEXT, chunks: [] }),
    );
    await openAndAsk(t);
    const cite = t.q("kefu-cite")!;
    cite.click();
    await settle();
    const view = t.q("kefu-source-view")!;
    expect(view.querySelector("mark")?.textContent).toBe("拆封的电子产品退货收取15%手续费。");
    expect(view.textContent).toContain("退货政策 › 手续费");
    // The citation's javascript: URL is not a link.
    expect(view.querySelector("a")).toBeNull();
    key(view, { key: "Escape" });
    await settle();
    expect(t.q("kefu-source-view")).toBeNull();
    expect(t.q("kefu-panel")).not.toBeNull();
    expect(t.root.activeElement).toBe(t.q("kefu-cite"));
  });

  it("shows a curated answer's snippet with its author", async () => {
    const t = setup();
    t.server.on("POST /v1/ask", () =>
      sse([
        {
          event: "done",
          data: {
            ...ANSWER,
            answer: "Yes. [1]",
            citations: [
              {
                n: 1,
                chunk_id: "cur",
                doc_id: "curated",
                title: "Returns",
                url: null,
                breadcrumb: "",
                span: [0, 4],
                snippet: "Opened items: 15% fee.",
                curated: { id: "a1", version: 2, author: "alice", created_at_ms: Date.UTC(2026, 10, 22) },
              },
            ],
          },
        },
      ]),
    );
    t.q("kefu-launcher")!.click();
    await settle();
    type(t.q<HTMLTextAreaElement>("kefu-input")!, "Q");
    await settle();
    t.q("kefu-send")!.click();
    await settle();
    t.q("kefu-cite")!.click();
    await settle();
    const view = t.q("kefu-source-view")!;
    expect(view.querySelector("mark")?.textContent).toBe("Opened items: 15% fee.");
    expect(view.textContent).toMatch(/Curated answer · alice · .*2026/);
    expect(t.server.sent("GET /v1/documents/curated")).toEqual([]);
  });

  it("does not send on the Enter that confirms an input method's candidate", async () => {
    const t = setup();
    t.server.on("POST /v1/ask", () => sse([{ event: "done", data: ANSWER }]));
    t.q("kefu-launcher")!.click();
    await settle();
    const input = t.q<HTMLTextAreaElement>("kefu-input")!;
    type(input, "退货");
    await settle();
    key(input, { key: "Enter", isComposing: true });
    key(input, { key: "Enter", keyCode: 229 });
    key(input, { key: "Enter", shiftKey: true });
    await settle();
    expect(t.server.sent("POST /v1/ask")).toHaveLength(0);
    key(input, { key: "Enter" });
    await settle();
    expect(t.server.sent("POST /v1/ask")).toHaveLength(1);
    expect(input.value).toBe("");
  });

  it("asks a suggestion when clicked", async () => {
    const t = setup();
    t.server.on("POST /v1/ask", () => sse([{ event: "done", data: ANSWER }]));
    t.q("kefu-launcher")!.click();
    await settle();
    t.all("kefu-suggestion")[1].click();
    await settle();
    expect(t.server.sent("POST /v1/ask")[0].body).toMatchObject({ question: "运费多少？" });
  });

  it("closes on Escape and gives focus back to the launcher", async () => {
    const t = setup();
    t.q("kefu-launcher")!.click();
    await settle();
    key(t.q("kefu-input")!, { key: "Escape" });
    await settle();
    expect(t.q("kefu-panel")).toBeNull();
    expect(t.root.activeElement).toBe(t.q("kefu-launcher"));
    expect(t.q("kefu-launcher")!.getAttribute("aria-expanded")).toBe("false");
  });

  it("rates an answer, asking why after a thumbs down", async () => {
    const t = setup();
    t.server.on("POST /v1/conversations/c1/feedback", () => json({ feedback: [] }));
    await openAndAsk(t);
    expect(t.all("kefu-reason")).toEqual([]);
    t.q("kefu-thumbs-down")!.click();
    await settle();
    const reasons = t.all("kefu-reason");
    expect(reasons.map((r) => r.dataset.reason)).toEqual(["wrong", "outdated", "unclear", "not_what_i_asked"]);
    reasons[3].click();
    await settle();
    expect(t.server.sent("POST /v1/conversations/c1/feedback").map((r) => r.body)).toEqual([
      { turn: 2, thumbs: "down" },
      { turn: 2, thumbs: "down", reason: "not_what_i_asked" },
    ]);
    expect(t.q("kefu-thumbs-down")!.getAttribute("aria-pressed")).toBe("true");
  });

  it("shows agents by name and ticket events as status lines", async () => {
    const t = setup({}, SESSION);
    t.server.on("GET /v1/conversations/c1", () => json({ id: "c1", turns: [turn(1, "customer", "Help")] }));
    t.server.on("POST /v1/conversations/c1/handoff", () => json({ message: "A colleague will reply here.", ticket: { id: "t", state: "open" } }));
    t.q("kefu-launcher")!.click();
    await settle();
    t.q("kefu-handoff")!.click();
    await settle();
    t.events.push({ event: "turn", id: 2, data: turn(2, "bot", "A colleague will reply here.") });
    t.events.push({ event: "turn", id: 3, data: turn(3, "system", "ticket_opened") });
    t.events.push({ event: "turn", id: 4, data: turn(4, "system", "ticket_assigned", { actor: "Alice" }) });
    t.events.push({ event: "turn", id: 5, data: turn(5, "agent", "Hi! <b>Alice</b> here.", { actor: "Alice" }) });
    t.events.push({ event: "turn", id: 6, data: turn(6, "system", "ticket_resolved") });
    await settle();
    expect(t.all("kefu-msg").map((m) => `${m.dataset.role}:${m.dataset.seq}`)).toEqual([
      "customer:1",
      "bot:2",
      "system:3",
      "system:4",
      "agent:5",
      "system:6",
    ]);
    expect(t.all("kefu-status").map((s) => s.textContent)).toEqual(["A person will reply here", "Alice joined", "Resolved"]);
    const agent = t.all("kefu-msg")[4];
    expect(agent.textContent).toContain("Alice");
    expect(agent.querySelector("b")).toBeNull();
  });

  it("speaks Chinese when asked to", async () => {
    const t = setup({ lang: "zh", locale: "zh" });
    expect(t.q("kefu-launcher")!.getAttribute("aria-label")).toBe("打开在线客服");
    t.q("kefu-launcher")!.click();
    await settle();
    expect(t.q("kefu-handoff")!.textContent).toBe("转人工客服");
    expect(t.q("kefu-input")!.getAttribute("placeholder")).toBe("请输入您的问题…");
  });

  it("shows an error with retry when the ask fails", async () => {
    const t = setup();
    let calls = 0;
    t.server.on("POST /v1/ask", () =>
      ++calls === 1 ? json({ error: { code: "overloaded", message: "" } }, 503) : sse([{ event: "done", data: ANSWER }]),
    );
    t.q("kefu-launcher")!.click();
    await settle();
    type(t.q<HTMLTextAreaElement>("kefu-input")!, "Q");
    await settle();
    t.q("kefu-send")!.click();
    await settle();
    const alert = t.root.querySelector('[role="alert"]')!;
    expect(alert.textContent).toContain("We are very busy right now.");
    alert.querySelector("button")!.click();
    await settle();
    expect(t.root.querySelector('[role="alert"]')).toBeNull();
    expect(t.all("kefu-cite")).toHaveLength(1);
  });

  it("is gone after unmount", () => {
    const t = setup();
    t.widget.unmount();
    mounted = [];
    expect(document.querySelector("kefu-widget")).toBeNull();
  });
});
