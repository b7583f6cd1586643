// What the browser tests run against: a real `kefu serve --demo` over the sample corpus (plus
// one hostile document), a shop's page on another origin carrying the widget, and Debian's
// Chromium driven by playwright-core. Paths come from the Makefile (`make test-browser`).
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join, resolve } from "node:path";
import { randomBytes } from "node:crypto";
import { chromium } from "playwright-core";

const here = new URL(".", import.meta.url).pathname;
const root = resolve(here, "../..");
export const BIN = process.env.KEFU_BIN ?? join(root, "target/debug/kefu");
const CORPUS = process.env.KEFU_CORPUS ?? join(root, "corpus");
export const ARTIFACTS = process.env.KEFU_ARTIFACTS ?? join(root, "target/browser");
const WORK = join(root, "target/e2e");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

const secret = (prefix) => `${prefix}${randomBytes(16).toString("hex")}`;
export const KEYS = {
  publishable: secret("pk_e2e_"),
  agent: secret("agent_e2e_"),
  admin: secret("admin_e2e_"),
};

/** A help-center page whose text carries markup: it must reach the shopper as text. */
export const HOSTILE_DOC = `Gift cards

Our gift cards never expire <script>window.__kefuPwned = true</script> and can be used on any order <img src=x onerror="window.__kefuPwned = true">. Gift card balances cannot be exchanged for cash.
`;

function fail(message) {
  throw new Error(`browser tests: ${message}`);
}

/** The corpus plus the hostile page, ingested into a data folder kept between runs (an
 * ingest of unchanged files is quick); the conversation store starts empty each run. */
function prepareData() {
  if (!existsSync(BIN)) fail(`no kefu binary at ${BIN}: run \`cargo build\` (make test-browser does)`);
  if (!existsSync(CHROMIUM)) {
    fail(`no Chromium at ${CHROMIUM}: install Debian's chromium (apt-get install chromium) or set CHROMIUM`);
  }
  const corpus = join(WORK, "corpus");
  mkdirSync(WORK, { recursive: true });
  cpSync(CORPUS, corpus, { recursive: true });
  writeFileSync(join(corpus, "en/help/gift-cards.txt"), HOSTILE_DOC);
  const data = join(WORK, "data");
  const ingest = spawnSync(BIN, ["ingest", corpus, "--data", data, "--prune", "--json"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  if (ingest.status !== 0) fail(`kefu ingest failed (${ingest.status})`);
  for (const name of ["kefu.db", "kefu.db-wal", "kefu.db-shm"]) rmSync(join(data, name), { force: true });
  return data;
}

/** The shop's page on its own origin: hostile CSS that a leaky widget would pick up. */
function hostPage(kefuBase) {
  const html = (lang) => `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Host shop</title>
<style>
  * { font-family: "Comic Sans MS", cursive !important; color: #f0f !important; box-sizing: content-box !important; }
  div, button, textarea, input, p, span, a, ol, ul, li { all: unset; border: 5px dashed red !important; background: yellow !important; font-size: 31px !important; }
  button { display: none !important; }
  [role="dialog"], .panel, .launcher { transform: rotate(45deg) !important; }
</style></head>
<body><main><h1>Host shop</h1><p>A page whose styles must not reach the widget.</p></main>
<script src="${kefuBase}/widget.js" data-key="${KEYS.publishable}" async></script>
</body></html>`;
  const server = createServer((request, response) => {
    const url = new URL(request.url, "http://host");
    if (url.pathname !== "/" && url.pathname !== "/zh") {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    response.end(html(url.pathname === "/zh" ? "zh-CN" : "en"));
  });
  return new Promise((done) => server.listen(0, "127.0.0.1", () => done(server)));
}

/** Starts `kefu serve` and resolves with its base URL once it listens. */
function startKefu(data, hostOrigin) {
  const env = {
    ...process.env,
    KEFU_API_KEYS: `${KEYS.publishable}:publishable,${KEYS.agent}:agent,${KEYS.admin}:admin`,
    KEFU_SERVER__SESSION_SECRET: secret("session_secret_"),
    KEFU_HANDOFF__AGENT_CONSOLE: "true",
    KEFU_SERVER__CORS_ORIGINS: JSON.stringify([hostOrigin]),
    KEFU_SERVER__RELOAD_INTERVAL_MS: "300",
    KEFU_LOG: process.env.KEFU_LOG ?? "warn",
  };
  const child = spawn(BIN, ["serve", "--demo", "--data", data, "--addr", "127.0.0.1:0"], {
    env,
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((done, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error("kefu serve did not start within 180 s")), 180_000);
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const found = out.match(/listening on (http:\/\/\S+)/);
      if (found) {
        clearTimeout(timer);
        done({ child, base: found[1] });
      }
    });
    child.on("exit", (code) => reject(new Error(`kefu serve exited (${code})`)));
  });
}

/** Everything a test file needs; `close()` stops it all. */
export async function start() {
  mkdirSync(ARTIFACTS, { recursive: true });
  const data = prepareData();
  // The host page must know kefu's address and kefu the host's origin: bind the host first.
  let kefuBase = "";
  const host = await hostPage({ toString: () => kefuBase });
  const hostBase = `http://127.0.0.1:${host.address().port}`;
  const kefu = await startKefu(data, hostBase);
  kefuBase = kefu.base;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    kefu: kefu.base,
    host: hostBase,
    browser,
    /** A kefu API call with a key; its JSON. */
    async api(path, { key = KEYS.admin, method = "GET", body } = {}) {
      const response = await fetch(`${kefu.base}${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body ? { "content-type": "application/json" } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      const json = await response.json();
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
      return json;
    },
    async close() {
      await browser.close();
      kefu.child.kill("SIGTERM");
      host.close();
    },
  };
}
