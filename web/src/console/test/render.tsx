// Renders the whole console against the mock server, with helpers to act as a person would.
import { render } from "preact";
import { act } from "preact/test-utils";
import { vi } from "vitest";
import { ConsoleApp } from "../app";
import { mockServer, type MockOptions } from "./mock-server";

export async function startApp(options: MockOptions & { hash?: string } = {}) {
  const server = mockServer(options);
  vi.stubGlobal("fetch", server.fetch);
  history.replaceState(null, "", options.hash ?? "#/inbox");
  const container = document.createElement("div");
  document.body.appendChild(container);
  await act(() => {
    render(<ConsoleApp />, container);
  });
  const q = <E extends Element = HTMLElement>(selector: string) => container.querySelector<E & Element>(selector) as E | null;
  const all = <E extends Element = HTMLElement>(selector: string) => [...container.querySelectorAll(selector)] as E[];
  const id = <E extends Element = HTMLElement>(testid: string) => q<E>(`[data-testid="${testid}"]`);
  const ids = <E extends Element = HTMLElement>(testid: string) => all<E>(`[data-testid="${testid}"]`);
  /** Waits until `testid` is in the page, and returns it. */
  const find = async <E extends Element = HTMLElement>(testid: string): Promise<E> =>
    vi.waitFor(
      () => {
        const el = id<E>(testid);
        if (!el) throw new Error(`no [data-testid="${testid}"] in:\n${container.innerHTML.slice(0, 2000)}`);
        return el;
      },
      { timeout: 3000, interval: 10 },
    );
  const cleanup = async () => {
    // Inside act, so that effects still pending run (and clean up) before jsdom goes away.
    await act(() => {
      render(null, container);
    });
    container.remove();
    vi.unstubAllGlobals();
    localStorage.clear();
  };
  return { server, container, q, all, id, ids, find, cleanup };
}

/** Types into an input or a textarea. */
export async function type(el: Element | null, value: string) {
  if (!el) throw new Error("nothing to type into");
  await act(() => {
    (el as HTMLInputElement).value = value;
    el.dispatchEvent(new Event("input", { bubbles: true }));
  });
}

export async function choose(el: Element | null, value: string) {
  if (!el) throw new Error("nothing to choose in");
  await act(() => {
    (el as HTMLSelectElement).value = value;
    el.dispatchEvent(new Event("change", { bubbles: true }));
  });
}

export async function click(el: Element | null) {
  if (!el) throw new Error("nothing to click");
  await act(() => {
    (el as HTMLElement).click();
  });
}

/** Goes to a hash route, as a click on a link would. */
export async function go(hash: string) {
  await act(() => {
    location.hash = hash;
  });
  await act(() => new Promise<void>((r) => setTimeout(r, 0)));
}

export const waitFor = <T,>(fn: () => T) => vi.waitFor(fn, { timeout: 3000, interval: 10 });
