import { describe, expect, it } from "vitest";
import { TICKETS } from "../test/fixtures";
import { isActive, lastAgentReply, lastSeq, mergeTurns, sortTickets, ticketBadges } from "./tickets";
import type { Turn } from "./types";

describe("tickets", () => {
  it("puts high priority first, then the oldest", () => {
    expect(sortTickets(TICKETS).map((t) => t.id)).toEqual(["t-high", "t-normal-old", "t-normal-new"]);
  });

  it("badges priority, frustration and the reason", () => {
    const high = TICKETS.find((t) => t.id === "t-high")!;
    expect(ticketBadges(high)).toEqual([
      { kind: "high", code: "high" },
      { kind: "frustrated", code: "frustrated" },
      { kind: "reason", code: "complaint" },
    ]);
    expect(ticketBadges(TICKETS[0])).toEqual([{ kind: "reason", code: "low_confidence" }]);
  });

  it("can act on open and assigned tickets only", () => {
    expect(["open", "assigned", "resolved", "expired"].map((state) => isActive({ state }))).toEqual([true, true, false, false]);
  });
});

const turn = (seq: number, role = "customer", extra: Partial<Turn> = {}): Turn => ({
  seq,
  role,
  actor: null,
  text: `t${seq}`,
  citations: null,
  confidence: null,
  abstained: null,
  handoff_reason: null,
  language: "en",
  created_at_ms: seq,
  ...extra,
});

describe("turns", () => {
  it("merges by seq without duplicates, in order", () => {
    const merged = mergeTurns([turn(1), turn(2)], [turn(4), turn(2, "customer", { text: "again" }), turn(3)]);
    expect(merged.map((t) => t.seq)).toEqual([1, 2, 3, 4]);
    expect(merged[1].text).toBe("again");
    expect(lastSeq(merged)).toBe(4);
    expect(lastSeq([])).toBeNull();
  });

  it("finds the ticket's last agent reply", () => {
    const turns = [turn(1), turn(2, "agent", { ticket_id: "old" }), turn(3, "agent", { ticket_id: "t" }), turn(4, "system")];
    expect(lastAgentReply(turns, "t")?.seq).toBe(3);
    expect(lastAgentReply(turns, "other")).toBeNull();
    expect(lastAgentReply([turn(1, "agent")], "t")?.seq).toBe(1);
  });
});
