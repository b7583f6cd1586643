import { afterEach, describe, expect, it, vi } from "vitest";
import { ADMIN_SESSION, AGENT_SESSION } from "./test/fixtures";
import { choose, click, go, startApp, type, waitFor } from "./test/render";

vi.mock("./components/chartjs", () => import("./test/chartjs-stub"));

let app: Awaited<ReturnType<typeof startApp>>;
afterEach(async () => {
  await app?.cleanup();
});

describe("signing in", () => {
  it("asks for a key and a name, then opens the inbox", async () => {
    app = await startApp({ session: null });
    await type(await app.find("signin-key"), "agent-key-0123456789");
    await type(app.id("signin-agent"), "bob");
    await click(app.id("signin-submit"));
    await app.find("nav-inbox");
    const post = app.server.calls.find((c) => c.method === "POST" && c.path === "/console/api/session");
    expect(post?.body).toEqual({ key: "agent-key-0123456789", agent: "bob" });
    // An agent key: the admin pages are not offered.
    expect(app.id("nav-insights")).toBeNull();
    expect(app.id("nav-knowledge")).toBeNull();
    expect(app.id("signed-in-as")?.textContent).toContain("bob");
  });

  it("shows the server's message when the key is refused", async () => {
    app = await startApp({ session: null });
    await type(await app.find("signin-key"), "query-key-0123456789");
    await type(app.id("signin-agent"), "bob");
    await click(app.id("signin-submit"));
    expect((await app.find("signin-error")).textContent).toBe("a query key cannot sign in to the console");
  });

  it("checks the name before asking the server", async () => {
    app = await startApp({ session: null });
    await type(await app.find("signin-key"), "agent-key-0123456789");
    await type(app.id("signin-agent"), "Bob Smith");
    await click(app.id("signin-submit"));
    expect(app.id("signin-agent")?.getAttribute("aria-invalid")).toBe("true");
    expect(app.server.calls.some((c) => c.method === "POST")).toBe(false);
  });

  it("goes back to sign-in when the session ends", async () => {
    app = await startApp({ session: ADMIN_SESSION });
    await app.find("ticket-row");
    app.server.session = null;
    await choose(app.id("ticket-state-filter"), "all");
    await app.find("signin-key");
  });

  it("signs out with the CSRF token", async () => {
    app = await startApp({ session: ADMIN_SESSION });
    await click(await app.find("sign-out"));
    await app.find("signin-key");
    const del = app.server.calls.find((c) => c.method === "DELETE" && c.path === "/console/api/session");
    expect(del?.headers["x-csrf-token"]).toBe(ADMIN_SESSION.csrf);
  });
});

describe("the shell", () => {
  it("tells an agent that an admin page needs an admin key", async () => {
    app = await startApp({ session: AGENT_SESSION, hash: "#/insights" });
    expect((await app.find("needs-admin")).textContent).toBe("This needs an admin key.");
    expect(app.server.calls.some((c) => c.path.startsWith("/v1/admin/"))).toBe(false);
  });

  it("switches between English and Chinese", async () => {
    app = await startApp({ session: ADMIN_SESSION });
    expect((await app.find("nav-inbox")).textContent).toBe("Inbox");
    await choose(app.id("language"), "zh");
    expect(app.id("nav-inbox")?.textContent).toBe("收件箱");
    expect(document.documentElement.lang).toBe("zh-CN");
    expect(localStorage.getItem("kefu.console.lang")).toBe("zh");
  });

  it("has landmarks, and marks the current page in the navigation", async () => {
    app = await startApp({ session: ADMIN_SESSION, hash: "#/knowledge" });
    await app.find("answer-row");
    expect(app.q("nav")?.getAttribute("aria-label")).toBe("Main");
    expect(app.q("main h1")?.textContent).toBe("Knowledge");
    expect(app.id("nav-knowledge")?.getAttribute("aria-current")).toBe("page");
    expect(app.id("nav-inbox")?.getAttribute("aria-current")).toBeNull();
    await go("#/conversations");
    await waitFor(() => expect(app.id("nav-conversations")?.getAttribute("aria-current")).toBe("page"));
  });
});
