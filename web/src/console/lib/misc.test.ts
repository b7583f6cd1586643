import { describe, expect, it } from "vitest";
import { parseRoute, routeHref } from "./route";
import { elsewhere, rankMaps } from "./search";
import { SEARCH } from "../test/fixtures";
import { charCount, isValidId, lines, tagList } from "./validate";
import { errorText } from "./errors";
import { ApiError } from "./api";
import { translate, type Key } from "./i18n";

describe("routes", () => {
  it("parses a page, its path and its parameters", () => {
    const route = parseRoute("#/conversations/c%2F1?filter=abstained&language=zh");
    expect(route.page).toBe("conversations");
    expect(route.rest).toEqual(["c/1"]);
    expect(route.params.get("filter")).toBe("abstained");
  });

  it("falls back to the inbox", () => {
    expect(parseRoute("").page).toBe("inbox");
    expect(parseRoute("#/nope/x").page).toBe("inbox");
    expect(parseRoute("#/nope/x").rest).toEqual([]);
    expect(parseRoute("#/bad%E0%A4%A").page).toBe("inbox");
  });

  it("round-trips through routeHref", () => {
    const href = routeHref("knowledge", ["index"], { doc: "en/faq.csv", empty: "", none: null });
    expect(href).toBe("#/knowledge/index?doc=en%2Ffaq.csv");
    const route = parseRoute(href);
    expect(route.rest).toEqual(["index"]);
    expect(route.params.get("doc")).toBe("en/faq.csv");
  });
});

describe("search ranks", () => {
  it("tells where a result of one mode ranks in the others", () => {
    const ranks = rankMaps(SEARCH);
    expect(elsewhere("ch-faq-3", "bm25", ranks)).toEqual([
      { mode: "dense", rank: 1 },
      { mode: "hybrid", rank: 1 },
    ]);
    expect(elsewhere("ch-x", "dense", ranks)).toEqual([]);
  });
});

describe("validation", () => {
  it("takes the server's id rule", () => {
    expect(isValidId("alice")).toBe(true);
    expect(isValidId("agent:alice.b-2_x")).toBe(true);
    expect(isValidId("")).toBe(false);
    expect(isValidId("a b")).toBe(false);
    expect(isValidId("张三")).toBe(false);
    expect(isValidId("x".repeat(129))).toBe(false);
  });

  it("counts characters as the server does", () => {
    expect(charCount("费用😀")).toBe(3);
  });

  it("splits questions by line and tags by comma", () => {
    expect(lines(" a \n\n b\r\nc ")).toEqual(["a", "b", "c"]);
    expect(tagList("specs, roamo，  ,x")).toEqual(["specs", "roamo", "x"]);
  });
});

describe("errorText", () => {
  const t = (key: Key) => translate("en", key);
  it("says a 403 needs an admin key, a network failure plainly, and the server's message otherwise", () => {
    expect(errorText(new ApiError(403, "forbidden", "scope"), t)).toBe("This needs an admin key.");
    expect(errorText(new ApiError(0, "network", "Failed to fetch"), t)).toMatch(/cannot be reached/);
    expect(errorText(new ApiError(409, "ticket_state_conflict", "the ticket is resolved"), t)).toBe("the ticket is resolved");
  });
});
