// The console's API client: same-origin calls with the session cookie, the CSRF header on every
// call that changes something, and the server's `{"error": {"code", "message"}}` decoded into
// an ApiError (shared with the widget) whose message can be shown as it is.
import { ApiError, errorOf, networkError } from "../../shared/http";
import type { Lang } from "./i18n";
import type {
  ConversationFilter,
  ConversationPage,
  Conversation,
  CuratedAnswer,
  CuratedInput,
  CuratedVersion,
  Deleted,
  DocumentView,
  IndexView,
  Insights,
  SearchMode,
  SearchResponse,
  Session,
  Ticket,
  TicketView,
} from "./types";

export { ApiError };

/** Decodes a failed response: the server's JSON error, or the status line when there is none. */
export const decodeError = errorOf;

const CHANGES = new Set(["POST", "PUT", "DELETE", "PATCH"]);

/** A path with each segment of a document id encoded and its slashes kept (`en/faq.csv`). */
export function documentPath(id: string): string {
  return "/v1/documents/" + id.split("/").map(encodeURIComponent).join("/");
}

/** A query string of the defined parameters. */
export function query(params: Record<string, string | number | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

/** The period's self-contained HTML report, in `lang`'s words: a plain link, signed in by the cookie. */
export function insightsReportPath(from: string, to: string, lang: Lang): string {
  return `/v1/admin/insights${query({ from, to, format: "html", lang })}`;
}

export interface ApiOptions {
  /** The CSRF token of the session, sent on POST, PUT and DELETE. */
  csrf: () => string | null;
  /** Called on any 401 (the session ended): the app goes back to sign-in. */
  onUnauthorized: () => void;
  fetch?: typeof fetch;
}

export interface RequestOptions {
  body?: unknown;
  signal?: AbortSignal;
  /** A 401 is an answer here (sign-in, the session check), not the session ending. */
  expect401?: boolean;
}

export type Api = ReturnType<typeof createApi>;

export function createApi(options: ApiOptions) {
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));

  async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const headers: Record<string, string> = { Accept: "application/json" };
    if (opts.body !== undefined) headers["Content-Type"] = "application/json";
    if (CHANGES.has(method)) {
      const csrf = options.csrf();
      if (csrf) headers["X-CSRF-Token"] = csrf;
    }
    let response: Response;
    try {
      response = await doFetch(path, {
        method,
        headers,
        credentials: "same-origin",
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        signal: opts.signal,
      });
    } catch (e) {
      throw networkError(e);
    }
    if (!response.ok) {
      const error = await decodeError(response);
      if (response.status === 401 && !opts.expect401) options.onUnauthorized();
      throw error;
    }
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  const ticket = (id: string) => `/v1/tickets/${encodeURIComponent(id)}`;
  const answer = (id: string) => `/v1/admin/answers/${encodeURIComponent(id)}`;
  const conversation = (id: string) => `/v1/conversations/${encodeURIComponent(id)}`;

  return {
    request,

    // The console's own session (an HttpOnly cookie the page never sees).
    session: () => request<Session>("GET", "/console/api/session", { expect401: true }),
    signIn: (key: string, agent: string) =>
      request<Session>("POST", "/console/api/session", { body: { key, agent }, expect401: true }),
    signOut: () => request<unknown>("DELETE", "/console/api/session", { expect401: true }),

    tickets: (state: string, limit = 50, signal?: AbortSignal) =>
      request<{ tickets: Ticket[] }>("GET", `/v1/tickets${query({ state, limit })}`, { signal }),
    ticket: (id: string, signal?: AbortSignal) => request<TicketView>("GET", ticket(id), { signal }),
    assign: (id: string, agent: string) => request<TicketView>("POST", `${ticket(id)}/assign`, { body: { agent } }),
    reply: (id: string, agent: string, text: string) =>
      request<TicketView>("POST", `${ticket(id)}/reply`, { body: { agent, text } }),
    resolve: (id: string, agent: string) => request<TicketView>("POST", `${ticket(id)}/resolve`, { body: { agent } }),

    answers: (signal?: AbortSignal) => request<{ answers: CuratedAnswer[] }>("GET", "/v1/admin/answers", { signal }),
    answerHistory: (id: string, signal?: AbortSignal) =>
      request<{ versions: CuratedVersion[] }>("GET", answer(id), { signal }),
    addAnswer: (input: CuratedInput) => request<CuratedAnswer>("POST", "/v1/admin/answers", { body: input }),
    promoteTicket: (ticketId: string, author: string) =>
      request<CuratedAnswer>("POST", "/v1/admin/answers", { body: { from_ticket: ticketId, author } }),
    reviseAnswer: (id: string, input: CuratedInput) => request<CuratedAnswer>("PUT", answer(id), { body: input }),
    removeAnswer: (id: string, author: string) =>
      request<CuratedAnswer>("DELETE", `${answer(id)}${query({ author })}`),

    insights: (from: string | null, to: string | null, signal?: AbortSignal) =>
      request<Insights>("GET", `/v1/admin/insights${query({ from, to })}`, { signal }),

    search: (text: string, mode: SearchMode, k: number, locale: string | null, signal?: AbortSignal) =>
      request<SearchResponse>("POST", "/v1/search", {
        body: { query: text, k, mode, filters: locale ? { locale } : {} },
        signal,
      }),
    document: (id: string, signal?: AbortSignal) => request<DocumentView>("GET", documentPath(id), { signal }),
    index: (signal?: AbortSignal) => request<IndexView>("GET", "/v1/admin/index", { signal }),

    conversations: (
      params: {
        filter: ConversationFilter;
        language?: string;
        limit?: number;
        before_ms?: number | null;
        before_id?: string | null;
      },
      signal?: AbortSignal,
    ) =>
      request<ConversationPage>(
        "GET",
        `/v1/admin/conversations${query({
          filter: params.filter,
          language: params.language,
          limit: params.limit ?? 50,
          before_ms: params.before_ms,
          before_id: params.before_id,
        })}`,
        { signal },
      ),
    conversation: (id: string, signal?: AbortSignal) => request<Conversation>("GET", conversation(id), { signal }),
    deleteConversation: (id: string) => request<Deleted>("DELETE", conversation(id)),
    deleteUser: (externalUserId: string) =>
      request<Deleted>("DELETE", `/v1/users/${encodeURIComponent(externalUserId)}`),
  };
}
