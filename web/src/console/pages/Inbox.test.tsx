import { afterEach, describe, expect, it, vi } from "vitest";
import { ADMIN_SESSION, AGENT_SESSION } from "../test/fixtures";
import { click, go, startApp, type, waitFor } from "../test/render";

vi.mock("../components/chartjs", () => import("../test/chartjs-stub"));

let app: Awaited<ReturnType<typeof startApp>>;
afterEach(async () => {
  await app?.cleanup();
});

const turnTexts = () => app.ids("turn").map((el) => `${el.dataset.role}:${el.querySelector(".turn-text")?.textContent ?? el.textContent}`);

describe("the inbox", () => {
  it("lists open tickets, high priority first, with their badges", async () => {
    app = await startApp({ session: AGENT_SESSION });
    await app.find("ticket-row");
    const rows = app.ids("ticket-row");
    expect(rows.map((r) => r.dataset.ticketId)).toEqual(["t-high", "t-normal-old", "t-normal-new"]);
    const badges = [...rows[0].querySelectorAll("[data-badge]")].map((b) => b.textContent);
    expect(badges).toEqual(["High priority", "Frustrated", "Complaint"]);
    // Open and assigned tickets, both.
    expect(app.server.calls.slice(1, 3).map((c) => c.path)).toEqual(["/v1/tickets?state=open&limit=50", "/v1/tickets?state=assigned&limit=50"]);
  });

  it("shows the whole transcript, markup from a customer as text", async () => {
    app = await startApp({ session: AGENT_SESSION, hash: "#/inbox/t-high" });
    await app.find("turn");
    expect(app.ids("turn").map((t) => t.dataset.role)).toEqual(["customer", "bot", "customer", "bot", "system"]);
    expect(turnTexts()[0]).toBe("customer:Can I return opened electronics? <img src=x onerror=alert(1)>");
    expect(app.container.querySelector("img")).toBeNull();
    // The bot's answer: its citations, the customer's rating, the handoff.
    const answer = app.ids("turn")[1];
    expect([...answer.querySelectorAll("[data-testid=citation]")].map((c) => c.textContent)).toEqual([
      "[1] en/faq.csv",
      "[2] en/policies/returns.md",
    ]);
    expect(answer.querySelector("[data-testid=turn-rating]")?.textContent).toContain("Rated not helpful (outdated)");
    expect(app.ids("turn")[3].textContent).toContain("Handoff: Complaint");
    expect(app.ids("turn")[4].textContent).toContain("Ticket opened");
  });

  it("opens a citation's document with the quoted passage marked", async () => {
    app = await startApp({ session: AGENT_SESSION, hash: "#/inbox/t-high" });
    await app.find("citation");
    await click(app.ids("citation")[0]);
    const doc = await app.find("document");
    // The span counts characters: the emoji before it is one, not two UTF-16 units.
    expect(doc.querySelector(".cited mark")?.textContent).toBe("Yes, a 15% restocking fee applies to opened electronics.");
    expect(app.ids("chunk")).toHaveLength(2);
    expect(app.q("[role=dialog]")?.getAttribute("aria-modal")).toBe("true");
  });

  it("sends a reply with the CSRF token, and shows it", async () => {
    app = await startApp({ session: ADMIN_SESSION, hash: "#/inbox/t-high" });
    await app.find("turn");
    await type(app.id("reply-text"), "  Hi, I can help with that.  ");
    await click(app.id("reply-send"));
    await waitFor(() => expect(turnTexts()).toContain("agent:Hi, I can help with that."));
    const post = app.server.calls.find((c) => c.path === "/v1/tickets/t-high/reply")!;
    expect(post.method).toBe("POST");
    expect(post.headers["x-csrf-token"]).toBe(ADMIN_SESSION.csrf);
    expect(post.body).toEqual({ agent: "alice", text: "Hi, I can help with that." });
    expect((app.id("reply-text") as HTMLTextAreaElement).value).toBe("");
    // A reply takes the ticket.
    await waitFor(() => expect(app.id("ticket-assignee")?.textContent).toBe("Assigned to alice"));
    // Assigned now, the ticket stays in the default list.
    await waitFor(() => expect(app.q('[data-testid=ticket-row][data-ticket-id="t-high"] [data-state]')?.textContent).toBe("Assigned"));
    // The same turn heard again on the live stream is not shown twice.
    expect(turnTexts().filter((t) => t.startsWith("agent:"))).toHaveLength(1);
  });

  it("shows the customer's new messages live", async () => {
    app = await startApp({ session: AGENT_SESSION, hash: "#/inbox/t-high" });
    await waitFor(() => expect(app.id("live")?.textContent).toBe("Live"));
    app.server.addTurn("c-2", { role: "customer", text: "Are you there?" });
    await waitFor(() => expect(turnTexts()).toContain("customer:Are you there?"));
    const stream = app.server.calls.filter((c) => c.path === "/v1/conversations/c-2/events");
    expect(stream[0].headers["last-event-id"]).toBe("5");
  });

  it("links http(s) urls in replies only, never a customer's or a javascript: one", async () => {
    app = await startApp({ session: AGENT_SESSION, hash: "#/inbox/t-high" });
    await waitFor(() => expect(app.id("live")?.textContent).toBe("Live"));
    app.server.addTurn("c-2", { role: "customer", text: "see https://evil.example/x" });
    app.server.addTurn("c-2", { role: "agent", actor: "bob", text: "Form: https://help.example.com/returns. Not javascript:alert(1)" });
    await waitFor(() => expect(app.ids("turn")).toHaveLength(7));
    const links = app.all<HTMLAnchorElement>("[data-testid=turn] a");
    expect(links.map((a) => [a.closest<HTMLElement>("[data-role]")?.dataset.role, a.getAttribute("href"), a.rel])).toEqual([
      ["agent", "https://help.example.com/returns", "noopener noreferrer"],
    ]);
  });

  it("assigns to me and resolves", async () => {
    app = await startApp({ session: AGENT_SESSION, hash: "#/inbox/t-normal-old" });
    await click(await app.find("assign"));
    await waitFor(() => expect(app.id("ticket-assignee")?.textContent).toBe("Assigned to bob"));
    expect(app.id("assign")).toBeNull();
    await click(app.id("resolve"));
    await waitFor(() => expect(app.id("ticket-detail")?.dataset.state).toBe("resolved"));
    expect(app.id("reply-text")).toBeNull();
    // An agent key cannot curate.
    expect(app.id("promote")).toBeNull();
  });

  it("saves the reply as a curated answer, resolving the ticket first", async () => {
    app = await startApp({ session: ADMIN_SESSION, hash: "#/inbox/t-high" });
    await app.find("turn");
    expect((app.id("promote") as HTMLButtonElement).disabled).toBe(true);
    await type(app.id("reply-text"), "About 3.8 kg.");
    await click(app.id("reply-send"));
    await waitFor(() => expect((app.id("promote") as HTMLButtonElement).disabled).toBe(false));
    await click(app.id("promote"));
    expect((await app.find("confirm-dialog")).textContent).toContain("About 3.8 kg.");
    await click(app.id("confirm-ok"));
    await waitFor(() => expect(app.q("[role=status].note-ok")?.textContent).toMatch(/^Saved as curated answer a-/));
    const paths = app.server.calls.filter((c) => c.method === "POST").map((c) => c.path);
    expect(paths.slice(-2)).toEqual(["/v1/tickets/t-high/resolve", "/v1/admin/answers"]);
    expect(app.server.calls.find((c) => c.path === "/v1/admin/answers")?.body).toEqual({ from_ticket: "t-high", author: "alice" });
  });

  it("saves the reply of a ticket resolved meanwhile", async () => {
    app = await startApp({ session: ADMIN_SESSION, hash: "#/inbox/t-high" });
    await app.find("turn");
    await type(app.id("reply-text"), "About 3.8 kg.");
    await click(app.id("reply-send"));
    await waitFor(() => expect((app.id("promote") as HTMLButtonElement).disabled).toBe(false));
    // Resolved on the server (a click on Resolve still on its way, another agent); the page still shows it open.
    app.server.tickets.find((t) => t.id === "t-high")!.state = "resolved";
    await click(app.id("promote"));
    await click(await app.find("confirm-ok"));
    await waitFor(() => expect(app.q("[role=status].note-ok")?.textContent).toMatch(/^Saved as curated answer a-/));
    const paths = app.server.calls.filter((c) => c.method === "POST").map((c) => c.path);
    expect(paths.slice(-2)).toEqual(["/v1/tickets/t-high/resolve", "/v1/admin/answers"]);
  });

  it("shows a conflict's message and the ticket as it now is", async () => {
    app = await startApp({ session: AGENT_SESSION, hash: "#/inbox/t-normal-new" });
    await app.find("resolve");
    app.server.tickets.find((t) => t.id === "t-normal-new")!.state = "resolved";
    await click(app.id("resolve"));
    await waitFor(() => expect(app.q("[role=alert]")?.textContent).toBe("the ticket is resolved"));
    await waitFor(() => expect(app.id("ticket-detail")?.dataset.state).toBe("resolved"));
  });

  it("filters by state", async () => {
    app = await startApp({ session: AGENT_SESSION });
    await app.find("ticket-row");
    await go("#/inbox?state=resolved");
    await waitFor(() => expect(app.ids("ticket-row")).toHaveLength(0));
    expect(app.server.calls.some((c) => c.path === "/v1/tickets?state=resolved&limit=50")).toBe(true);
  });
});
