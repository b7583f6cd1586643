import { describe, expect, it } from "vitest";
import { TABLES, codeLabel, initialLang, placeholders, translate, type Key } from "./i18n";

describe("i18n tables", () => {
  const keys = Object.keys(TABLES.en) as Key[];

  it("has every key in both languages, none empty", () => {
    expect(Object.keys(TABLES.zh).sort()).toEqual([...keys].sort());
    for (const key of keys) {
      expect(TABLES.en[key].trim(), key).not.toBe("");
      expect(TABLES.zh[key].trim(), key).not.toBe("");
    }
  });

  it("has the same placeholders in both languages", () => {
    for (const key of keys) expect(placeholders(TABLES.zh[key]), key).toEqual(placeholders(TABLES.en[key]));
  });

  it("has a label for every code the server sends that the console names", () => {
    const codes = {
      reason: [
        "requested_human",
        "complaint",
        "low_confidence",
        "conflicting_sources",
        "order_lookup",
        "account_lookup",
      ],
      why: ["no_document", "wrong_language", "low_score", "outdated", "rated_down", "asked_again"],
      "feedback.reason": ["wrong", "outdated", "unclear", "not_what_i_asked"],
      event: ["ticket_opened", "ticket_assigned", "ticket_resolved", "ticket_expired"],
      state: ["open", "assigned", "resolved", "expired"],
      role: ["customer", "bot", "agent", "system"],
      filter: ["all", "answered", "abstained", "thumbs_down", "handoff"],
    };
    for (const [prefix, list] of Object.entries(codes)) {
      for (const code of list) expect(keys, `${prefix}.${code}`).toContain(`${prefix}.${code}`);
    }
  });
});

describe("translate", () => {
  it("fills placeholders and leaves unknown ones", () => {
    expect(translate("en", "figure.nOfN", { count: 41, of: 50 })).toBe("41 of 50");
    expect(translate("zh", "figure.nOfN", { count: 41, of: 50 })).toBe("50 中 41");
    expect(translate("en", "figure.nOfN", { count: 1 })).toBe("1 of {of}");
  });

  it("shows an unknown server code as it is", () => {
    const t = (key: Key) => translate("zh", key);
    expect(codeLabel(t, "reason", "complaint")).toBe("投诉");
    expect(codeLabel(t, "reason", "brand_new_reason")).toBe("brand_new_reason");
  });
});

describe("initialLang", () => {
  it("keeps a choice, else follows the browser", () => {
    expect(initialLang("zh", ["en-US"])).toBe("zh");
    expect(initialLang(null, ["zh-TW", "en"])).toBe("zh");
    expect(initialLang(null, ["fr-FR", "zh-CN"])).toBe("zh");
    expect(initialLang(null, ["en-GB", "zh-CN"])).toBe("en");
    expect(initialLang("xx", [])).toBe("en");
  });
});
