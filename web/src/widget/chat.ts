// The widget's state and everything it does with the server, apart from the UI: asking (the
// answer streamed in), restoring the conversation after a reload, following it live while the
// panel is open or a person is handling it, rating answers, asking for a person, and reading
// cited documents. The UI subscribes to `state` and calls the methods.

import { ApiError, isAbort } from "../shared/http";
import { readSse } from "../shared/sse";
import type {
  AskResponse,
  Citation,
  DocumentView,
  FeedbackReason,
  HandoffResponse,
  Thumbs,
  Transcript,
  Turn,
} from "../shared/types";
import { Client } from "./client";
import { follow } from "./follow";
import type { WidgetOptions } from "./options";
import type { Slot } from "./storage";
import {
  finishAnswer,
  forgetSeqs,
  fromTranscript,
  localKey,
  maxSeq,
  mergeTurn,
  removeMsg,
  ticketActive,
  updateMsg,
  type MessageError,
  type Msg,
} from "./transcript";
import type { Session } from "../shared/types";

/** The server refuses longer questions (`server.max_question_chars`). */
export const MAX_QUESTION_CHARS = 1000;

export interface ChatState {
  open: boolean;
  messages: Msg[];
  /** A question is being answered. */
  busy: boolean;
  /** "Talk to a person" is on its way. */
  handingOff: boolean;
  /** The conversation has an open or assigned ticket: a person answers. */
  ticket: boolean;
  /** Replies that came while the panel was closed. */
  unread: number;
  /** The transcript is being loaded. */
  restoring: boolean;
  /** A passing problem outside any message (a rating or handoff that failed). */
  notice?: "feedbackFailed" | "handoffFailed";
  /** Bumped when the panel opens for the shopper (not at load): the UI moves focus into it. */
  focusRequest: number;
}

export interface ChatDeps {
  session: Slot<Session>;
  open: Slot<boolean>;
  fetch?: typeof fetch;
  now?: () => number;
  random?: () => number;
}

export class Chat {
  state: ChatState;
  readonly client: Client;
  private listeners = new Set<() => void>();
  private live = new AbortController();
  private stream?: AbortController;
  /** The last turn the events stream (or the transcript) delivered: where to resume. */
  private streamSeq = 0;
  /**
   * The stored conversation is shown (or there is none to show). Until then the events stream
   * stays shut: replaying the whole conversation, it would pair old turns with new messages.
   */
  private restored: boolean;
  private documents = new Map<string, Promise<DocumentView>>();

  constructor(
    private readonly options: WidgetOptions,
    private readonly deps: ChatDeps,
  ) {
    this.client = new Client(
      options.api,
      options.key,
      options.user,
      deps.session,
      deps.fetch,
      deps.now,
      options.userSignature,
      { owned: options.ownedProducts, viewed: options.viewedProducts },
    );
    this.client.onConversation = () => this.conversationChanged();
    this.restored = !this.client.hasSession();
    this.state = {
      open: false,
      messages: [],
      busy: false,
      handingOff: false,
      ticket: false,
      unread: 0,
      restoring: false,
      focusRequest: 0,
    };
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private set(patch: Partial<ChatState> | ((s: ChatState) => Partial<ChatState>)) {
    if (this.live.signal.aborted) return;
    const change = typeof patch === "function" ? patch(this.state) : patch;
    this.state = { ...this.state, ...change };
    for (const listener of this.listeners) listener();
  }

  private setMessages(update: (messages: Msg[]) => Msg[]) {
    this.set((s) => {
      const messages = update(s.messages);
      const ticket = ticketActive(messages);
      return ticket === undefined ? { messages } : { messages, ticket };
    });
  }

  /** At load: opens the panel if asked to (or if it was open before the reload), restores the conversation. */
  start() {
    const open = this.options.open || this.deps.open.load() === true;
    // A session from an earlier visit: restore it now when the panel opens or the token is
    // still fresh (a ticket may be waiting for a reply); otherwise when the panel first opens.
    if (this.client.hasSession() && (open || this.client.sessionFresh())) void this.restore();
    if (open) this.open(false);
  }

  /** Opens the panel; `focus`: move focus into it (not when the page opens it at load). */
  open(focus = true) {
    if (this.state.open) return;
    this.set((s) => ({ open: true, unread: 0, focusRequest: s.focusRequest + (focus ? 1 : 0) }));
    this.deps.open.save(true);
    if (!this.restored && this.client.hasSession()) void this.restore();
    this.syncStream();
  }

  close() {
    if (!this.state.open) return;
    this.set({ open: false });
    this.deps.open.save(false);
    this.syncStream();
  }

  toggle() {
    if (this.state.open) this.close();
    else this.open();
  }

  destroy() {
    this.live.abort();
    this.stream?.abort();
    this.listeners.clear();
  }

  /** Loads the stored conversation (a reload, a second tab). */
  private async restore() {
    if (this.restored || this.state.restoring) return;
    this.set({ restoring: true });
    try {
      const transcript = await this.client.json<Transcript>(
        (s) => [`/v1/conversations/${encodeURIComponent(s.conversation_id)}`, { headers: { Accept: "application/json" } }],
        { signal: this.live.signal },
      );
      this.restored = true;
      const stored = fromTranscript(transcript);
      this.streamSeq = Math.max(this.streamSeq, maxSeq(stored));
      // Anything sent meanwhile stays below the stored turns; those it duplicates are dropped.
      this.setMessages((local) => local.reduce(
        (list, m) => (m.seq !== undefined && list.some((s) => s.seq === m.seq) ? list : [...list, m]),
        stored,
      ));
    } catch (e) {
      if (isAbort(e)) return;
      // Gone (deleted, another server's secret): the next message starts a new conversation.
      if (e instanceof ApiError && (e.status === 401 || e.status === 403 || e.status === 404)) {
        this.client.forget();
        this.restored = true;
      }
    } finally {
      this.set({ restoring: false });
      this.syncStream();
    }
  }

  /** Opens or closes the events stream: open while the panel is, or while a person handles the conversation. */
  private syncStream() {
    const wanted =
      !this.live.signal.aborted &&
      this.client.hasSession() &&
      this.restored &&
      (this.state.open || this.state.ticket);
    if (wanted && !this.stream) {
      const stream = new AbortController();
      this.stream = stream;
      void follow({
        connect: (after, signal) =>
          this.client.request(
            (s) => [
              `/v1/conversations/${encodeURIComponent(s.conversation_id)}/events`,
              { headers: eventHeaders(after) },
            ],
            { signal },
          ),
        lastSeq: () => this.streamSeq,
        onTurn: (turn) => this.receive(turn),
        signal: stream.signal,
        random: this.deps.random,
      }).finally(() => {
        if (this.stream === stream) this.stream = undefined;
      });
    } else if (!wanted && this.stream) {
      this.stream.abort();
      this.stream = undefined;
    }
  }

  /** A turn from the events stream. */
  private receive(turn: Turn) {
    this.streamSeq = Math.max(this.streamSeq, turn.seq);
    const before = this.state.messages;
    this.setMessages((messages) => mergeTurn(messages, turn));
    const added = this.state.messages.length > before.length;
    if (added && !this.state.open && (turn.role === "agent" || turn.role === "bot")) {
      this.set((s) => ({ unread: s.unread + 1 }));
    }
    this.syncStream();
  }

  /** The session now belongs to another conversation: the turns shown are of the old one. */
  private conversationChanged() {
    this.streamSeq = 0;
    this.restored = true;
    this.setMessages(forgetSeqs);
    this.set({ ticket: false });
    this.stream?.abort();
    this.stream = undefined;
    queueMicrotask(() => this.syncStream());
  }

  /** Sends a question; `false` when there is nothing to send or an answer is still coming. */
  send(text: string): boolean {
    const question = text.trim();
    // (While the transcript loads, a question sent could be stored twice over in the list.)
    if (!question || this.state.busy || this.state.restoring || this.live.signal.aborted) return false;
    const now = Date.now();
    const customer: Msg = { key: localKey(), role: "customer", text: question, citations: [], status: "done", awaiting: true, createdAt: now };
    const reply: Msg = {
      key: localKey(),
      role: "bot",
      text: "",
      citations: [],
      status: "pending",
      awaiting: true,
      question,
      replyTo: customer.key,
      createdAt: now,
    };
    this.setMessages((messages) => [...messages, customer, reply]);
    void this.ask(reply.key);
    return true;
  }

  /** Asks a failed question again. */
  retry(key: string) {
    const failed = this.state.messages.find((m) => m.key === key);
    if (!failed || failed.status !== "error" || !failed.question || this.state.busy) return;
    this.setMessages((messages) =>
      updateMsg(messages, key, { status: "pending", error: undefined, text: "", citations: [], awaiting: true }),
    );
    void this.ask(key);
  }

  private async ask(key: string) {
    const question = this.state.messages.find((m) => m.key === key)?.question;
    if (!question) return;
    this.set({ busy: true });
    let finished = false;
    try {
      if (question.length > MAX_QUESTION_CHARS) throw new ApiError(400, "invalid_ask_question", "too long");
      // The transcript could not be read at load (offline?): it comes first.
      if (!this.restored) await this.restore();
      if (!this.restored) throw new ApiError(0, "network", "the conversation could not be loaded");
      const response = await this.client.request(
        (s) => [
          "/v1/ask",
          {
            method: "POST",
            headers: { Accept: "text/event-stream", "Content-Type": "application/json" },
            body: JSON.stringify({
              question,
              conversation_id: s.conversation_id,
              ...(this.options.locale ? { locale: this.options.locale } : {}),
              stream: true,
            }),
          },
        ],
        { create: true, signal: this.live.signal },
      );
      this.syncStream();
      if (!(response.headers.get("Content-Type") ?? "").includes("text/event-stream")) {
        this.finish(key, (await response.json()) as AskResponse);
        finished = true;
      } else if (response.body) {
        await readSse(
          response.body,
          (event) => {
            const data = parse(event.data);
            switch (event.event) {
              case "delta":
                if (typeof data?.text === "string") {
                  this.setMessages((m) => updateMsg(m, key, (msg) => ({ text: msg.text + data.text, status: "streaming" })));
                }
                break;
              case "reset":
                this.setMessages((m) => updateMsg(m, key, { text: "" }));
                break;
              case "citations":
                if (Array.isArray(data?.citations)) this.setMessages((m) => updateMsg(m, key, { citations: data.citations }));
                break;
              case "done":
                if (data && typeof data.answer === "string") {
                  this.finish(key, data as AskResponse);
                  finished = true;
                }
                break;
              case "error": {
                const error = data?.error ?? {};
                throw new ApiError(200, String(error.code ?? "internal"), String(error.message ?? ""));
              }
            }
          },
          this.live.signal,
        );
      }
      if (!finished) throw new ApiError(0, "network", "the answer stream ended early");
    } catch (e) {
      if (isAbort(e) || this.live.signal.aborted) return;
      const error: MessageError =
        e instanceof ApiError ? { code: e.code, message: e.message, retryAfter: e.retryAfter } : { code: "internal", message: String(e) };
      // The answer was stored and came on the events stream: show it rather than the error.
      this.setMessages((m) =>
        updateMsg(m, key, (msg) => (msg.seq !== undefined && msg.text ? { status: "done" } : { status: "error", error, text: "", citations: [] })),
      );
    } finally {
      this.set({ busy: false });
    }
  }

  private finish(key: string, response: AskResponse) {
    this.setMessages((m) => finishAnswer(m, key, response));
    if (response.ticket) this.set({ ticket: response.ticket.state === "open" || response.ticket.state === "assigned" });
    this.syncStream();
  }

  /** "Talk to a person": kefu's reply says what will happen (a ticket, business hours, a contact). */
  async handoff() {
    if (this.state.handingOff || this.live.signal.aborted) return;
    const hadTicket = this.state.ticket;
    const reply: Msg = {
      key: localKey(),
      role: "bot",
      text: "",
      citations: [],
      status: "pending",
      awaiting: true,
      handoffReason: "requested_human",
      createdAt: Date.now(),
    };
    this.set({ handingOff: true, notice: undefined });
    this.setMessages((messages) => [...messages, reply]);
    try {
      if (!this.restored) await this.restore();
      if (!this.restored) throw new ApiError(0, "network", "the conversation could not be loaded");
      const response = await this.client.json<HandoffResponse>(
        (s) => [
          `/v1/conversations/${encodeURIComponent(s.conversation_id)}/handoff`,
          {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify(this.options.locale ? { locale: this.options.locale } : {}),
          },
        ],
        { create: true, signal: this.live.signal },
      );
      // With a ticket already open the server stores no turn: nothing will come to pair with.
      this.setMessages((m) =>
        updateMsg(m, reply.key, (msg) => ({
          text: msg.seq !== undefined ? msg.text : response.message,
          status: "done",
          awaiting: msg.seq === undefined && !hadTicket,
        })),
      );
      if (response.ticket) this.set({ ticket: response.ticket.state === "open" || response.ticket.state === "assigned" });
    } catch (e) {
      if (isAbort(e) || this.live.signal.aborted) return;
      this.setMessages((m) => removeMsg(m, reply.key));
      this.set({ notice: "handoffFailed" });
    } finally {
      this.set({ handingOff: false });
      this.syncStream();
    }
  }

  /** Thumbs on answer `seq`; `reason` with thumbs down. Shown at once, undone if the server refuses. */
  async rate(seq: number, thumbs: Thumbs, reason?: FeedbackReason) {
    const msg = this.state.messages.find((m) => m.seq === seq && m.role === "bot");
    if (!msg) return;
    const before = { thumbs: msg.thumbs, reason: msg.reason };
    const key = msg.key;
    this.set({ notice: undefined });
    this.setMessages((m) => updateMsg(m, key, { thumbs, reason: thumbs === "down" ? reason : undefined }));
    try {
      await this.client.request(
        (s) => [
          `/v1/conversations/${encodeURIComponent(s.conversation_id)}/feedback`,
          {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify(thumbs === "down" && reason ? { turn: seq, thumbs, reason } : { turn: seq, thumbs }),
          },
        ],
        { signal: this.live.signal },
      );
    } catch (e) {
      if (isAbort(e) || this.live.signal.aborted) return;
      this.setMessages((m) => updateMsg(m, key, before));
      this.set({ notice: "feedbackFailed" });
    }
  }

  /** A cited document (cached: several citations often quote one document). */
  document(id: string): Promise<DocumentView> {
    let found = this.documents.get(id);
    if (!found) {
      found = this.client.json<DocumentView>(
        () => [`/v1/documents/${id.split("/").map(encodeURIComponent).join("/")}`, { headers: { Accept: "application/json" } }],
        { signal: this.live.signal },
      );
      this.documents.set(id, found);
      found.then(
        (doc) => this.learnTitle(doc),
        () => this.documents.delete(id),
      );
    }
    return found;
  }

  /** Stored turns cite documents by id only: once one is read, its title names it in every Sources list. */
  private learnTitle(doc: DocumentView) {
    const named = (c: Citation) => (c.doc_id === doc.id && !c.title ? { ...c, title: doc.title, url: c.url ?? doc.url } : c);
    this.setMessages((messages) =>
      messages.map((m) => (m.citations.some((c) => c.doc_id === doc.id && !c.title) ? { ...m, citations: m.citations.map(named) } : m)),
    );
  }
}

/** The events stream's request headers: resume after turn `after`. */
function eventHeaders(after: number): Record<string, string> {
  const headers: Record<string, string> = { Accept: "text/event-stream" };
  if (after > 0) headers["Last-Event-ID"] = String(after);
  return headers;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function parse(data: string): any {
  try {
    return JSON.parse(data);
  } catch {
    return undefined;
  }
}
