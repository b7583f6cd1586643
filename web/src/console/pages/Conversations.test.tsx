import { afterEach, describe, expect, it, vi } from "vitest";
import { ADMIN_SESSION } from "../test/fixtures";
import { choose, click, startApp, type, waitFor } from "../test/render";

vi.mock("../components/chartjs", () => import("../test/chartjs-stub"));

let app: Awaited<ReturnType<typeof startApp>>;
afterEach(async () => {
  await app?.cleanup();
});

describe("conversations", () => {
  it("lists and filters conversations", async () => {
    app = await startApp({ session: ADMIN_SESSION, hash: "#/conversations" });
    await app.find("conversation-row");
    expect(app.ids("conversation-row").map((r) => r.dataset.conversationId)).toEqual(["c-2", "c-4"]);
    expect(app.ids("conversation-row")[0].textContent).toContain("Thumbs down");
    await choose(app.id("conversation-filter"), "thumbs_down");
    await waitFor(() => expect(app.ids("conversation-row")).toHaveLength(1));
    await choose(app.id("conversation-language"), "zh");
    await waitFor(() => expect(app.ids("conversation-row")).toHaveLength(0));
    expect(app.server.calls.at(-1)?.path).toBe("/v1/admin/conversations?filter=thumbs_down&language=zh&limit=50");
  });

  it("opens a transcript and deletes the conversation", async () => {
    app = await startApp({ session: ADMIN_SESSION, hash: "#/conversations/c-2" });
    await app.find("turn");
    expect(app.ids("turn")).toHaveLength(5);
    await click(app.id("delete-conversation"));
    await click(await app.find("confirm-ok"));
    await waitFor(() => expect(app.id("conversation-detail")).toBeNull());
    expect(app.server.calls.find((c) => c.method === "DELETE")?.path).toBe("/v1/conversations/c-2");
    expect(app.ids("conversation-row").map((r) => r.dataset.conversationId)).toEqual(["c-4"]);
    expect(app.q(".note-ok")?.textContent).toBe("Deleted 1 conversation(s) and 5 turns.");
  });

  it("erases a customer's data only once the id is typed again", async () => {
    app = await startApp({ session: ADMIN_SESSION, hash: "#/conversations" });
    await type(await app.find("erase-user-id"), "bad id!");
    await click(app.id("erase-user"));
    expect(app.id("confirm-dialog")).toBeNull();
    expect(app.id("erase-user-id")?.getAttribute("aria-invalid")).toBe("true");

    await type(app.id("erase-user-id"), "cust-42");
    await click(app.id("erase-user"));
    await app.find("confirm-dialog");
    const ok = app.id("confirm-ok") as HTMLButtonElement;
    expect(ok.disabled).toBe(true);
    await type(app.id("confirm-input"), "cust-4");
    expect(ok.disabled).toBe(true);
    await type(app.id("confirm-input"), "cust-42");
    expect(ok.disabled).toBe(false);
    await click(ok);
    await waitFor(() => expect(app.q(".note-ok")?.textContent).toBe("Deleted 1 conversation(s) and 5 turns of cust-42."));
    const del = app.server.calls.find((c) => c.method === "DELETE")!;
    expect(del.path).toBe("/v1/users/cust-42");
    expect(del.headers["x-csrf-token"]).toBe(ADMIN_SESSION.csrf);
    await waitFor(() => expect(app.ids("conversation-row").map((r) => r.dataset.conversationId)).toEqual(["c-4"]));
  });

  it("offers to erase the data of the customer whose conversation is open", async () => {
    app = await startApp({ session: ADMIN_SESSION, hash: "#/conversations/c-2" });
    await click(await app.find("erase-customer"));
    expect((await app.find("confirm-dialog")).textContent).toContain("Erase all data of cust-42?");
  });
});
