//! Message understanding: a shopper's message, as typed into a chat window, read into the
//! questions kefu answers.
//!
//! ```text
//! message -> normalise (full-width, traditional, emoji, punctuation runs, chat shorthand)
//!         -> pinyin and homophones read as the help center's Chinese words
//!         -> misspelt English words read as the help center's words
//!         -> pieces: chatter (dropped), context, questions
//!         -> parts: each question with the context the customer gave (at most MAX_PARTS);
//!            a question about one order's progress is recognised as such (`intent`);
//!            the places named are read as their regions (`region`)
//! ```
//!
//! Pure functions: the help center's vocabulary ([`Vocabulary`]) is built by the retriever from
//! its index and handed in.

pub mod advice;
pub mod asked_for;
pub mod expect;
pub mod frustration;
pub mod gloss;
pub mod intent;
pub mod normalize;
pub mod numbers;
pub mod offers;
pub mod pinyin;
pub mod reason;
pub mod region;
pub mod segment;
pub mod spelling;

use std::collections::HashSet;

use crate::analysis;
use pinyin::PinyinIndex;
use segment::{Role, Segment};
use spelling::Speller;

/// Most questions of one message answered separately; more are answered together with the last.
pub const MAX_PARTS: usize = 3;
/// Characters of context searched with each question.
const MAX_CONTEXT_CHARS: usize = 400;
/// English words that thank.
const THANKS_EN: &[&str] = &["thanks", "thank", "thx", "ty", "cheers", "ta", "appreciate", "appreciated"];
/// Chinese words that thank.
const THANKS_ZH: &[&str] = &["谢谢", "多谢", "感谢", "谢了", "辛苦了"];

/// Words a question needs to stand on its own, besides [`ASKING_ONLY`].
const MIN_QUESTION_WORDS: usize = 2;
/// Words that ask without saying about what: a question made only of these ("why?", "what do I
/// do now?", "怎么办") is about what the customer said before it.
const ASKING_ONLY: &[&str] = &[
    "why",
    "how",
    "what",
    "when",
    "where",
    "who",
    "which",
    "does",
    "do",
    "did",
    "mean",
    "means",
    "so",
    "then",
    "ok",
    "really",
    "why's",
    "what's",
    "i",
    "me",
    "my",
    "we",
    "us",
    "our",
    "you",
    "your",
    "it",
    "this",
    "that",
    "should",
    "can",
    "could",
    "would",
    "will",
    "now",
    "next",
    "please",
    "is",
    "are",
    "be",
    "have",
    "has",
    "get",
    "there",
    "here",
    "anything",
    "something",
    "help",
    "fix",
    "为什么",
    "为啥",
    "怎么回事",
    "啥意思",
    "什么意思",
    "咋办",
    "怎么办",
    "然后",
    "呢",
    "怎么",
    "处理",
    "解决",
    "凭啥",
    "咋",
    "啥",
    "会",
    "能",
    "可以",
    "吗",
    "现在",
    "一下",
    "还",
    "给",
    "不",
    "多少",
    "多少钱",
    "钱",
    "多久",
    "几天",
    "哪天",
    "几点",
    "much",
    "long",
    "many",
    "cost",
    "costs",
    "price",
];

/// The help center's words, for reading what shoppers type.
#[derive(Debug, Default, Clone)]
pub struct Vocabulary {
    pinyin: PinyinIndex,
    speller: Speller,
    /// Every analysed term of the index.
    terms: HashSet<String>,
}

impl Vocabulary {
    /// From the index's analysed terms (term, chunks containing it) and the real words of the
    /// embedding model's vocabulary.
    pub fn new(terms: &[(String, u32)], dictionary: impl IntoIterator<Item = String>) -> Vocabulary {
        Vocabulary {
            // The words kefu reads itself (an order's, a question's) as well: no chunk need
            // hold them, and the help center's own word wins a reading they share.
            pinyin: PinyinIndex::new(terms.iter().map(|(t, c)| (t.as_str(), *c)).chain(
                intent::chinese_words().chain(pinyin::EVERYDAY_WORDS.iter().copied()).map(|w| (w, 0)),
            )),
            speller: Speller::new(terms.iter().map(|(t, c)| (t.as_str(), *c)), dictionary),
            terms: terms.iter().map(|(t, _)| t.clone()).collect(),
        }
    }

    /// Whether `word` is a word: the help center's or the Chinese dictionary's.
    fn knows(&self, word: &str) -> bool {
        self.terms.contains(word) || analysis::is_dictionary_word(word)
    }

    /// Whether the help center never names what `thing` names: it holds an English word (three
    /// letters or more, no digits) that no chunk holds, or a word of the Chinese dictionary (two
    /// to four characters) that no indexed term contains. Chinese is looked up by dictionary
    /// word, not by its analysed terms: jieba cuts a phrase it does not know into pieces that
    /// are no words ("企业团购价" → 企业 / 团 / 购价), and a piece of a longer word is named where
    /// the longer word is. Words of a letter or two and codes with digits ("5G", "S7") are
    /// sizes and models more than things, and are left alone, and so is a place the help center
    /// covers through its region.
    pub fn never_names(&self, thing: &str) -> bool {
        // A place is named by its region's row ("do you ship to latvia": the EU's).
        let place = !region::regions(thing).is_empty() || !region::provinces(thing).is_empty();
        if self.terms.is_empty() || place {
            return false;
        }
        let unknown_latin = analysis::words(thing).into_iter().any(|w| {
            w.term.len() >= 3
                && w.term.chars().all(|c| c.is_ascii_alphabetic())
                && !self.terms.contains(&w.term)
        });
        let han: Vec<char> = thing.chars().collect();
        let unknown_han = (0..han.len()).any(|start| {
            (2..=4).filter(|n| start + n <= han.len()).any(|n| {
                let word: String = han[start..start + n].iter().collect();
                word.chars().all(kefu_ingest::locale::is_han)
                    && analysis::is_dictionary_word(&word)
                    && !self.terms.iter().any(|t| t.contains(&word))
            })
        });
        unknown_latin || unknown_han
    }

    /// Whether the help center uses every word of `phrase`. A vocabulary of no index (nothing
    /// indexed yet) is taken to use every phrase.
    fn uses(&self, phrase: &str) -> bool {
        let words = analysis::words(phrase);
        self.terms.is_empty() || !words.is_empty() && words.iter().all(|w| self.terms.contains(&w.term))
    }
}

/// A message, read.
#[derive(Debug, Clone, PartialEq)]
pub struct Understood {
    /// The message normalised and corrected.
    pub text: String,
    /// The questions to answer, in the order asked; at least one unless the message is only
    /// chatter.
    pub parts: Vec<Part>,
}

impl Understood {
    /// The order the message asks the status of, if a question of it asks about one
    /// ([`Part::order_asked`]).
    pub fn order_asked(&self) -> Option<String> {
        let single = self.parts.len() == 1;
        self.parts.iter().find_map(|part| part.order_asked(&self.text, single))
    }

    /// The message greets or thanks and asks nothing.
    pub fn only_chatter(&self) -> bool {
        self.parts.is_empty()
    }

    /// Whether the message thanks ("thanks so much!!", "好的 谢谢啦"): a message of only
    /// chatter that thanks is answered "you're welcome", not greeted.
    pub fn thanks(&self) -> bool {
        let lower = self.text.to_lowercase();
        THANKS_ZH.iter().any(|w| lower.contains(w))
            || analysis::words(&lower).iter().any(|t| THANKS_EN.contains(&&lower[t.start..t.end]))
    }
}

/// One question of a message.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    /// The question, normalised and corrected.
    pub question: String,
    /// What the customer told around their questions (may be empty).
    pub context: String,
}

impl Part {
    /// The order this question asks the status of ([`intent::order_status_request`]): one its
    /// words or context name, or one the whole `message` names when it is the message's only
    /// question ("订单尾号4417，仓库说早就收到了，……麻烦帮我看看处理了没有", `single`) or points
    /// at that order ("帮我查一下 NW-71209 这单的发票开出来没", [`intent::asks_about_that_order`]).
    /// The answerer and the order lookup route by this, on the message as understood (pinyin,
    /// traditional characters and full-width digits read).
    pub fn order_asked(&self, message: &str, single: bool) -> Option<String> {
        intent::order_status_request(&self.query())
            .or_else(|| if single { intent::order_status_request(message) } else { None })
            .or_else(|| {
                if intent::asks_about_that_order(&self.question) {
                    intent::order_number(message)
                } else {
                    None
                }
            })
    }

    /// What to search for: the question, then its context.
    pub fn query(&self) -> String {
        if self.context.is_empty() {
            return self.question.clone();
        }
        format!("{}{}{}", self.question, segment::separator(&self.question), self.context)
    }
}

/// Reads `message` with the help center's `vocabulary`.
pub fn understand(message: &str, vocabulary: &Vocabulary) -> Understood {
    let text = normalize::normalize(message);
    let text = pinyin::replace_pinyin(&text, &vocabulary.pinyin);
    let text = pinyin::correct_homophones(&text, &vocabulary.pinyin, |w| vocabulary.knows(w));
    let text = vocabulary.speller.correct_text(&text);
    let text = gloss::glossed(&text, |phrase| vocabulary.uses(phrase));
    let mut parts = parts(&segment::segments(&text));
    for part in &mut parts {
        part.question = region::with_place_named(&part.question, &text);
        part.question = intent::with_order_named(&part.question, &text);
        // The question before, when it is the context ("…ship it there? how long would it take").
        part.context = region::with_place_named(&part.context, &text);
    }
    Understood { text, parts }
}

/// The questions of a message with its context. A message that asks nothing in question form
/// ("tracking says delivered but nothing at my door") is one question: everything but its chatter.
fn parts(segments: &[Segment]) -> Vec<Part> {
    let mut context = String::new();
    for segment in segments.iter().filter(|s| s.role == Role::Context) {
        if context.chars().count() >= MAX_CONTEXT_CHARS {
            break;
        }
        if !context.is_empty() {
            context.push_str(segment::separator(&context));
        }
        context.extend(segment.text.chars().take(MAX_CONTEXT_CHARS));
    }
    let mut questions: Vec<Part> = Vec::new();
    // What the customer said since the last question ("…订单号2025111207781 到哪了": the
    // question is about that).
    let mut told: Vec<&str> = Vec::new();
    for segment in segments {
        match segment.role {
            Role::Chatter => continue,
            Role::Context => {
                told.push(&segment.text);
                continue;
            }
            Role::Question => {}
        }
        let full = questions.len() == MAX_PARTS;
        // A numbered question ("2.可以分期吗") is one of its own, however short.
        let alone = segment.listed || stands_alone(&segment.text);
        // "…, and how long do I have to report it?": a short question asking for a value of its
        // own is answered on its own, about what the question before it is about. Not a price:
        // "能单独买一个炸篮吗 多少钱" asks one thing.
        let asks_value =
            expect::expectation(&segment.text).is_some_and(|kind| kind != expect::Expectation::Amount);
        // "储蓄卡呢", "what about france?": the question before, asked about something else.
        let about_another = told.is_empty() && segment::asks_about_another(&segment.text);
        // "how long are e-gift cards valid, and whats the most I can put on one?": a question
        // naming its subject by a pronoun is answered on its own, about what the one before asks.
        let refers_back = alone && told.is_empty() && segment::refers_back(&segment.text);
        match questions.last_mut() {
            Some(last)
                if !full && ((!alone && told.is_empty() && asks_value) || about_another || refers_back) =>
            {
                let context = if last.context.is_empty() {
                    last.question.clone()
                } else {
                    format!("{}{}{}", last.question, segment::separator(&last.question), last.context)
                };
                questions.push(Part { question: segment.text.clone(), context });
            }
            Some(last) if full || (!alone && told.is_empty()) => {
                // A comma keeps the two questions apart ("Is it too late to add Care+ now, how much
                // would it be?"), as "，" does in Chinese: each is looked for in the answer.
                let separator = match segment::separator(&last.question) {
                    // "Care+" ends a word too.
                    " " if last.question.ends_with(|c: char| c.is_alphanumeric() || c == '+') => ", ",
                    separator => separator,
                };
                last.question.push_str(separator);
                last.question.push_str(&segment.text);
            }
            // "…one of the wheels wobbles. what now?": the question is about what was just told,
            // its context.
            _ if !alone && !told.is_empty() => {
                let told = told.join(segment::separator(told[0]));
                let context = if context.contains(&told) {
                    context.clone()
                } else {
                    format!("{told}{}{context}", segment::separator(&told))
                };
                questions.push(Part { question: segment.text.clone(), context });
            }
            _ => questions.push(Part { question: segment.text.clone(), context: context.clone() }),
        }
        told.clear();
    }
    if questions.is_empty() && !context.is_empty() {
        questions.push(Part { question: context, context: String::new() });
    }
    questions
}

/// Whether a question says what it is about: at least [`MIN_QUESTION_WORDS`] words that are not
/// only asking ("should I pay it?" has one: "pay").
pub fn stands_alone(question: &str) -> bool {
    analysis::words(question)
        .iter()
        .filter(|t| !ASKING_ONLY.contains(&question[t.start..t.end].to_lowercase().as_str()))
        .count()
        >= MIN_QUESTION_WORDS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocabulary() -> Vocabulary {
        let corpus =
            "退货 运费 空气炸锅 发票 保修 receive refund return delivery warranty customs blender Care+";
        let mut terms: Vec<(String, u32)> = Vec::new();
        for token in analysis::words(corpus) {
            if !terms.iter().any(|(t, _)| *t == token.term) {
                terms.push((token.term, 3));
            }
        }
        Vocabulary::new(&terms, ["receive", "refund", "delivery"].map(String::from))
    }

    #[test]
    fn what_the_help_center_never_names() {
        let vocabulary = vocabulary();
        assert!(vocabulary.never_names("a student discount"));
        assert!(vocabulary.never_names("企业团购价"), "团购 is a word no term contains");
        assert!(!vocabulary.never_names("a refund"));
        assert!(!vocabulary.never_names("运费"));
        // A piece of a known word, codes and short words are not things the help center lacks.
        assert!(!vocabulary.never_names("炸锅"));
        assert!(!vocabulary.never_names("5G"));
        assert!(!vocabulary.never_names("s7"));
        assert!(!vocabulary.never_names("to latvia"), "a place is named by its region");
    }

    #[test]
    fn a_short_value_question_joined_to_the_one_before_is_kept_apart_by_a_comma() {
        let understood = understand("Is it too late to add Care+, and how much would it be?", &vocabulary());
        assert_eq!(understood.parts.len(), 1, "{:?}", understood.parts);
        assert!(understood.parts[0].question.contains("Care+, "), "{:?}", understood.parts);
    }

    #[test]
    fn pinyin_reads_the_words_questions_are_worded_with() {
        // "you mei you" is 有没有, which no index holds (a stop word), not 没有 alone.
        assert_eq!(understand("tuihuo yunfei you mei you", &vocabulary()).text, "退货运费有没有");
        assert_eq!(understand("tuihuo zenme ban", &vocabulary()).text, "退货怎么办");
    }

    #[test]
    fn a_long_english_message_becomes_its_question_with_context() {
        let understood = understand(
            "Hi there!! I bought the Vortex Pro blender 45 days ago 😊 is it too late to add Care+??? thx",
            &vocabulary(),
        );
        assert_eq!(
            understood.parts,
            [Part {
                question: "is it too late to add Care+?".into(),
                context: "I bought the Vortex Pro blender 45 days ago".into(),
            }]
        );
        assert_eq!(
            understood.parts[0].query(),
            "is it too late to add Care+? I bought the Vortex Pro blender 45 days ago"
        );
    }

    #[test]
    fn multi_part_messages_give_one_part_per_question() {
        let understood =
            understand("when will i recieve my refudn? and do i pay customs on returns?", &vocabulary());
        let questions: Vec<&str> = understood.parts.iter().map(|p| p.question.as_str()).collect();
        assert_eq!(questions, ["when will i receive my refund?", "do i pay customs on returns?"]);
    }

    #[test]
    fn a_question_naming_its_subject_by_a_pronoun_is_read_with_the_one_before() {
        let understood = understand(
            "how long are your gift cards valid, and whats the most I can put on one?",
            &Vocabulary::default(),
        );
        let parts: Vec<(&str, &str)> =
            understood.parts.iter().map(|p| (p.question.as_str(), p.context.as_str())).collect();
        assert_eq!(
            parts,
            [
                ("how long are your gift cards valid", ""),
                ("what's the most I can (maximum) put on one?", "how long are your gift cards valid")
            ]
        );
        let understood =
            understand("do you ship to norway? is it possible to pay with paypal?", &Vocabulary::default());
        assert!(understood.parts.iter().all(|p| p.context.is_empty()), "{:?}", understood.parts);
    }

    #[test]
    fn chinese_with_pinyin_traditional_and_typos_is_read() {
        let understood = understand("親 在嗎～ 我想推货，kongqizhaguo的yunfei誰出？？", &vocabulary());
        let questions: Vec<&str> = understood.parts.iter().map(|p| p.question.as_str()).collect();
        assert_eq!(questions, ["空气炸锅的运费谁出？"]);
        assert_eq!(understood.parts[0].context, "我想退货");
    }

    #[test]
    fn questions_with_no_words_of_their_own_join_what_came_before() {
        let understood = understand("what does error E3 mean on the kettle? why?", &vocabulary());
        assert_eq!(understood.parts.len(), 1);
        assert_eq!(understood.parts[0].question, "what does error E3 mean on the kettle? why?");
        // A question about what was just told reads it as its context.
        let understood =
            understand("roamo arrived today, box crushed and a wheel wobbles 😭 what now??", &vocabulary());
        assert_eq!(
            understood.parts,
            [Part {
                question: "what now?".into(),
                context: "roamo arrived today box crushed and a wheel wobbles".into()
            }]
        );
        let understood = understand("我上周买的空气炸锅 用了两次就坏了 能退吗 另外运费谁出", &vocabulary());
        let read: Vec<(&str, &str)> =
            understood.parts.iter().map(|p| (p.question.as_str(), p.context.as_str())).collect();
        assert_eq!(
            read,
            [
                ("能退吗", "我上周买的空气炸锅，用了两次就坏了"),
                ("运费谁出", "我上周买的空气炸锅，用了两次就坏了")
            ]
        );
        // A short question asking for a value of its own is answered on its own, about the
        // question before it; one asking that thing's price is the same question.
        let understood = understand(
            "there's a dent in the side. do I have to send it back, and how long do I have to report it?",
            &vocabulary(),
        );
        let read: Vec<(&str, &str)> =
            understood.parts.iter().map(|p| (p.question.as_str(), p.context.as_str())).collect();
        assert_eq!(
            read,
            [
                // The help center of `vocabulary` says "return", never "send it back".
                ("do I have to return", "there's a dent in the side."),
                ("how long do I have to report it?", "do I have to return there's a dent in the side.")
            ]
        );
        // "X呢", "what about X": the question before asked about X.
        for (message, follow_up) in [
            ("退款退回信用卡一般要几天？储蓄卡呢", "储蓄卡呢"),
            ("how long does delivery to germany take? what about france?", "what about france?"),
        ] {
            let understood = understand(message, &vocabulary());
            assert_eq!(understood.parts.len(), 2, "{:?}", understood.parts);
            assert_eq!(understood.parts[1].question, follow_up);
            assert!(
                understood.parts[1].context.starts_with(&understood.parts[0].question),
                "{:?}",
                understood.parts
            );
        }
        // A numbered question is one of its own, however short.
        let understood = understand("1.旧吸尘器能参加以旧换新抵钱吗 2.可以分期吗", &vocabulary());
        assert_eq!(understood.parts.len(), 2, "{:?}", understood.parts);
        let understood = understand("能单独买一个炸篮吗 多少钱", &vocabulary());
        assert_eq!(understood.parts.len(), 1);
        // A question after more of the story is about that story, not the question before.
        let understood = understand("退货运费谁出？ 订单号2025111207781 到哪了", &vocabulary());
        let read: Vec<(&str, &str)> =
            understood.parts.iter().map(|p| (p.question.as_str(), p.context.as_str())).collect();
        assert_eq!(read, [("退货运费谁出？", "订单号2025111207781"), ("到哪了", "订单号2025111207781")]);
    }

    #[test]
    fn statements_are_questions_and_chatter_is_nothing() {
        let understood = understand("tracking says delivered but nothing at my door", &vocabulary());
        assert_eq!(understood.parts.len(), 1);
        assert_eq!(understood.parts[0].question, "tracking says delivered but nothing at my door");
        assert!(understand("thanks so much!! 🙏", &vocabulary()).only_chatter());
        assert!(understand("好的 谢谢啦", &vocabulary()).only_chatter());
        let closing = understand("thanks, that's all!", &vocabulary());
        assert!(closing.only_chatter() && closing.thanks());
        assert!(understand("好的 谢谢啦", &vocabulary()).thanks());
        assert!(!understand("hi there", &vocabulary()).thanks());
        assert!(!understand("thanks, my order never arrived", &vocabulary()).only_chatter());
    }
}
