// The script as a page loads it: what it adds to `window`, and `window.Kefu`.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { settle } from "./test-server";

const PROTOTYPES = [Object, Array, String, Function, Promise, Element, HTMLElement, Node, EventTarget, Document, Window].map(
  (c) => c.prototype as object,
);
const names = (o: object) => Object.getOwnPropertyNames(o).sort();

let before: string[];
let prototypesBefore: string[][];

beforeAll(async () => {
  const script = document.createElement("script");
  script.src = "https://kefu.example/widget.js";
  Object.assign(script.dataset, { key: "pk_test_0123456789", position: "left", greeting: "Hello from the shop" });
  document.head.appendChild(script);
  before = names(window);
  prototypesBefore = PROTOTYPES.map(names);
  vi.resetModules();
  await import("./main");
});

afterAll(() => window.Kefu?.destroy());

declare global {
  interface Window {
    Kefu?: { open(): void; close(): void; toggle(): void; init(options?: object): void; destroy(): void };
  }
}

const root = () => document.querySelector("kefu-widget")?.shadowRoot;
const q = (id: string) => root()?.querySelector<HTMLElement>(`[data-testid="${id}"]`) ?? null;

describe("widget.js on a page", () => {
  it("adds exactly one global, Kefu, and changes no prototype", () => {
    expect(names(window).filter((n) => !before.includes(n))).toEqual(["Kefu"]);
    expect(PROTOTYPES.map(names)).toEqual(prototypesBefore);
    expect(Object.keys(window.Kefu!).sort()).toEqual(["close", "destroy", "init", "open", "toggle"]);
    expect(Object.isFrozen(window.Kefu)).toBe(true);
  });

  it("starts from the script tag's data attributes", () => {
    expect(document.querySelectorAll("kefu-widget")).toHaveLength(1);
    expect(root()?.querySelector(".kefu.left")).not.toBeNull();
  });

  it("opens, closes and toggles", async () => {
    window.Kefu!.open();
    await settle();
    expect(q("kefu-panel")).not.toBeNull();
    expect(root()?.textContent).toContain("Hello from the shop");
    window.Kefu!.close();
    await settle();
    expect(q("kefu-panel")).toBeNull();
    window.Kefu!.toggle();
    await settle();
    expect(q("kefu-panel")).not.toBeNull();
    window.Kefu!.toggle();
    await settle();
    expect(q("kefu-panel")).toBeNull();
  });

  it("restarts with init's options over the tag's, and goes with destroy", async () => {
    window.Kefu!.init({ position: "right", suggestions: ["Where is my order?"], open: true });
    await settle();
    expect(document.querySelectorAll("kefu-widget")).toHaveLength(1);
    expect(root()?.querySelector(".kefu.right")).not.toBeNull();
    expect(q("kefu-suggestion")?.textContent).toBe("Where is my order?");
    window.Kefu!.destroy();
    expect(document.querySelector("kefu-widget")).toBeNull();
    // Still there to start it again.
    window.Kefu!.open();
    expect(typeof window.Kefu!.init).toBe("function");
  });

  it("is not installed twice when the script is loaded twice", async () => {
    const first = window.Kefu;
    vi.resetModules();
    await import("./main");
    expect(window.Kefu).toBe(first);
  });
});
