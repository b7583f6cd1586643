// kefu's chat widget, for a shop's pages:
//
//   <script src="https://HOST/widget.js" data-key="pk_…" async></script>
//
// The one global it defines is `window.Kefu` (this module exports nothing, so the IIFE build
// names no other): `open()`, `close()`, `toggle()`, `init(options)` (configure from JS: the
// data attributes' names as keys, `suggestions` may be an array; starts the widget, or starts
// it again with those options over the tag's), `destroy()` (removes it; `init` brings it back).
// A page may also set `window.Kefu = {key: "pk_…", …}` before the script loads: read as
// `init`'s options.

import { fromDataset, parseOptions, type RawOptions } from "./options";
import { mount, type Mounted } from "./mount";

interface KefuApi {
  open(): void;
  close(): void;
  toggle(): void;
  init(options?: RawOptions): void;
  destroy(): void;
}

// Read now: `document.currentScript` is only set while this script first runs (it is async).
const script = (document.currentScript as HTMLScriptElement | null) ?? findScript();

function findScript(): HTMLScriptElement | null {
  const scripts = document.querySelectorAll<HTMLScriptElement>("script[src][data-key]");
  return Array.from(scripts).find((s) => /\/widget\.js(?:[?#]|$)/.test(s.src)) ?? null;
}

function scriptOrigin(): string | undefined {
  try {
    return script?.src ? new URL(script.src, location.href).origin : location.origin;
  } catch {
    return undefined;
  }
}

function install() {
  const existing = (window as { Kefu?: unknown }).Kefu as Partial<KefuApi> | RawOptions | undefined;
  // Loaded twice: the first copy keeps the page.
  if (existing && typeof (existing as KefuApi).open === "function") return;
  const preset = existing && typeof existing === "object" ? (existing as RawOptions) : {};
  const tagged = fromDataset(script?.dataset);

  let widget: Mounted | undefined;
  let given: RawOptions = preset;
  // Kefu.open() called before the page finished loading: honoured once the widget is there.
  let openWhenReady = false;

  const start = () => {
    widget?.unmount();
    widget = undefined;
    const { options, problems } = parseOptions(
      { ...tagged, ...given },
      { scriptOrigin: scriptOrigin(), htmlLang: document.documentElement.lang },
    );
    for (const problem of problems) console.warn(`kefu widget: ${problem}`);
    if (options) widget = mount(options);
    if (widget && openWhenReady) widget.chat.open();
    openWhenReady = false;
  };
  const whenReady = (run: () => void) => {
    if (document.body) run();
    else document.addEventListener("DOMContentLoaded", run, { once: true });
  };

  const api: KefuApi = Object.freeze({
    open: () => (widget ? widget.chat.open() : void (openWhenReady = true)),
    close: () => widget?.chat.close(),
    toggle: () => widget?.chat.toggle(),
    init(options: RawOptions = {}) {
      given = { ...preset, ...options };
      whenReady(start);
    },
    destroy() {
      widget?.unmount();
      widget = undefined;
    },
  });
  try {
    Object.defineProperty(window, "Kefu", { value: api, configurable: true, enumerable: true, writable: false });
  } catch {
    // A page's `var Kefu = {…}` is not configurable, but it is writable.
    (window as { Kefu?: unknown }).Kefu = api;
  }

  // Without a key on the tag (nor preset), the page configures it with Kefu.init({key}).
  if (tagged.key !== undefined || preset.key !== undefined) whenReady(start);
}

install();
