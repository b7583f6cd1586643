//! Personal data found in a message and replaced by a placeholder per kind: e-mail addresses,
//! phone numbers, Chinese resident ID numbers, bank-card numbers and street addresses.
//!
//! Precision comes first: help-center questions are full of numbers that must survive (order
//! numbers such as `2025111207781`, product codes such as `NW-RV700`, prices, dates, times,
//! quantities, tracking numbers). The rules, in short (docs/privacy.md has them whole):
//!
//! - A number glued to letters or joined by `-`, `/`, `.` to a code (`NW-13812345678`,
//!   `SF1402938812`) is part of that code, never personal data on its own.
//! - A number the customer names as an order, tracking, invoice, serial or reference number
//!   (`订单号 …`, `order no. …`, `tracking: …`) is that, whatever it looks like; and a digit run that
//!   starts with a date (`20251112…`, how shops stamp orders) is never a phone or card number.
//! - A bank card is 13–19 digits of a card network's range (first digits 3, 4, 5, 6, 9 or
//!   2221–2720) that pass the Luhn check, *and* either written in card grouping (4-4-4-4,
//!   4-4-4-4-3, 4-6-5) or with a card word nearby (`card`, `visa`, `卡`, `银联`…): one in ten
//!   digit runs passes Luhn by chance, so a bare run is not enough.
//! - A Chinese ID number is 18 characters with a real province code, a real birth date and the
//!   ISO 7064 MOD 11-2 check character; with an ID word nearby (`身份证`) a mistyped check
//!   character is still redacted.
//! - Phone numbers: Chinese mobiles (`1[3-9]` and 9 digits, `+86`/`0086` and separators allowed),
//!   numbers with a national trunk `0` and grouping (`010-12345678`, `(021) 1234 5678`,
//!   `020 7946 0958`), UK mobiles (`07…`, 11 digits), North-American `555-123-4567`,
//!   international `+` then 8–15 digits, and any 7–15 digit number right after a phone word
//!   (`call me on`, `电话`, `微信`).
//! - Addresses only where their structure is unmistakable: a Chinese road, street or lane with a
//!   house number (`…路88号`, with a province, city or district before it, a building or room
//!   after it, or an address word such as `寄到` before it), a housing estate with a building
//!   number (`…小区3栋2单元501`), or an English house number, street name and street type
//!   (`221B Baker Street`, `12 High St, London SW1A 1AA`).
//!
//! Detection runs on a copy of the text with full-width forms folded to ASCII (`１３８`,
//! `＠`, `－`), character for character, so spans map back to the original exactly. Every
//! pattern is a `regex` automaton (linear time) and every check looks at a bounded window, so
//! the cost is linear in the text; nothing panics on any input. Once a value is found, every
//! other occurrence of it in the text is redacted too.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::LazyLock;

use aho_corasick::AhoCorasick;
use regex::Regex;
use serde::{Deserialize, Serialize};

/// A kind of personal data. The order is the priority when two findings overlap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// An e-mail address.
    Email,
    /// A Chinese resident ID number (居民身份证号码).
    IdNumber,
    /// A payment card number.
    BankCard,
    /// A phone number.
    Phone,
    /// A street address.
    Address,
}

impl Kind {
    /// Every kind, in priority order.
    pub const ALL: [Kind; 5] = [Kind::Email, Kind::IdNumber, Kind::BankCard, Kind::Phone, Kind::Address];

    /// The name used in configuration and reports (`email`, `phone`, `id_number`, `bank_card`,
    /// `address`).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Email => "email",
            Kind::IdNumber => "id_number",
            Kind::BankCard => "bank_card",
            Kind::Phone => "phone",
            Kind::Address => "address",
        }
    }

    /// What replaces a value of this kind: a bracketed ASCII word, which reads the same in an
    /// English and a Chinese sentence and cannot be mistaken for anything a customer types.
    pub fn placeholder(self) -> &'static str {
        match self {
            Kind::Email => "[email]",
            Kind::IdNumber => "[id_number]",
            Kind::BankCard => "[card]",
            Kind::Phone => "[phone]",
            Kind::Address => "[address]",
        }
    }
}

/// One value found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Found {
    /// What it is.
    pub kind: Kind,
    /// Where it is in the original text (bytes, on character boundaries).
    pub span: Range<usize>,
}

/// A text with its personal data replaced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Redacted {
    /// The text, each value found replaced by its kind's placeholder.
    pub text: String,
    /// The values found, in text order, not overlapping.
    pub found: Vec<Found>,
}

/// Finds and replaces personal data of the kinds it is built with, except the shop's own
/// contact details it is told to keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redactor {
    enabled: [bool; Kind::ALL.len()],
    /// Values never redacted (the shop's own e-mail addresses and phone numbers), lowercase.
    keep: std::sync::Arc<[String]>,
}

impl Default for Redactor {
    /// Every kind.
    fn default() -> Self {
        Redactor::new(&Kind::ALL)
    }
}

impl Redactor {
    /// A redactor of `kinds` (none: a redactor that changes nothing).
    pub fn new(kinds: &[Kind]) -> Redactor {
        let mut enabled = [false; Kind::ALL.len()];
        for &kind in kinds {
            enabled[kind as usize] = true;
        }
        Redactor { enabled, keep: std::sync::Arc::from([]) }
    }

    /// The same redactor, leaving `values` as they are wherever they occur (compared without
    /// case): the shop's own addresses and numbers, which its agents and answers give out.
    pub fn keeping(self, values: &[String]) -> Redactor {
        let keep: Vec<String> =
            values.iter().map(|v| v.trim().to_lowercase()).filter(|v| !v.is_empty()).collect();
        Redactor { keep: keep.into(), ..self }
    }

    /// Whether values of `kind` are redacted.
    pub fn redacts(&self, kind: Kind) -> bool {
        self.enabled[kind as usize]
    }

    /// `text` with every value found replaced by its placeholder.
    pub fn redact(&self, text: &str) -> Redacted {
        let found = self.find(text);
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for f in &found {
            out.push_str(&text[at..f.span.start]);
            out.push_str(f.kind.placeholder());
            at = f.span.end;
        }
        out.push_str(&text[at..]);
        Redacted { text: out, found }
    }

    /// The personal data in `text`, in text order, not overlapping.
    pub fn find(&self, text: &str) -> Vec<Found> {
        if !self.enabled.iter().any(|&on| on) {
            return Vec::new();
        }
        let folded = Folded::new(text);
        let t: &str = &folded.text;
        let mut candidates: Vec<(Kind, Range<usize>)> = Vec::new();
        for kind in Kind::ALL.into_iter().filter(|&k| self.redacts(k)) {
            match kind {
                Kind::Email => emails(t, &mut candidates),
                Kind::IdNumber => id_numbers(t, &mut candidates),
                Kind::BankCard => cards(t, &mut candidates),
                Kind::Phone => phones(t, &mut candidates),
                Kind::Address => addresses(t, &mut candidates),
            }
        }
        let accepted = resolve(candidates);
        let found: Vec<Found> = accepted
            .into_iter()
            .map(|(kind, span)| Found { kind, span: folded.original(span) })
            .filter(|f| !self.keep.iter().any(|kept| text[f.span.clone()].to_lowercase() == *kept))
            .collect();
        every_occurrence(text, found)
    }
}

/// `text` with the placeholders of [`Kind::placeholder`] taken out, for reading the question
/// (understanding, retrieval, confidence): a placeholder is not a word the customer asked
/// with. It leaves a space between other words and nothing next to a Chinese character (a space
/// would cut a Chinese sentence in two).
pub fn without_placeholders(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        let (head, tail) = rest.split_at(open);
        out.push_str(head);
        match Kind::ALL.iter().map(|k| k.placeholder()).find(|p| tail.starts_with(p)) {
            Some(placeholder) => {
                rest = &tail[placeholder.len()..];
                let han = |c: Option<char>| c.is_some_and(kefu_ingest::locale::is_han);
                if !han(out.chars().next_back()) && !han(rest.chars().next()) {
                    out.push(' ');
                }
            }
            None => {
                out.push('[');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The text searched: full-width forms, dashes and the ideographic full stop folded to ASCII,
/// one character for one, with the map back to the original's byte offsets.
struct Folded<'a> {
    text: Cow<'a, str>,
    /// For each byte of the folded text, the original offset of the character it belongs to,
    /// then the original's length; `None` when nothing was folded.
    origin: Option<Vec<usize>>,
}

impl<'a> Folded<'a> {
    fn new(text: &'a str) -> Folded<'a> {
        if !text.chars().any(|c| fold(c) != c) {
            return Folded { text: Cow::Borrowed(text), origin: None };
        }
        let mut out = String::with_capacity(text.len());
        let mut origin = Vec::with_capacity(text.len() + 1);
        for (i, c) in text.char_indices() {
            out.push(fold(c));
            origin.resize(out.len(), i);
        }
        origin.push(text.len());
        Folded { text: Cow::Owned(out), origin: Some(origin) }
    }

    fn original(&self, span: Range<usize>) -> Range<usize> {
        match &self.origin {
            Some(origin) => origin[span.start]..origin[span.end],
            None => span,
        }
    }
}

fn fold(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE63}' => '-',
        '。' | '\u{FF61}' => '.',
        _ => c,
    }
}

/// The compiled patterns (constants: a failure to compile is a bug the unit tests catch).
struct Patterns {
    email: Regex,
    mobile_cn: Regex,
    international: Regex,
    national: Regex,
    uk_mobile: Regex,
    north_american: Regex,
    after_phone_word: Regex,
    id_number: Regex,
    card_grouped: Regex,
    card_run: Regex,
    road_cn: Regex,
    estate_cn: Regex,
    street_en: Regex,
}

static PATTERNS: LazyLock<Patterns> = LazyLock::new(|| {
    let re = |pattern: &str| Regex::new(pattern).expect("a valid constant pattern");
    Patterns {
        email: re(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,24}"),
        mobile_cn: re(r"(?:(?:\+|00)?86[ \-]?|\(\+?86\)[ \-]?)?1[3-9][0-9](?:[ \-]?[0-9]{4}){2}"),
        international: re(r"\+[1-9][0-9]{0,3}(?:[ .\-]?(?:\([0-9]{1,4}\)|[0-9]{1,5})){0,5}[ .\-]?[0-9]{2,5}"),
        national: re(r"(?:\(0[1-9][0-9]{1,3}\)[ \-]?|0[1-9][0-9]{1,3}[ \-])[0-9]{3,4}[ \-]?[0-9]{3,4}"),
        uk_mobile: re(r"07[0-9]{9}"),
        north_american: re(r"(?:\([2-9][0-9]{2}\) ?|[2-9][0-9]{2}[ .\-])[0-9]{3}[ .\-][0-9]{4}"),
        after_phone_word: re(
            r"(?:\+[0-9]{1,3}[ .\-]?)?(?:\([0-9]{1,5}\)[ .\-]?)?[0-9]{2,}(?:[ .\-][0-9]{2,}){0,5}",
        ),
        id_number: re(r"[1-9][0-9]{5} ?(?:18|19|20)[0-9]{2}[01][0-9][0-3][0-9] ?[0-9]{3}[0-9Xx]"),
        card_grouped: re(
            r"[0-9]{4}(?:[ \-][0-9]{4}){2,3}(?:[ \-][0-9]{1,3})?|[0-9]{4}[ \-][0-9]{6}[ \-][0-9]{4,5}",
        ),
        card_run: re(r"[0-9]{13,19}"),
        road_cn: re(concat!(
            r"(?:\p{Han}{2,7}?(?:省|自治区))?(?:\p{Han}{2,6}?(?:市|自治州|盟|地区))?",
            r"(?:\p{Han}{1,6}?(?:区|县|旗|市))?(?:\p{Han}{1,8}?(?:镇|乡|街道))?",
            r"[\p{Han}0-9]{1,12}?(?:大道|大街|路|街|巷|弄|胡同)(?:[一二三四五六七八九十0-9]{1,3}段)?",
            r"(?:[0-9]{1,5}|[一二三四五六七八九十百零]{1,4})(?:号|號)院?",
            // A building's name is part of the address only when a building, unit or room follows.
            r"(?:[\p{Han}A-Za-z]{0,10}?",
            r"(?:(?:[0-9A-Za-z]{1,5}|[一二三四五六七八九十]{1,3})(?:号楼|栋|幢|座|单元|层|楼|室|号))+)?",
        )),
        estate_cn: re(concat!(
            r"\p{Han}{2,10}?(?:小区|花园|公寓|大厦|家园|新村|社区|苑)",
            r"(?:[0-9A-Za-z]{1,4}|[一二三四五六七八九十]{1,3})(?:号楼|栋|幢|座)",
            r"(?:(?:[0-9]{1,3}|[一二三四五六七八九十]{1,3})单元)?(?:[0-9]{2,5}(?:室|号)?)?",
        )),
        street_en: re(concat!(
            r"(?:(?i:flat|apt|apartment|unit|suite)\.? ?#?[0-9]{1,4}[A-Za-z]?,? )?",
            r"(?<number>[0-9]{1,5}[A-Za-z]?),? (?<name>(?:[A-Za-z][A-Za-z'\-]* ){1,3})",
            r"(?<suffix>(?i:street|st|road|rd|avenue|ave|lane|ln|boulevard|blvd|drive|dr|close|court|ct",
            r"|crescent|place|pl|terrace|way|gardens|square|sq|mews|grove|hill|parade|row|walk|highway|hwy))\b\.?",
            r"(?:,? ?[A-Z][a-z]+(?: [A-Z][a-z]+)?,? ?[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}\b",
            r"|,? ?[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}\b|, ?[A-Z][a-z]+(?: [A-Z][a-z]+)?\b)?",
        )),
    }
});

/// Words that name a number as something other than personal data, right before it.
const REFERENCE_WORDS: &[&str] = &[
    "order",
    "order no",
    "order nr",
    "order number",
    "order id",
    "order ref",
    "order code",
    "tracking",
    "tracking no",
    "tracking number",
    "tracking id",
    "tracking code",
    "parcel",
    "parcel no",
    "parcel number",
    "consignment",
    "ref",
    "reference",
    "reference no",
    "reference number",
    "invoice",
    "invoice no",
    "invoice number",
    "receipt",
    "receipt no",
    "serial",
    "serial no",
    "serial number",
    "sn",
    "s/n",
    "model",
    "sku",
    "ticket",
    "case no",
    "case number",
    "rma",
    "return no",
    "return number",
    "订单",
    "订单号",
    "订单号码",
    "订单编号",
    "单号",
    "编号",
    "运单",
    "运单号",
    "快递",
    "快递单号",
    "快递号",
    "物流单号",
    "物流号",
    "退货单号",
    "售后单号",
    "工单",
    "工单号",
    "发票",
    "发票号",
    "发票号码",
    "序列号",
    "sn码",
    "型号",
    "尾号",
    "券码",
];

/// How far before an ungrouped card number (in characters) a card word may stand: "refund to
/// card ending in 4444 please (full number 5555…)" names it 31 characters before.
const CARD_WORD_BEFORE: usize = 40;

/// Words that say a number is a payment card's.
const CARD_WORDS: &[&str] = &[
    "card",
    "cards",
    "visa",
    "mastercard",
    "master card",
    "amex",
    "american express",
    "unionpay",
    "union pay",
    "debit",
    "credit",
    "maestro",
    "discover",
    "jcb",
    "卡",
    "银联",
    "账号",
    "帐号",
];

/// Words that say a number is a phone number.
const PHONE_WORDS: &[&str] = &[
    "phone",
    "mobile",
    "tel",
    "telephone",
    "call",
    "cell",
    "whatsapp",
    "contact",
    "reach me",
    "text me",
    "ring me",
    "my number",
    "电话",
    "手机",
    "号码",
    "联系",
    "致电",
    "打给",
    "座机",
    "微信",
    "回电",
    "来电",
];

/// Words that say a number is an ID number.
const ID_WORDS: &[&str] = &["身份证", "证件", "id number", "id card", "id no", "identity"];

/// Words before a Chinese address that say it is one (and are not part of it).
const ADDRESS_WORDS_ZH: &[&str] = &[
    "收货地址",
    "新地址",
    "地址是",
    "地址",
    "住址",
    "家住",
    "住在",
    "寄到",
    "送到",
    "发到",
    "寄回",
    "寄给",
    "改成",
    "改为",
    "换成",
    "改到",
    "搬到",
    "位于",
];

/// Words that may stand before a Chinese address without being part of it.
const LEADING_WORDS_ZH: &[&str] = &["我", "请", "在", "是", "到", "帮", "把", "给", "的", "家", "现"];

/// Words that cannot be part of an English street name ("I sent 2 of the items back the same way").
const NOT_STREET_NAME: &[&str] = &[
    "the",
    "a",
    "an",
    "of",
    "on",
    "in",
    "at",
    "to",
    "for",
    "my",
    "your",
    "our",
    "their",
    "and",
    "or",
    "with",
    "from",
    "by",
    "per",
    "is",
    "was",
    "it",
    "this",
    "that",
    "i",
    "you",
    "we",
    "they",
    "he",
    "she",
    "days",
    "day",
    "weeks",
    "week",
    "months",
    "month",
    "years",
    "hours",
    "minutes",
    "items",
    "item",
    "times",
    "pcs",
    "pieces",
    "units",
    "more",
    "less",
    "than",
    "about",
    "only",
    "just",
    "all",
    "each",
    "every",
    "other",
    "same",
    "different",
    "x",
];

/// Street types a street name needs no capitals for.
const CLEAR_STREET_TYPES: &[&str] =
    &["street", "st", "road", "rd", "avenue", "ave", "boulevard", "blvd", "lane", "ln"];

/// Province codes of Chinese ID numbers (GB/T 2260, plus 71, 81–83 for Taiwan, Hong Kong and
/// Macao residents' permits).
const PROVINCES: &[u32] = &[
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54,
    61, 62, 63, 64, 65, 71, 81, 82, 83,
];

fn emails(t: &str, out: &mut Vec<(Kind, Range<usize>)>) {
    for m in PATTERNS.email.find_iter(t) {
        if !t[m.end()..].starts_with(|c: char| c.is_ascii_alphanumeric()) {
            out.push((Kind::Email, m.range()));
        }
    }
}

fn id_numbers(t: &str, out: &mut Vec<(Kind, Range<usize>)>) {
    for m in PATTERNS.id_number.find_iter(t) {
        if !standalone(t, m.range()) {
            continue;
        }
        let chars: Vec<u8> = m.as_str().bytes().filter(|b| *b != b' ').collect();
        let Some((valid_structure, valid_check)) = id_number_checks(&chars) else { continue };
        if valid_structure && (valid_check || near(t, m.range(), ID_WORDS, 16, 4)) {
            out.push((Kind::IdNumber, m.range()));
        }
    }
}

/// Whether the province code and birth date are real, and whether the check character is
/// right (ISO 7064 MOD 11-2); `None` unless 17 digits and a digit or X.
fn id_number_checks(chars: &[u8]) -> Option<(bool, bool)> {
    if chars.len() != 18 || !chars[..17].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let number = |range: Range<usize>| chars[range].iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
    let (year, month, day) = (number(6..10), number(10..12), number(12..14));
    let structure = PROVINCES.contains(&number(0..2))
        && (1900..=2099).contains(&year)
        && (1..=12).contains(&month)
        && (1..=days_in_month(year, month)).contains(&day);
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = chars[..17].iter().zip(WEIGHTS).map(|(d, w)| u32::from(d - b'0') * w).sum();
    let check = b"10X98765432"[(sum % 11) as usize];
    Some((structure, chars[17].to_ascii_uppercase() == check))
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn cards(t: &str, out: &mut Vec<(Kind, Range<usize>)>) {
    let mut check = |range: Range<usize>, grouped: bool| {
        let digits = digits(&t[range.clone()]);
        let card_like =
            card_number(&digits) && standalone(t, range.clone()) && !named_reference(t, range.start);
        if card_like && (grouped || near(t, range.clone(), CARD_WORDS, CARD_WORD_BEFORE, 8)) {
            out.push((Kind::BankCard, range));
        }
    };
    for m in PATTERNS.card_grouped.find_iter(t) {
        check(m.range(), true);
    }
    for m in PATTERNS.card_run.find_iter(t) {
        check(m.range(), false);
    }
}

/// 13–19 digits in a card network's range that pass the Luhn check.
fn card_number(digits: &[u8]) -> bool {
    if !(13..=19).contains(&digits.len()) {
        return false;
    }
    let prefix = digits[..4].iter().fold(0u32, |n, d| n * 10 + u32::from(*d));
    let network = matches!(digits[0], 3 | 4 | 5 | 6 | 9) || (2221..=2720).contains(&prefix);
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 1 { if d > 4 { d * 2 - 9 } else { d * 2 } } else { d }
        })
        .sum();
    network && sum.is_multiple_of(10)
}

fn phones(t: &str, out: &mut Vec<(Kind, Range<usize>)>) {
    let p = &*PATTERNS;
    let plain = |range: &Range<usize>| {
        standalone(t, range.clone())
            && !named_reference(t, range.start)
            && !date_stamped(&digits(&t[range.clone()]))
    };
    for regex in [&p.mobile_cn, &p.national, &p.uk_mobile, &p.north_american] {
        out.extend(regex.find_iter(t).map(|m| m.range()).filter(plain).map(|r| (Kind::Phone, r)));
    }
    for m in p.international.find_iter(t) {
        if (8..=15).contains(&digits(m.as_str()).len()) && plain(&m.range()) {
            out.push((Kind::Phone, m.range()));
        }
    }
    for m in p.after_phone_word.find_iter(t) {
        let range = m.range();
        if (7..=15).contains(&digits(m.as_str()).len())
            && plain(&range)
            && near(t, range.clone(), PHONE_WORDS, 16, 0)
        {
            out.push((Kind::Phone, range));
        }
    }
}

fn addresses(t: &str, out: &mut Vec<(Kind, Range<usize>)>) {
    let p = &*PATTERNS;
    for (regex, estate) in [(&p.road_cn, false), (&p.estate_cn, true)] {
        for m in regex.find_iter(t) {
            let (start, cue_inside) = chinese_address_start(t, m.range());
            let span = &t[start..m.end()];
            let structured = span.contains(['省', '市', '区', '县', '旗', '镇', '乡'])
                || span.contains(['室', '栋', '幢', '座', '层'])
                || span.contains("单元")
                || span.contains("号楼");
            let cue = cue_inside || near_before(t, start, ADDRESS_WORDS_ZH, 8);
            if start < m.end() && (estate || structured || cue) {
                out.push((Kind::Address, start..m.end() + room_number(&t[m.end()..])));
            }
        }
    }
    for caps in p.street_en.captures_iter(t) {
        let (Some(whole), Some(name), Some(suffix)) = (caps.get(0), caps.name("name"), caps.name("suffix"))
        else {
            continue;
        };
        if street_name(name.as_str(), suffix.as_str()) && standalone_number(t, whole.start()) {
            out.push((Kind::Address, whole.range()));
        }
    }
}

/// The length of a room number right after an address (`…88号1203`): up to 5 digits; a longer
/// run is something else (`…88号13812345678` is followed by a phone number).
fn room_number(rest: &str) -> usize {
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if digits <= 5 { digits } else { 0 }
}

/// Where a Chinese address found at `range` starts once the words before it (`地址改成`,
/// `我住在`) are left out, and whether one of them was an address word.
fn chinese_address_start(t: &str, range: Range<usize>) -> (usize, bool) {
    let mut start = range.start;
    let mut cue = false;
    loop {
        let rest = &t[start..range.end];
        if let Some(word) = ADDRESS_WORDS_ZH.iter().find(|w| rest.starts_with(*w)) {
            start += word.len();
            cue = true;
        } else if let Some(word) = LEADING_WORDS_ZH.iter().find(|w| rest.starts_with(*w)) {
            start += word.len();
        } else {
            return (start, cue);
        }
    }
}

/// Whether `name` (words followed by a space) and `suffix` read as a street: no word that
/// cannot be part of a name, and capitals unless the street type is unmistakable.
fn street_name(name: &str, suffix: &str) -> bool {
    let words: Vec<&str> = name.split_whitespace().collect();
    if words.iter().any(|w| NOT_STREET_NAME.contains(&w.to_lowercase().as_str())) {
        return false;
    }
    let capital = |w: &str| w.starts_with(|c: char| c.is_ascii_uppercase());
    CLEAR_STREET_TYPES.contains(&suffix.to_lowercase().as_str())
        || (capital(suffix) && words.iter().all(|w| capital(w)))
}

/// Whether the house number at `start` stands alone (not a price, a decimal, part of a code).
fn standalone_number(t: &str, start: usize) -> bool {
    !t[..start].chars().next_back().is_some_and(|c| c.is_ascii_alphanumeric() || "£$€¥.,:/-#+".contains(c))
}

/// Keeps the highest-priority candidates where they overlap (joining overlapping ones of the
/// same kind), in text order. The spans kept are disjoint, held by start: a candidate meets only
/// its neighbours, and each span is joined into another at most once.
fn resolve(mut candidates: Vec<(Kind, Range<usize>)>) -> Vec<(Kind, Range<usize>)> {
    candidates.sort_by_key(|(kind, span)| (*kind, span.start, std::cmp::Reverse(span.end)));
    let mut kept: BTreeMap<usize, (usize, Kind)> = BTreeMap::new();
    'candidates: for (kind, span) in candidates {
        let mut joined = span.clone();
        let mut overlapping = Vec::new();
        for (&start, &(end, other)) in kept.range(..span.end).rev() {
            if end <= span.start {
                break;
            }
            if other != kind {
                continue 'candidates;
            }
            overlapping.push(start);
            joined = joined.start.min(start)..joined.end.max(end);
        }
        for start in overlapping {
            kept.remove(&start);
        }
        kept.insert(joined.start, (joined.end, kind));
    }
    kept.into_iter().map(|(start, (end, kind))| (kind, start..end)).collect()
}

/// Every occurrence of a value found is redacted, not only the one whose context gave it away
/// ("卡号 6222… … 还是 6222…").
fn every_occurrence(text: &str, found: Vec<Found>) -> Vec<Found> {
    if found.is_empty() {
        return found;
    }
    let mut values: Vec<(&str, Kind)> = found.iter().map(|f| (&text[f.span.clone()], f.kind)).collect();
    values.sort();
    values.dedup_by(|a, b| a.0 == b.0);
    let Ok(matcher) = AhoCorasick::new(values.iter().map(|(v, _)| v)) else {
        return found;
    };
    let mut all: Vec<(Kind, Range<usize>)> = found.into_iter().map(|f| (f.kind, f.span)).collect();
    all.extend(matcher.find_overlapping_iter(text).map(|m| (values[m.pattern().as_usize()].1, m.range())));
    merge(all).into_iter().map(|(kind, span)| Found { kind, span }).collect()
}

/// Spans in text order, overlapping ones joined (the first one's kind kept).
fn merge(mut spans: Vec<(Kind, Range<usize>)>) -> Vec<(Kind, Range<usize>)> {
    spans.sort_by_key(|(kind, span)| (span.start, *kind));
    let mut out: Vec<(Kind, Range<usize>)> = Vec::with_capacity(spans.len());
    for (kind, span) in spans {
        match out.last_mut() {
            Some((_, last)) if span.start < last.end => last.end = last.end.max(span.end),
            _ => out.push((kind, span)),
        }
    }
    out
}

/// The ASCII digits of `s`, as numbers.
fn digits(s: &str) -> Vec<u8> {
    s.bytes().filter(u8::is_ascii_digit).map(|b| b - b'0').collect()
}

/// A digit run of at least 10 digits that starts with a date (`20251112…`): how shops number
/// orders, never a phone or card number.
fn date_stamped(digits: &[u8]) -> bool {
    if digits.len() < 10 || digits[..2] != [2, 0] {
        return false;
    }
    let month = digits[4] * 10 + digits[5];
    let day = digits[6] * 10 + digits[7];
    (1..=12).contains(&month) && (1..=31).contains(&day)
}

/// Whether the number at `range` stands on its own rather than being part of a code: not
/// glued to letters or digits, and not joined to them by `-`, `/`, `.` or `#`.
fn standalone(t: &str, range: Range<usize>) -> bool {
    let mut before = t[..range.start].chars().rev();
    let mut after = t[range.end..].chars();
    let glued = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    let digit = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit());
    let is = |c: Option<char>, set: &str| c.is_some_and(|c| set.contains(c));
    let (b1, b2) = (before.next(), before.next());
    let (a1, a2) = (after.next(), after.next());
    // "tel.138…" is a phone number, "NW-138…" and "v1.138…" are codes.
    let joined_before = (is(b1, "-/#") && glued(b2)) || (is(b1, ".") && digit(b2));
    !(glued(b1) || joined_before || glued(a1) || (is(a1, "-/.#") && digit(a2)))
}

/// Whether the customer names the number starting at `start` as an order, tracking, invoice,
/// serial… number ("订单号：2025…", "order no. is 2025…").
fn named_reference(t: &str, start: usize) -> bool {
    let window = before(t, start, 24);
    let mut rest = window.as_str();
    loop {
        let trimmed = rest.trim_end_matches(|c: char| c.is_whitespace() || ":：#=-_.,，、(（".contains(c));
        let trimmed = ["is", "was", "are", "是", "为"]
            .iter()
            .find_map(|w| strip_word_suffix(trimmed, w))
            .unwrap_or(trimmed);
        if trimmed.len() == rest.len() {
            break;
        }
        rest = trimmed;
    }
    REFERENCE_WORDS.iter().any(|w| strip_word_suffix(rest, w).is_some())
}

/// `s` without `word` at its end, if it ends with it as a whole word.
fn strip_word_suffix<'s>(s: &'s str, word: &str) -> Option<&'s str> {
    let head = s.strip_suffix(word)?;
    let ascii_word = word.starts_with(|c: char| c.is_ascii_alphanumeric());
    (!ascii_word || !head.ends_with(|c: char| c.is_ascii_alphanumeric())).then_some(head)
}

/// Whether one of `words` appears within `before_chars` characters before `range` or
/// `after_chars` after it (an ASCII word as a whole word).
fn near(t: &str, range: Range<usize>, words: &[&str], before_chars: usize, after_chars: usize) -> bool {
    near_before(t, range.start, words, before_chars)
        || contains_word(&after(t, range.end, after_chars), words)
}

fn near_before(t: &str, at: usize, words: &[&str], chars: usize) -> bool {
    contains_word(&before(t, at, chars), words)
}

fn contains_word(window: &str, words: &[&str]) -> bool {
    words.iter().any(|word| {
        let ascii_word = word.starts_with(|c: char| c.is_ascii_alphabetic());
        window.match_indices(word).any(|(i, _)| {
            !ascii_word
                || !(window[..i].ends_with(|c: char| c.is_ascii_alphabetic())
                    || window[i + word.len()..].starts_with(|c: char| c.is_ascii_alphabetic()))
        })
    })
}

/// Up to `n` characters before byte `at`, lowercased.
fn before(t: &str, at: usize, n: usize) -> String {
    let start = t[..at].char_indices().rev().take(n).last().map_or(at, |(i, _)| i);
    t[start..at].to_lowercase()
}

/// Up to `n` characters from byte `at`, lowercased.
fn after(t: &str, at: usize, n: usize) -> String {
    t[at..].chars().take(n).collect::<String>().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redact(text: &str) -> String {
        Redactor::default().redact(text).text
    }

    #[test]
    fn the_shops_own_contact_details_are_kept() {
        let redactor = Redactor::default().keeping(&["Support@Shop.example".into(), "400-800-1234".into()]);
        let redacted =
            redactor.redact("Write to support@shop.example or call 400-800-1234, not jo@mail.com.");
        assert_eq!(redacted.text, "Write to support@shop.example or call 400-800-1234, not [email].");
        assert_eq!(Redactor::default().redact("support@shop.example").text, "[email]");
    }

    #[test]
    fn patterns_compile() {
        LazyLock::force(&PATTERNS);
    }

    #[test]
    fn emails_are_redacted_also_when_typed_full_width() {
        assert_eq!(redact("my email is jane.doe+shop@gmail.co.uk."), "my email is [email].");
        assert_eq!(redact("发票发到１２３４５６＠ｑｑ．ｃｏｍ谢谢"), "发票发到[email]谢谢");
        assert_eq!(redact("邮箱 abc_1@163。com"), "邮箱 [email]");
    }

    #[test]
    fn chinese_mobiles_with_prefixes_and_separators() {
        for number in
            ["13812345678", "+86 138 1234 5678", "0086-138-1234-5678", "(+86)13812345678", "8613812345678"]
        {
            assert_eq!(redact(&format!("手机{number}，麻烦联系")), "手机[phone]，麻烦联系", "{number}");
        }
        assert_eq!(redact("电话 １３８－１２３４－５６７８"), "电话 [phone]");
    }

    #[test]
    fn landlines_and_international_numbers() {
        assert_eq!(redact("座机010-12345678转8001"), "座机[phone]转8001");
        assert_eq!(redact("call (021) 1234 5678 pls"), "call [phone] pls");
        assert_eq!(redact("ring me on +44 20 7946 0958 or 07700 900123"), "ring me on [phone] or [phone]");
        assert_eq!(redact("my mobile: 07700900123"), "my mobile: [phone]");
        assert_eq!(redact("US number (555) 123-4567"), "US number [phone]");
        assert_eq!(redact("whatsapp +33 6 12 34 56 78 thanks"), "whatsapp [phone] thanks");
        assert_eq!(redact("微信号 87654321"), "微信号 [phone]");
    }

    #[test]
    fn id_numbers_need_a_real_date_and_check_character() {
        assert_eq!(redact("身份证号11010519491231002X"), "身份证号[id_number]");
        assert_eq!(redact("id 110105 19491231 002x ok"), "id [id_number] ok");
        // Wrong check character without an ID word; 30 February; no such province.
        for kept in ["11010519491231002Y", "110105194912310021", "110105194902300024", "990105194912310020"] {
            assert!(Redactor::default().find(kept).iter().all(|f| f.kind != Kind::IdNumber), "{kept}");
        }
        // With an ID word, a mistyped check character is still an ID number.
        assert_eq!(redact("身份证 110105194912310021"), "身份证 [id_number]");
    }

    #[test]
    fn cards_need_luhn_and_grouping_or_a_card_word() {
        assert_eq!(redact("charged twice on 4111 1111 1111 1111!"), "charged twice on [card]!");
        assert_eq!(redact("卡号6222020200112233445"), "卡号6222020200112233445", "fails Luhn");
        assert_eq!(redact("tel.13812345678"), "tel.[phone]");
        assert_eq!(redact("银行卡 6222 0202 0011 2233 446"), "银行卡 [card]");
        assert_eq!(redact("my visa is 4111111111111111"), "my visa is [card]");
        assert_eq!(
            redact("refund to card ending in 4444 please (full number 5555555555554444)"),
            "refund to card ending in 4444 please (full number [card])"
        );
        // Luhn-valid, in Visa's range, but nothing says card.
        assert_eq!(redact("ref 4111111111111111"), "ref 4111111111111111");
        assert_eq!(redact("got 4111111111111111 twice"), "got 4111111111111111 twice");
        assert_eq!(redact("卡号 6212260200023558881 ... 6212260200023558881"), "卡号 [card] ... [card]");
    }

    #[test]
    fn order_numbers_codes_prices_and_dates_survive() {
        for text in [
            "订单号2025111207781 到哪了",
            "order no. 2025111207781, card payment",
            "信用卡付的 订单2025111207781 退款",
            "NW-RV700 and RV-S7, NW-13812345678",
            "快递单号SF1402938812 修到哪一步了",
            "订单号 13812345678",
            "¥1,299.00 or £249.99, 2025-11-12 14:30, x2, 3 pcs",
            "serial number 6011000990139424",
            "我12月3号买的 知道3号能到吗",
            "returned 2 of the items the same way",
            "call between 9 and 5, 30 days",
            "订单NW2025112001 到现在没人联系我",
        ] {
            assert!(
                Redactor::default().find(text).is_empty(),
                "{text}: {:?}",
                Redactor::default().find(text)
            );
        }
    }

    #[test]
    fn chinese_addresses_with_structure() {
        assert_eq!(redact("地址改成上海市浦东新区张江路88弄3号502室，谢谢"), "地址改成[address]，谢谢");
        assert_eq!(redact("我住在北京市朝阳区建国路88号 能送吗"), "我住在[address] 能送吗");
        assert_eq!(redact("寄到文三路478号"), "寄到[address]");
        assert_eq!(
            redact("收货地址：杭州市西湖区文三路478号1203 电话13812345678"),
            "收货地址：[address] 电话[phone]"
        );
        assert_eq!(redact("阳光花园3栋2单元501 放门口"), "[address] 放门口");
        assert_eq!(redact("改成北京市朝阳区建国路88号SOHO现代城5号楼1203室"), "改成[address]");
        assert_eq!(redact("地址是成都市武侯区人民南路四段12号，放门卫"), "地址是[address]，放门卫");
        assert_eq!(redact("建国路88号有门店吗"), "建国路88号有门店吗", "no place, building or address word");
    }

    #[test]
    fn english_addresses_with_a_house_number_and_street_type() {
        assert_eq!(
            redact("send it to 221B Baker Street, London NW1 6XE please"),
            "send it to [address] please"
        );
        assert_eq!(redact("Flat 3, 12 high street, Leeds"), "[address]");
        assert_eq!(redact("I live at 14 Elm Rd."), "I live at [address]");
        assert_eq!(
            redact("send the replacement to 18 station rd, bristol"),
            "send the replacement to [address], bristol"
        );
        assert_eq!(redact("I have 2 hard drive bays"), "I have 2 hard drive bays");
    }

    #[test]
    fn long_hostile_inputs_are_handled_whole() {
        let redactor = Redactor::default();
        let phones = "手机13812345678 ".repeat(20_000);
        let redacted = redactor.redact(&phones);
        assert_eq!(redacted.found.len(), 20_000);
        assert_eq!(redacted.text, "手机[phone] ".repeat(20_000));
        for hostile in [
            "a".repeat(200_000) + "@",
            "a@".repeat(100_000),
            "a@b.cc.".to_string() + &"0".repeat(200_000),
            "1 ".repeat(100_000),
            "+1 ".repeat(70_000),
            "4".repeat(200_000),
            "路".repeat(70_000) + "88号",
            "1号".repeat(50_000),
            "12 Baker ".repeat(20_000) + "Street",
            "１２３＠".repeat(50_000),
        ] {
            let redacted = redactor.redact(&hostile);
            for found in &redacted.found {
                assert!(!redacted.text.contains(&hostile[found.span.clone()]));
            }
        }
    }

    #[test]
    fn kinds_can_be_switched_off() {
        let only_email = Redactor::new(&[Kind::Email]);
        assert_eq!(only_email.redact("a@b.com 13812345678").text, "[email] 13812345678");
        assert_eq!(Redactor::new(&[]).redact("a@b.com").text, "a@b.com");
    }

    #[test]
    fn spans_point_into_the_original_text() {
        let text = "邮箱：ｊａｎｅ＠ｑｑ．ｃｏｍ 手机１３８１２３４５６７８";
        let found = Redactor::default().find(text);
        let values: Vec<&str> = found.iter().map(|f| &text[f.span.clone()]).collect();
        assert_eq!(values, ["ｊａｎｅ＠ｑｑ．ｃｏｍ", "１３８１２３４５６７８"]);
    }

    #[test]
    fn placeholders_are_taken_out_for_reading() {
        assert_eq!(without_placeholders("my email is [email] and card [card]"), "my email is   and card  ");
        assert_eq!(without_placeholders("手机[phone]能退吗"), "手机能退吗");
        assert_eq!(without_placeholders("[x] [email"), "[x] [email");
    }
}
