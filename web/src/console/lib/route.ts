// Hash routes: `#/inbox`, `#/inbox/TICKET`, `#/insights?from=…&to=…`, `#/knowledge/search`,
// `#/conversations/ID?filter=abstained`. The hash keeps the server's one HTML page for every view.

export type Page = "inbox" | "insights" | "knowledge" | "conversations";

export const PAGES: readonly Page[] = ["inbox", "insights", "knowledge", "conversations"];
/** Pages only an admin key may open. */
export const ADMIN_PAGES: ReadonlySet<Page> = new Set(["insights", "knowledge", "conversations"]);

export interface Route {
  page: Page;
  /** Path segments after the page, decoded. */
  rest: string[];
  params: URLSearchParams;
}

export function parseRoute(hash: string): Route {
  const text = hash.replace(/^#/, "").replace(/^\//, "");
  const [path, search = ""] = splitOnce(text, "?");
  const segments = path.split("/").filter((s) => s !== "").map(safeDecode);
  const first = segments[0] as Page | undefined;
  const page = first && PAGES.includes(first) ? first : "inbox";
  return { page, rest: first === page ? segments.slice(1) : [], params: new URLSearchParams(search) };
}

/** The hash of a route: each segment encoded, so an id with `/` or `?` stays one segment. */
export function routeHref(page: Page, rest: string[] = [], params: Record<string, string | number | null | undefined> = {}): string {
  const path = [page, ...rest].map(encodeURIComponent).join("/");
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.set(name, String(value));
  }
  const query = search.toString();
  return `#/${path}${query ? `?${query}` : ""}`;
}

function splitOnce(text: string, separator: string): [string, string?] {
  const at = text.indexOf(separator);
  return at < 0 ? [text] : [text.slice(0, at), text.slice(at + 1)];
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
