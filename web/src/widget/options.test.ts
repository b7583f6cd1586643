import { describe, expect, it } from "vitest";
import { baseUrl, fromDataset, isTrue, parseOptions, parseProducts, parseSuggestions } from "./options";

const context = { scriptOrigin: "https://kefu.example", htmlLang: "en", isColor: (v: string) => /^#[0-9a-f]{6}$|^red$/i.test(v) };

describe("parseOptions", () => {
  it("needs a key", () => {
    expect(parseOptions({}, context).options).toBeUndefined();
    expect(parseOptions({ key: "  " }, context).problems[0]).toMatch(/^key/);
    expect(parseOptions({ key: "pk with space" }, context).options).toBeUndefined();
  });

  it("defaults to the script's origin, English, the right side, closed", () => {
    const { options, problems } = parseOptions({ key: "pk_test_0123456789" }, context);
    expect(problems).toEqual([]);
    expect(options).toMatchObject({
      key: "pk_test_0123456789",
      api: "https://kefu.example",
      position: "right",
      lang: "en",
      locale: undefined,
      open: false,
      suggestions: [],
    });
  });

  it("reads every data attribute", () => {
    const script = document.createElement("script");
    Object.assign(script.dataset, {
      key: "pk_1234567890abcdef",
      api: "https://api.example/kefu/",
      position: "left",
      color: "#0b6e4f",
      greeting: "Hello!",
      suggestions: '["A?", "B?"]',
      user: "cust-42",
      userSignature: "ab".repeat(32),
      ownedProducts: "NW-RV700, NW-KT170",
      viewedProducts: "NW-AF550",
      locale: "zh-CN",
      open: "true",
    });
    const { options } = parseOptions(fromDataset(script.dataset), context);
    expect(options).toEqual({
      key: "pk_1234567890abcdef",
      api: "https://api.example/kefu",
      position: "left",
      color: "#0b6e4f",
      greeting: "Hello!",
      suggestions: ["A?", "B?"],
      user: "cust-42",
      userSignature: "ab".repeat(32),
      ownedProducts: ["NW-RV700", "NW-KT170"],
      viewedProducts: ["NW-AF550"],
      lang: "zh",
      locale: "zh",
      open: true,
    });
  });

  it("ignores bad values, saying why", () => {
    const { options, problems } = parseOptions(
      { key: "pk_x", api: "javascript:alert(1)", position: "top", color: "red; background:url(x)", user: "a@b.com" },
      context,
    );
    expect(options).toMatchObject({ api: "https://kefu.example", position: "right", color: undefined, user: undefined });
    expect(problems.map((p) => p.split(":")[0])).toEqual(["api", "position", "color", "user"]);
    // A signature needs its id, and is 64 hex digits.
    const unsigned = parseOptions({ key: "k", userSignature: "ab".repeat(32) }, context);
    expect(unsigned.options!.userSignature).toBeUndefined();
    const short = parseOptions({ key: "k", user: "cust-1", userSignature: "abc" }, context);
    expect(short.options!.userSignature).toBeUndefined();
    expect(short.problems[0]).toMatch(/^userSignature/);
  });

  it("takes the customer's products only with the shop's signature", () => {
    const signed = { key: "k", user: "cust-1", userSignature: "ab".repeat(32) };
    const { options, problems } = parseOptions({ ...signed, ownedProducts: ["NW-RV700"], viewedProducts: ["NW-AF550"] }, context);
    expect(options).toMatchObject({ ownedProducts: ["NW-RV700"], viewedProducts: ["NW-AF550"] });
    expect(problems).toEqual([]);
    const unsigned = parseOptions({ key: "k", user: "cust-1", ownedProducts: "NW-RV700", viewedProducts: "NW-AF550" }, context);
    expect(unsigned.options).toMatchObject({ ownedProducts: undefined, viewedProducts: undefined });
    expect(unsigned.problems).toEqual(["ownedProducts: needs userSignature", "viewedProducts: needs userSignature"]);
    // None given: nothing to send, and nothing to warn about.
    expect(parseOptions({ ...signed, ownedProducts: " , " }, context)).toMatchObject({ options: { ownedProducts: undefined }, problems: [] });
  });

  it("drops colours that are not colours or depend on context", () => {
    expect(parseOptions({ key: "k", color: "notacolour" }, context).options!.color).toBeUndefined();
    expect(parseOptions({ key: "k", color: "inherit" }, { ...context, isColor: () => true }).options!.color).toBeUndefined();
    expect(parseOptions({ key: "k", color: "var(--x)" }, { ...context, isColor: () => true }).options!.color).toBeUndefined();
    expect(parseOptions({ key: "k", color: "red" }, context).options!.color).toBe("red");
  });

  it("chooses the UI language from <html lang> unless data-locale says otherwise", () => {
    expect(parseOptions({ key: "k" }, { ...context, htmlLang: "zh-Hans" }).options).toMatchObject({ lang: "zh", locale: undefined });
    expect(parseOptions({ key: "k", locale: "en" }, { ...context, htmlLang: "zh" }).options).toMatchObject({ lang: "en", locale: "en" });
    expect(parseOptions({ key: "k" }, { ...context, htmlLang: "" }).options!.lang).toBe("en");
  });

  it("takes Kefu.init's values: arrays and booleans", () => {
    const { options } = parseOptions({ key: "k", suggestions: ["Q1", "Q2"], open: true }, context);
    expect(options).toMatchObject({ suggestions: ["Q1", "Q2"], open: true });
  });

  it("needs an API origin from somewhere", () => {
    expect(parseOptions({ key: "k" }, {}).options).toBeUndefined();
    expect(parseOptions({ key: "k", api: "https://a.example" }, {}).options!.api).toBe("https://a.example");
  });
});

describe("parseSuggestions", () => {
  it("reads JSON arrays and |-separated text", () => {
    expect(parseSuggestions('["Can I return it?", "运费多少？"]')).toEqual(["Can I return it?", "运费多少？"]);
    expect(parseSuggestions("Returns? | Shipping? ||")).toEqual(["Returns?", "Shipping?"]);
    expect(parseSuggestions(["a", 3, " a ", "", "b"])).toEqual(["a", "b"]);
  });

  it("keeps at most eight, and nothing from bad JSON", () => {
    expect(parseSuggestions(Array.from({ length: 12 }, (_, i) => `Q${i}`))).toHaveLength(8);
    const problems: string[] = [];
    expect(parseSuggestions("[oops", problems)).toEqual([]);
    expect(problems).toHaveLength(1);
    expect(parseSuggestions(undefined)).toEqual([]);
  });
});

describe("parseProducts", () => {
  it("reads comma-separated text and arrays, trimmed, without empties or repeats", () => {
    expect(parseProducts(" NW-RV700 ,, NW-KT170 ,NW-RV700, ")).toEqual(["NW-RV700", "NW-KT170"]);
    expect(parseProducts(["NW-RV700", 3, " ", " NW-AF550 "])).toEqual(["NW-RV700", "NW-AF550"]);
    expect(parseProducts(undefined)).toEqual([]);
    const problems: string[] = [];
    expect(parseProducts({ model: "NW-RV700" }, "ownedProducts", problems)).toEqual([]);
    expect(problems).toEqual(["ownedProducts: an array or comma-separated text"]);
  });

  it("keeps at most 50, and only codes the server takes: 80 bytes, no control characters", () => {
    expect(parseProducts(Array.from({ length: 60 }, (_, i) => `M-${i}`).join(","))).toHaveLength(50);
    expect(parseProducts(["A".repeat(80), "B".repeat(81), "é".repeat(41), "NW\tRV700", "NW-KT170"])).toEqual(["A".repeat(80), "NW-KT170"]);
  });
});

describe("isTrue and baseUrl", () => {
  it("reads true values", () => {
    expect([true, "true", "1", "", "TRUE"].map(isTrue)).toEqual([true, true, true, true, true]);
    expect([false, "false", "0", "no", undefined, 1].map(isTrue)).toEqual([false, false, false, false, false, false]);
  });

  it("normalises API base URLs", () => {
    expect(baseUrl("https://a.example/")).toBe("https://a.example");
    expect(baseUrl("https://a.example/kefu/?x=1#y")).toBe("https://a.example/kefu");
    expect(baseUrl("/kefu", "https://shop.example")).toBe("https://shop.example/kefu");
    expect(baseUrl("ftp://a.example")).toBeUndefined();
  });
});
