import { describe, expect, it } from "vitest";
import type { AskResponse, Turn } from "../shared/types";
import {
  finishAnswer,
  forgetSeqs,
  fromTranscript,
  maxSeq,
  mergeTurn,
  ticketActive,
  type Msg,
} from "./transcript";

function turn(seq: number, role: Turn["role"], text: string, extra: Partial<Turn> = {}): Turn {
  return { seq, role, actor: null, text, citations: null, abstained: null, handoff_reason: null, language: "en", created_at_ms: seq, ...extra };
}

function local(key: string, role: Msg["role"], text: string, extra: Partial<Msg> = {}): Msg {
  return { key, role, text, citations: [], status: "done", awaiting: true, createdAt: 0, ...extra };
}

const seqs = (list: Msg[]) => list.map((m) => `${m.role}:${m.seq ?? "-"}:${m.text}`);

describe("fromTranscript", () => {
  it("orders turns and reads their ratings", () => {
    const list = fromTranscript({
      id: "c",
      turns: [turn(2, "bot", "Yes [1]", { citations: [{ n: 1, chunk_id: "k", doc_id: "en/faq.csv", span: [0, 3] }] }), turn(1, "customer", "Can I?")],
      feedback: [{ turn_seq: 2, kind: "thumbs", score: -1, reason: "outdated" }],
    });
    expect(seqs(list)).toEqual(["customer:1:Can I?", "bot:2:Yes [1]"]);
    expect(list[1]).toMatchObject({ thumbs: "down", reason: "outdated", citations: [{ n: 1 }] });
  });

  it("reads a rating on the turn itself", () => {
    const [msg] = fromTranscript({ id: "c", turns: [turn(2, "bot", "Yes", { feedback: [{ kind: "thumbs", score: 1, reason: null }] })] });
    expect(msg.thumbs).toBe("up");
  });
});

describe("mergeTurn", () => {
  it("drops a turn already shown", () => {
    const list = fromTranscript({ id: "c", turns: [turn(1, "customer", "Hi")] });
    expect(mergeTurn(list, turn(1, "customer", "Hi"))).toBe(list);
  });

  it("pairs a turn with the local message waiting for it", () => {
    let list = [local("a", "customer", "my phone is 123"), local("b", "bot", "", { status: "streaming" })];
    // The server redacts: the shopper keeps seeing what they typed.
    list = mergeTurn(list, turn(5, "customer", "my phone is [phone]"));
    list = mergeTurn(list, turn(6, "bot", "Answer"));
    expect(seqs(list)).toEqual(["customer:5:my phone is 123", "bot:6:Answer"]);
    expect(list[1].status).toBe("streaming");
  });

  it("does not pair a finished bot message with another answer", () => {
    let list = [local("h", "bot", "A person will reply.")];
    list = mergeTurn(list, turn(9, "bot", "Something else"));
    expect(seqs(list)).toEqual(["bot:-:A person will reply.", "bot:9:Something else"]);
    list = mergeTurn([local("h", "bot", "A person will reply.")], turn(9, "bot", "A person will reply."));
    expect(seqs(list)).toEqual(["bot:9:A person will reply."]);
  });

  it("turns a failed answer into the stored one", () => {
    const list = mergeTurn([local("b", "bot", "", { status: "error", error: { code: "network", message: "" } })], turn(4, "bot", "Stored"));
    expect(list[0]).toMatchObject({ seq: 4, status: "done", text: "Stored", error: undefined });
  });

  it("inserts new turns in seq order, above a reply being written", () => {
    let list = fromTranscript({ id: "c", turns: [turn(1, "customer", "a"), turn(4, "agent", "d")] });
    list = mergeTurn(list, turn(3, "system", "ticket_opened"));
    list = [...list, local("p", "bot", "", { status: "pending" })];
    list = mergeTurn(list, turn(5, "agent", "e", { actor: "alice" }));
    expect(seqs(list)).toEqual(["customer:1:a", "system:3:ticket_opened", "agent:4:d", "agent:5:e", "bot:-:"]);
  });

  it("puts a later turn below a reply that has its seq but is still being written", () => {
    let list = [local("h", "bot", "", { status: "pending" })];
    list = mergeTurn(list, turn(3, "bot", "A colleague will reply."));
    list = mergeTurn(list, turn(4, "system", "ticket_opened"));
    expect(seqs(list)).toEqual(["bot:3:A colleague will reply.", "system:4:ticket_opened"]);
  });

  it("never pairs agents' or system turns", () => {
    const list = mergeTurn([local("a", "customer", "x")], turn(2, "agent", "hi"));
    expect(seqs(list)).toEqual(["customer:-:x", "agent:2:hi"]);
  });
});

describe("finishAnswer", () => {
  const done = (extra: Partial<AskResponse>): AskResponse => ({
    answer: "Final [1]",
    citations: [{ n: 1, chunk_id: "k", doc_id: "d", span: [0, 1], title: "FAQ" }],
    abstained: false,
    handoff: { needed: false, reason: null },
    conversation_id: "c",
    language: "en",
    ticket: null,
    turn: 8,
    ...extra,
  });

  it("numbers the answer and its question", () => {
    const list = finishAnswer(
      [local("q", "customer", "Q"), local("b", "bot", "Fin", { status: "streaming", replyTo: "q" })],
      "b",
      done({}),
    );
    expect(seqs(list)).toEqual(["customer:7:Q", "bot:8:Final [1]"]);
    expect(list[1]).toMatchObject({ status: "done", awaiting: false, citations: [{ title: "FAQ" }] });
    // The events stream delivering them afterwards adds nothing.
    expect(mergeTurn(mergeTurn(list, turn(7, "customer", "Q")), turn(8, "bot", "Final [1]"))).toBe(list);
  });

  it("keeps the seq the events stream gave first", () => {
    let list = [local("q", "customer", "Q"), local("b", "bot", "", { status: "streaming", replyTo: "q" })];
    list = mergeTurn(mergeTurn(list, turn(7, "customer", "Q")), turn(8, "bot", "Final [1]"));
    list = finishAnswer(list, "b", done({}));
    expect(seqs(list)).toEqual(["customer:7:Q", "bot:8:Final [1]"]);
  });

  it("removes the placeholder when the message went to a person", () => {
    const list = finishAnswer(
      [local("q", "customer", "Q"), local("b", "bot", "", { status: "pending", replyTo: "q" })],
      "b",
      done({ answer: "", citations: [], turn: null, ticket: { id: "t", state: "open" } }),
    );
    expect(seqs(list)).toEqual(["customer:-:Q"]);
    expect(list[0].awaiting).toBe(true);
  });
});

describe("helpers", () => {
  it("forgets seqs of an old conversation", () => {
    const list = forgetSeqs([...fromTranscript({ id: "c", turns: [turn(1, "bot", "x")] }), local("a", "customer", "y")]);
    expect(list[0]).toMatchObject({ seq: undefined, stale: true });
    expect(list[1].awaiting).toBe(true);
    expect(maxSeq(list)).toBe(0);
  });

  it("tells whether a ticket is active from its last event", () => {
    const list = (texts: string[]) => fromTranscript({ id: "c", turns: texts.map((t, i) => turn(i + 1, "system", t)) });
    expect(ticketActive(list([]))).toBeUndefined();
    expect(ticketActive(list(["ticket_opened"]))).toBe(true);
    expect(ticketActive(list(["ticket_opened", "ticket_assigned"]))).toBe(true);
    expect(ticketActive(list(["ticket_opened", "ticket_resolved"]))).toBe(false);
    expect(ticketActive(list(["ticket_expired"]))).toBe(false);
    expect(maxSeq(list(["a", "b", "c"]))).toBe(3);
  });
});
