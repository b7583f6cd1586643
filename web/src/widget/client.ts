// kefu's API as the widget uses it: a browser session started with the publishable key,
// renewed when the server says `session_expired` (or just before it would), replaced by a new
// one when it cannot be renewed or its conversation is gone.

import { ApiError, errorOf, networkError } from "../shared/http";
import type { Session } from "../shared/types";
import type { Slot } from "./storage";

/** Renew this long before the expiry the server gave, rather than let a request fail first. */
const RENEW_EARLY_MS = 30_000;

export interface RequestOptions {
  /** Start a session when there is none (sending a message does; reading a transcript does not). */
  create?: boolean;
  signal?: AbortSignal;
}

/** Model codes of what the shop's signed-in customer owns, and looked at recently. */
export interface Shopper {
  owned?: string[];
  viewed?: string[];
}

export class Client {
  private session: Session | null;
  private pending?: Promise<Session>;
  /** Called when requests now go to another conversation than before (a new session). */
  onConversation?: (conversationId: string) => void;

  constructor(
    private readonly api: string,
    private readonly key: string,
    private readonly user: string | undefined,
    private readonly slot: Slot<Session>,
    private readonly fetcher: typeof fetch = (...args) => fetch(...args),
    private readonly now: () => number = Date.now,
    /** The shop's signature of `user` (HMAC-SHA256, hex): the server then trusts the id. */
    private readonly userSignature?: string,
    /** For recommendations; sent only with the signature, the server refuses them without. */
    private readonly shopper: Shopper = {},
  ) {
    this.session = slot.load();
  }

  /** What a new session is started with. */
  private startBody(): Record<string, string | string[]> {
    if (!this.user) return {};
    if (!this.userSignature) return { external_user_id: this.user };
    const body: Record<string, string | string[]> = { external_user_id: this.user, external_user_signature: this.userSignature };
    // Renewals send them too: this page's lists replace those the session had.
    if (this.shopper.owned?.length) body.owned_products = this.shopper.owned;
    if (this.shopper.viewed?.length) body.viewed_products = this.shopper.viewed;
    return body;
  }

  get conversationId(): string | undefined {
    return this.session?.conversation_id;
  }

  hasSession(): boolean {
    return this.session !== null;
  }

  /** Whether the stored session is still valid by the clock (renewing it costs a request). */
  sessionFresh(): boolean {
    return !!this.session && this.session.expires_at_ms - RENEW_EARLY_MS > this.now();
  }

  /** Drops the session (its conversation is gone): the next message starts a new one. */
  forget() {
    this.session = null;
    this.slot.save(null);
  }

  /** The session, started or renewed when needed. */
  async ensure(signal?: AbortSignal): Promise<Session> {
    if (this.session && this.sessionFresh()) return this.session;
    return this.session ? this.renew(this.session, signal) : this.start(signal);
  }

  /**
   * A request with the session's token. `build` makes it from the session, so a retry after a
   * new session goes to the new conversation. Non-2xx replies throw `ApiError`.
   */
  async request(build: (s: Session) => [string, RequestInit], options: RequestOptions = {}): Promise<Response> {
    const { create = false, signal } = options;
    let session: Session;
    if (this.session) session = await this.ensure(signal);
    else if (create) session = await this.start(signal);
    else throw new ApiError(0, "no_session", "no session");
    let response = await this.send(session, build, signal);
    if (response.ok) return response;
    let error = await errorOf(response);
    if (error.code === "session_expired") {
      session = await this.renew(session, signal);
    } else if (error.code === "conversation_not_found" && create && this.session === session) {
      // Deleted (an erasure request): carry on in a new conversation.
      this.forget();
      session = await this.start(signal);
    } else throw error;
    response = await this.send(session, build, signal);
    if (response.ok) return response;
    throw await errorOf(response);
  }

  async json<T>(build: (s: Session) => [string, RequestInit], options?: RequestOptions): Promise<T> {
    const response = await this.request(build, options);
    return (await response.json()) as T;
  }

  private async send(session: Session, build: (s: Session) => [string, RequestInit], signal?: AbortSignal) {
    const [path, init] = build(session);
    const headers = new Headers(init.headers);
    headers.set("Authorization", `Bearer ${session.token}`);
    return this.fetch(path, { ...init, headers, signal });
  }

  private async fetch(path: string, init: RequestInit): Promise<Response> {
    try {
      return await this.fetcher(this.api + path, { ...init, credentials: "omit", mode: "cors" });
    } catch (e) {
      throw networkError(e);
    }
  }

  private start(signal?: AbortSignal): Promise<Session> {
    return this.once(async () => {
      const session = await this.post(this.startBody(), signal);
      this.onConversation?.(session.conversation_id);
      return session;
    });
  }

  private renew(old: Session, signal?: AbortSignal): Promise<Session> {
    return this.once(async () => {
      // Another request renewed it meanwhile.
      if (this.session && this.session !== old && this.sessionFresh()) return this.session;
      try {
        // The shop's signature again: a renewed session keeps knowing its customer only so.
        return await this.post({ renew: old.token, ...this.startBody() }, signal);
      } catch (e) {
        if (!(e instanceof ApiError) || e.code !== "invalid_session_renew") throw e;
        // Too old, or its conversation is gone: a new session, a new conversation.
        const session = await this.post(this.startBody(), signal);
        this.onConversation?.(session.conversation_id);
        return session;
      }
    });
  }

  /** One session request at a time: concurrent callers share it. */
  private once(run: () => Promise<Session>): Promise<Session> {
    this.pending ??= run().finally(() => (this.pending = undefined));
    return this.pending;
  }

  private async post(body: object, signal?: AbortSignal): Promise<Session> {
    const response = await this.fetch("/v1/sessions", {
      method: "POST",
      headers: { Authorization: `Bearer ${this.key}`, "Content-Type": "application/json" },
      body: JSON.stringify(body),
      signal,
    });
    if (!response.ok) throw await errorOf(response);
    const session = (await response.json()) as Session;
    if (!session?.token || !session.conversation_id) throw new ApiError(response.status, "invalid_response", "no session");
    this.session = session;
    this.slot.save(session);
    return session;
  }
}
