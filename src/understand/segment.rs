//! A message as the parts a customer wrote it in: greetings and thanks (dropped), the context
//! they give (what they bought, when, what happened), and the questions they ask, each of which
//! kefu answers on its own. Rules in English and Chinese, no model. Pure functions.

use unicode_segmentation::UnicodeSegmentation;

/// What a piece of a message does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Greeting, thanks, politeness: nothing to answer or search for.
    Chatter,
    /// A question or request.
    Question,
    /// Anything else the customer tells: background for the questions.
    Context,
}

/// A piece of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// Its text.
    pub text: String,
    /// What it does.
    pub role: Role,
    /// It opened with a list number ("2. can I pay in instalments", "2、能分期吗").
    pub listed: bool,
}

/// English words that only greet, thank or fill.
const CHATTER_EN: &[&str] = &[
    "hi",
    "hello",
    "hey",
    "hiya",
    "there",
    "dear",
    "team",
    "support",
    "good",
    "morning",
    "afternoon",
    "evening",
    "thanks",
    "thank",
    "you",
    "so",
    "much",
    "very",
    "a",
    "lot",
    "in",
    "advance",
    "cheers",
    "regards",
    "kind",
    "best",
    "many",
    "please",
    "ok",
    "okay",
    "great",
    "appreciate",
    "appreciated",
    "it",
    "sorry",
    "to",
    "bother",
    "yo",
    "folks",
    "guys",
    "all",
    "again",
    "for",
    "your",
    "help",
    "the",
    "and",
    "bye",
    "quick",
    "question",
    "ta",
    "have",
    "nice",
    "day",
    "hope",
    "doing",
    "well",
    "are",
    "how",
    "i",
    "am",
    "fine",
    "sir",
    "madam",
    "customer",
    "service",
    "urgent",
    "asap",
    "thx",
    "ty",
    "x",
    "xx",
    "lol",
    "haha",
    "hmm",
    "um",
    "uh",
    "oh",
    "while",
    "i'm",
    "im",
    "at",
    "by",
    "way",
    "btw",
    "also",
    "one",
    "more",
    "thing",
    "things",
    "two",
    "questions",
    "q",
    "qs",
    "q's",
    // Closing a conversation: "thanks, that's all!", "perfect, got it", "all good".
    "that's",
    "thats",
    "perfect",
    "awesome",
    "brilliant",
    "lovely",
    "cool",
    "got",
    "nothing",
    "else",
    "good",
];

/// Chinese greetings, thanks and fillers (a piece made only of these is chatter).
const CHATTER_ZH: &[&str] = &[
    "你好",
    "您好",
    "在吗",
    "在不在",
    "在么",
    "亲亲",
    "亲",
    "哈喽",
    "嗨",
    "谢谢",
    "多谢",
    "感谢",
    "麻烦了",
    "麻烦",
    "辛苦了",
    "辛苦",
    "客服",
    "小姐姐",
    "小哥哥",
    "急急急",
    "急",
    "拜托",
    "拜托了",
    "早上好",
    "晚上好",
    "下午好",
    "哈哈",
    "呜呜",
    "嗯",
    "啊",
    "呀",
    "哦",
    "喂",
    "请问一下",
    "打扰了",
    "打扰一下",
    "有人吗",
    "人呢",
    "请问",
    "好的",
    "啦",
    "哈",
    "嘿",
    "哈喽啊",
    "好嘞",
    "收到",
    "好",
    "谢了",
    "谢啦",
    "谢谢啦",
    "谢谢你",
    "谢谢您",
    "么么哒",
    "求助",
    "救命",
];

/// English words that open a question.
const QUESTION_START_EN: &[&str] = &[
    "how", "what", "what's", "whats", "when", "where", "which", "who", "whom", "whose", "why", "can",
    "could", "do", "does", "did", "is", "are", "was", "were", "will", "would", "should", "shall", "may",
    "might", "have", "has", "any", "anyone", "am", "whats", "hows", "wheres", "whens",
];

/// English phrases that ask, wherever they are.
const ASKING_EN: &[&str] = &[
    "i want to know",
    "i'd like to know",
    "i would like to know",
    "i need to know",
    "wondering",
    "tell me",
    "let me know",
    "explain",
    "help me",
    "how to",
    "how do",
    "how long",
    "how much",
    "how many",
    "is there",
    "are there",
    "can i",
    "can you",
    "could i",
    "could you",
    "do i",
    "do you",
    "i want to",
    "i'd like to",
    "i need to",
    "want to return",
    "not sure",
    "what if",
    "any way",
    "possible to",
    "what do i do",
    "what should i do",
];

/// Chinese words and endings that ask.
const ASKING_ZH: &[&str] = &[
    "怎么",
    "怎样",
    "如何",
    "什么",
    "为什么",
    "为啥",
    "哪",
    "几天",
    "几个",
    "多少",
    "多久",
    "多长",
    "能不能",
    "可不可以",
    "是不是",
    "有没有",
    "会不会",
    "要不要",
    "是否",
    "咋",
    "啥",
    "请问",
    "想问",
    "想知道",
    "能否",
    "谁",
    "可以吗",
    "行吗",
    "行不行",
    "好不好",
    "求",
    "帮我",
    "帮忙",
    "怎么办",
    "该怎么",
    "有什么",
];

/// Chinese words that ask when nothing tells instead ("礼品卡过期了还能用", "能开专票"): a piece
/// that ends in a full stop or goes on with "but" tells ("旧吸尘器还能用但是太重了。").
const MODAL_ZH: &[&str] = &["能退", "能换", "可以退", "可以换", "能开", "可以开", "能用", "还能", "需要"];

/// Chinese phrases holding an asking word that ask nothing: times ("前几天", a few days ago) and
/// "not much" (没怎么).
const NOT_ASKING_ZH: &[&str] = &[
    "前几天",
    "这几天",
    "那几天",
    "过几天",
    "头几天",
    "后几天",
    "好几天",
    "没怎么",
    "不怎么",
    // "修回来没几天又不转了", "几个月前买的", "用了没几次就坏了": how soon, told.
    "没几天",
    "才几天",
    "几天前",
    "几个月前",
    "几周前",
    "没几次",
    "才几次",
    "没多久",
    "没多少天",
];

/// Chinese endings of a question.
const ENDINGS_ZH: &[char] = &['吗', '么', '呢', '不', '没', '嘛'];

/// English words that join two questions ("… to Ireland and do I pay customs?").
const JOINERS_EN: &[&str] = &["and", "also", "plus", "btw", "&"];

/// Chinese words that start another question.
const JOINERS_ZH: &[&str] =
    &["另外", "还有", "顺便问一下", "顺便问下", "顺便", "还想问", "再问一下", "以及", "对了"];

/// The pieces of `message` (already normalised), in order.
pub fn segments(message: &str) -> Vec<Segment> {
    let mut pieces = Vec::new();
    for sentence in sentences(message) {
        let sentence = sentence.as_str();
        let clauses = clauses(sentence);
        // The clauses after a list item's marker in its sentence are that item's ("1. found an
        // unopened pack from 2 yrs ago, still ok to use?").
        let mut in_item = false;
        for (n, clause) in clauses.iter().copied().enumerate() {
            // "有几个问题：1.… 2.…", "two questions: 1. … 2. …": what announces the list asks nothing.
            let announces = clause.trim_end().ends_with(':')
                && clauses.get(n + 1).is_some_and(|next| item_marker(next.trim_start()).is_some());
            if announces {
                continue;
            }
            // "two q's about the roamo mopping: …": the lead-in asks nothing; what it is about is
            // context.
            if let Some(topic) = announced_topic(clause) {
                if !topic.is_empty() {
                    pieces.push(Segment { text: topic.to_string(), role: Role::Context, listed: false });
                }
                continue;
            }
            // "Quick one — how much is…": the same before a dash, the question after it.
            let clause = match dash_lead_in(clause) {
                Some((topic, rest)) => {
                    if !topic.is_empty() {
                        pieces.push(Segment { text: topic.to_string(), role: Role::Context, listed: false });
                    }
                    rest
                }
                None => clause,
            };
            let after_comma = pieces_after_comma(sentence, clause);
            let clause = clause.trim().trim_matches([',', '，', '、', ';', '；', ':', '：']).trim();
            let marker = item_marker(clause);
            in_item |= marker.is_some();
            let clause = marker.map_or(clause, |marker| clause[marker..].trim_start());
            let text = without_joiner(clause);
            if text.is_empty() {
                continue;
            }
            // "what's the bluetooth range, like how many metres before it cuts out": the question
            // said again in other words belongs to it.
            if let Some(last) = pieces.last_mut().filter(|p: &&mut Segment| p.role == Role::Question)
                && after_comma
                && restates(text)
            {
                last.text.push_str(", ");
                last.text.push_str(text);
                continue;
            }
            // "without the app, just with the buttons?": a piece that only ends the question
            // before it belongs to it.
            if let Some(last) = pieces.last_mut().filter(|p: &&mut Segment| p.role == Role::Question)
                && after_comma
                && !last.text.ends_with(['?', '？'])
                && text.ends_with(['?', '？'])
                && !asks(text.trim_end_matches(['?', '？']))
                && !starts_with_question_word(text)
                && !is_chatter(text)
            {
                last.text.push_str(", ");
                last.text.push_str(text);
                continue;
            }
            let role = match role(without_opener(text)) {
                // "and if it isn't, do I lose my money?": a condition is told, its question follows,
                // unless it is in the same clause ("if i send an email on saturday when will
                // somebody answer me").
                Role::Context if opens_condition(text) && !asks_after_condition(text) => Role::Context,
                // "另外运费谁出", "also the blender": what follows a joiner is asked too, unless
                // a question follows it ("还有我2月11号签收了一个空气炸锅想退，最晚哪天之前要申请？").
                Role::Context
                    if text.len() < clause.len()
                        && !clauses.get(n + 1).is_some_and(|next| asks(next))
                        && !(n == 0 && goes_on_telling(text)) =>
                {
                    Role::Question
                }
                // "…, but have been running it every day": inside an English sentence only a
                // question mark or a question word starts a question.
                Role::Question
                    if after_comma
                        && !text.ends_with('?')
                        && !starts_with_question_word(text)
                        && !verb_before_subject(text)
                        && !question_word_inverted(text) =>
                {
                    Role::Context
                }
                role => role,
            };
            pieces.push(Segment { text: without_opener(text).to_string(), role, listed: in_item });
        }
    }
    merge_context(statements_before_questions(pieces))
}

/// `pieces` with each one that only a question mark makes a question ("the kitchen smells kinda
/// like hot plastic??", "I thought businesses got reverse charge?") told, not asked, when a
/// question follows it: it says what that question is about ("is it broken or is that normal").
fn statements_before_questions(mut pieces: Vec<Segment>) -> Vec<Segment> {
    for i in 0..pieces.len() {
        let piece = &pieces[i];
        let text = piece.text.trim_end();
        let bare = text.trim_end_matches(['?', '？', '!', '！']).trim_end();
        // English only: a Chinese question often has no word that asks ("还赔不赔？").
        let marked = text.trim_end_matches(['!', '！']).ends_with(['?', '？']);
        let only_marked = marked && !bare.chars().any(kefu_ingest::locale::is_han) && !asks_somewhere(bare);
        if piece.role == Role::Question
            && !piece.listed
            && only_marked
            && pieces[i + 1..].iter().any(|p| p.role == Role::Question)
        {
            pieces[i].role = Role::Context;
        }
    }
    pieces
}

/// Whether `text` asks the question before it again about something else: "储蓄卡呢", "那S5呢？",
/// "what about france?", "and for Canada?".
pub fn asks_about_another(text: &str) -> bool {
    let lower = text.to_lowercase();
    let trimmed = lower.trim_end_matches(|c: char| c.is_whitespace() || "?？!！。.~～".contains(c));
    if trimmed.chars().any(kefu_ingest::locale::is_han) {
        let asking = ["哪", "什么", "怎么", "多少", "几", "吗", "谁", "为啥"];
        return trimmed.ends_with('呢')
            && trimmed.chars().count() <= 10
            && !asking.iter().any(|w| trimmed.contains(w));
    }
    let rest = trimmed.strip_prefix("and ").unwrap_or(trimmed);
    let asked = |p: &&str| rest.strip_prefix(*p).is_some_and(|x| !starts_with_question_word(x));
    ["what about ", "how about ", "same for ", "for "].iter().any(asked) && rest.unicode_words().count() <= 5
}

/// Pronouns that stand for the thing asked about before when a question ends on them ("how do I
/// clean them"); "one" only after a preposition ("what's the most I can put on one?"): "buy a
/// new one" and "the steel one" name what they are about.
const BACK_REFERENCES_EN: &[&str] = &["it", "them", "those", "these"];
/// Chinese words opening a question about the two things asked about before ("两个差多少钱").
const BOTH_ZH: &[&str] = &["两个", "这两个", "两款", "这两款", "两者", "这俩", "俩", "两台", "这两台"];
/// Prepositions after which "one" stands for the thing asked about before.
const BEFORE_ONE_EN: &[&str] = &["on", "in", "onto", "into", "with", "for", "per", "from", "to"];

/// Whether question `text` is about what the question before it asked about, naming it only by a
/// pronoun it ends on: "whats the most I can put on one?" after "how long are e-gift cards
/// valid", "它能单独买吗". Not "one of the payments". A question opening on its pronoun ("does it
/// come in white", "would it cover us if…") is left as it is: read with the question before it,
/// it was answered from that question's page on the dev lines.
pub fn refers_back(text: &str) -> bool {
    let lower = text.to_lowercase();
    if lower.chars().any(kefu_ingest::locale::is_han) {
        return lower.contains('它') || BOTH_ZH.iter().any(|w| lower.starts_with(w));
    }
    let words: Vec<&str> = lower.unicode_words().collect();
    // "whats the price difference between the two?": the things asked about before, both.
    if words.contains(&"both") || lower.contains("the two") || lower.contains("between them") {
        return true;
    }
    match words.as_slice() {
        [.., before, "one"] => BEFORE_ONE_EN.contains(before),
        [.., last] => BACK_REFERENCES_EN.contains(last),
        [] => false,
    }
}

/// Whether some clause of English `text` asks, without its question mark: one asking by its
/// first words or phrases, a question word anywhere ("if i order on the 26th when will it be
/// sent"), a verb before its subject after a dash ("order NW-70031 - has it shipped yet").
fn asks_somewhere(text: &str) -> bool {
    let lower = text.to_lowercase();
    lower
        .unicode_words()
        .any(|w| ["how", "what", "when", "where", "which", "who", "why", "whether"].contains(&w))
        || lower.split([',', ';', '-', '–', '—']).map(str::trim).any(|clause| {
            asks(clause)
                || starts_with_question_word(clause)
                || verb_before_subject(clause)
                || (opens_condition(clause) && asks_after_condition(clause))
        })
}

/// Chinese words that open a question and ask nothing themselves ("问下：充满电能用多久").
const OPENERS_ZH: &[&str] = &[
    "我想问一下",
    "我想问下",
    "我想问问",
    "麻烦问一下",
    "麻烦问下",
    "想问一下",
    "想问下",
    "想问问",
    "请问一下",
    "请问下",
    "咨询一下",
    "咨询下",
    "请教一下",
    "请教下",
    "问一下",
    "请问",
    "问下",
];

/// English greetings that open a message in the same breath as its question ("heyy do you charge
/// for shipping…"), typed stretched or not ("heyyy", "hiii").
const GREETINGS_EN: &[&str] = &["hi", "hey", "hello", "hiya", "heya", "yo", "howdy"];

/// Words a greeting may go on with ("hi there", "hey guys").
const GREETED_EN: &[&str] = &["there", "guys", "all", "team", "folks", "everyone"];

/// A piece without the words that open its question ("问下：充满电能用多久？" → "充满电能用多久？",
/// "heyy do you charge…" → "do you charge…"), unless nothing else is left.
fn without_opener(piece: &str) -> &str {
    let rest = OPENERS_ZH
        .iter()
        .find_map(|opener| piece.strip_prefix(opener))
        .or_else(|| without_greeting(piece))
        .map(|rest| rest.trim_start_matches([':', '：', ',', '，', '~', '～', '!', '！', ' ']));
    rest.filter(|rest| !rest.is_empty()).unwrap_or(piece)
}

/// `piece` after an English greeting that opens it, if one does.
fn without_greeting(piece: &str) -> Option<&str> {
    let mut rest = piece;
    let mut greeted = false;
    loop {
        let word_end = rest.find(|c: char| !c.is_alphabetic()).unwrap_or(rest.len());
        let word = rest[..word_end].to_lowercase();
        let is_greeting = GREETINGS_EN.iter().any(|g| stretched(&word, g));
        let goes_on = greeted && GREETED_EN.contains(&word.as_str());
        if word.is_empty() || !(is_greeting && !greeted || goes_on) {
            break;
        }
        greeted = true;
        rest = rest[word_end..].trim_start_matches([',', '!', '~', ' ']);
    }
    greeted.then_some(rest)
}

/// Whether `word` is `base` with its last letter typed any number of times ("heyyy", "hiii").
fn stretched(word: &str, base: &str) -> bool {
    word.strip_prefix(base)
        .is_some_and(|more| base.chars().last().is_some_and(|l| more.chars().all(|c| c == l)))
}

/// The sentences of `message`, a list number kept with the item it opens ("问题:1." and
/// "旧机能换吗" are one sentence, not two).
fn sentences(message: &str) -> Vec<String> {
    let mut sentences: Vec<String> = Vec::new();
    for sentence in message.split_sentence_bounds() {
        match sentences.last_mut() {
            Some(last) if ends_with_item_number(last) => last.push_str(sentence),
            _ => sentences.push(sentence.to_string()),
        }
    }
    sentences
}

/// Whether `text` ends with a list number ("…问题:1.", "2.") rather than a sentence.
fn ends_with_item_number(text: &str) -> bool {
    let trimmed = text.trim_end();
    let Some(number) = trimmed.strip_suffix('.') else { return false };
    let Some(digit) = number.chars().next_back().filter(|c| matches!(c, '1'..='9')) else { return false };
    let before = &number[..number.len() - digit.len_utf8()];
    before.is_empty() || opens_item(before)
}

/// A sentence cut where the customer starts another question: before an English joiner followed
/// by a question word, at Chinese commas and spaces, and before Chinese joiners.
fn clauses(sentence: &str) -> Vec<&str> {
    let mut cuts = vec![0];
    let han = sentence.chars().any(kefu_ingest::locale::is_han);
    if han {
        // Chinese customers separate clauses with commas or spaces, and ask one thing per clause.
        for (i, c) in sentence.char_indices() {
            let next = sentence[i + c.len_utf8()..].chars().next();
            // "空气炸锅 的保修期": a particle never starts a clause.
            let particle_follows = next.is_some_and(|n| "的地得了吗呢吧啊么嘛".contains(n));
            // "AirTune T3": a space inside a Latin name is no clause's end.
            let latin = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
            let inside_name = latin(sentence[..i].chars().next_back()) && latin(next);
            if matches!(c, ',' | '，' | ';' | '；' | '\n') || (c == ' ' && !particle_follows && !inside_name)
            {
                cuts.push(i + c.len_utf8());
            }
        }
        for joiner in JOINERS_ZH {
            for (i, _) in sentence.match_indices(joiner) {
                // "要不要另外给搬运费": inside a clause 另外 is "besides", no new question.
                let opens = sentence[..i].chars().next_back().is_none_or(|c| {
                    !kefu_ingest::locale::is_han(c) || ENDINGS_ZH.contains(&c) || "吧啊呀".contains(c)
                });
                if opens && !tells_more(&sentence[i..]) {
                    cuts.push(i);
                }
            }
        }
    } else {
        let words: Vec<(usize, &str)> = sentence.unicode_word_indices().collect();
        for pair in words.windows(2) {
            let (at, joiner) = pair[0];
            if JOINERS_EN.contains(&joiner.to_lowercase().as_str()) && at > 0 && asks_next(&sentence[at..]) {
                cuts.push(at);
            }
        }
        let quoted = quoted_spans(sentence);
        for (i, c) in sentence.char_indices() {
            // "Would love to just say 'Alexa, start hoovering' from the sofa": no clause ends inside
            // a quotation.
            if quoted.iter().any(|span| span.contains(&i)) {
                continue;
            }
            let after = &sentence[i + c.len_utf8()..];
            let next_is_word =
                after.starts_with(' ') && after.trim_start().starts_with(|c: char| c.is_alphabetic());
            // Chat writes "got it yesterday. is it ok": a full stop before a lowercase word ends a
            // sentence too, unless it ends an abbreviation.
            let full_stop = matches!(c, '.' | '!') && next_is_word && !after_abbreviation(&sentence[..i]);
            if c == '\n' || (c == ',' && next_is_word) || full_stop {
                cuts.push(i + c.len_utf8());
            }
        }
    }
    // A lead-in announcing questions ends at its colon ("2 q's: how long…").
    if let Some(colon) = sentence.find([':', '：']) {
        let end = colon + sentence[colon..].chars().next().map_or(1, char::len_utf8);
        if announced_topic(&sentence[..end]).is_some() {
            cuts.push(end);
        }
    }
    // Inline numbered questions: "1. do you take amex 2. is there interest …", "1.旧机能换吗 2、能分期吗".
    for (i, _) in sentence.char_indices() {
        if i > 0 && item_marker(&sentence[i..]).is_some() && opens_item(&sentence[..i]) {
            cuts.push(i);
        }
    }
    cuts.sort_unstable();
    cuts.dedup();
    cuts.push(sentence.len());
    cuts.windows(2).map(|w| &sentence[w[0]..w[1]]).collect()
}

/// Byte ranges of the quotations in English `sentence`: from an opening quote (", “, or ' at
/// the start of a word) to its closing one; an apostrophe inside a word ("don't") is none.
fn quoted_spans(sentence: &str) -> Vec<std::ops::Range<usize>> {
    let mut spans = Vec::new();
    let mut open: Option<(usize, char)> = None;
    let mut before: Option<char> = None;
    for (i, c) in sentence.char_indices() {
        let after = sentence[i + c.len_utf8()..].chars().next();
        match open {
            None if matches!(c, '"' | '“') || (c == '\'' && before.is_none_or(|b| !b.is_alphanumeric())) => {
                open = Some((i, c));
            }
            Some((start, quote)) => {
                let closes = match quote {
                    '“' => c == '”',
                    '"' => c == '"',
                    _ => c == '\'' && after.is_none_or(|a| !a.is_alphanumeric()),
                };
                if closes {
                    spans.push(start..i);
                    open = None;
                }
            }
            None => {}
        }
        before = Some(c);
    }
    spans
}

/// The length in bytes of the list number `text` starts with ("1. ", "2)", "3、"; a circled ① is
/// a 1 once normalised), when what follows it is words: "1.5L" and "3.8 kg" are numbers.
fn item_marker(text: &str) -> Option<usize> {
    let mut chars = text.char_indices();
    let (_, digit) = chars.next()?;
    let (at, mark) = chars.next()?;
    if !matches!(digit, '1'..='9') || !matches!(mark, '.' | ')' | '、') {
        return None;
    }
    let rest = &text[at + mark.len_utf8()..];
    let words = rest.trim_start();
    let spaced = words.len() < rest.len();
    let first = words.chars().next()?;
    // A Latin word after "2." needs a space ("2.so" is no list); Chinese needs none.
    (kefu_ingest::locale::is_han(first) || (spaced && first.is_alphabetic()))
        .then(|| text.len() - words.len())
}

/// Whether a list item can start after `before`: at a space or after punctuation or Chinese, not
/// inside a number or a word ("NW-AF550 2.0", "v1.2").
fn opens_item(before: &str) -> bool {
    before.chars().next_back().is_some_and(|c| {
        c.is_whitespace() || kefu_ingest::locale::is_han(c) || ":;,?!。？！，；、".contains(c)
    })
}

/// Whether what follows a joiner ("and do I pay customs", "and what about…") starts a question:
/// a question word, or a verb before its subject.
fn asks_next(from_joiner: &str) -> bool {
    let joiner = from_joiner.unicode_words().next().unwrap_or("");
    let rest = from_joiner[from_joiner.find(joiner).map_or(0, |at| at + joiner.len())..].trim_start();
    starts_with_question_word(rest) || verb_before_subject(rest)
}

/// Whether `text` opens with a verb before its subject ("will I get…", "can you…", "is it…").
fn verb_before_subject(text: &str) -> bool {
    let words: Vec<String> = text.unicode_words().take(2).map(str::to_lowercase).collect();
    let [first, second] = words.as_slice() else { return false };
    const SUBJECTS: &[&str] =
        &["i", "you", "it", "we", "they", "he", "she", "there", "this", "that", "my", "your"];
    QUESTION_START_EN.contains(&first.as_str()) && SUBJECTS.contains(&second.as_str())
}

/// Whether `clause` of an English `sentence` starts right after a comma, with more than a
/// greeting before it ("hi, can two people link the same robot…" starts its sentence).
fn pieces_after_comma(sentence: &str, clause: &str) -> bool {
    let han = sentence.chars().any(kefu_ingest::locale::is_han);
    let start = clause.as_ptr() as usize - sentence.as_ptr() as usize;
    let before = sentence[..start].trim_end();
    !han && before.ends_with(',') && !is_chatter(before.trim_end_matches(','))
}

/// What a lead-in announcing questions is about ("two q's about the roamo mopping:" → "the roamo
/// mopping", "2 questions:" → "", "有几个问题：" → ""), when `clause` is one: a colon after a
/// few words that count or call what follows questions.
fn announced_topic(clause: &str) -> Option<&str> {
    lead_in_topic(clause.trim().strip_suffix([':', '：'])?.trim_end())
}

/// What the words `lead` before a colon or a dash announce questions about, when they do
/// ([`announced_topic`]).
fn lead_in_topic(lead: &str) -> Option<&str> {
    if lead.chars().any(kefu_ingest::locale::is_han) {
        return (lead.contains("问题") && lead.chars().count() <= 8).then_some("");
    }
    let words: Vec<(usize, &str)> = lead.unicode_word_indices().collect();
    let calls = |w: &str| {
        ["q", "qs", "q's", "question", "questions", "qns", "qu", "things"]
            .contains(&w.to_lowercase().as_str())
    };
    let at = words.iter().take(4).position(|(_, w)| calls(w))?;
    let Some(&(about, word)) = words.get(at + 1) else {
        // "quick privacy q": the words naming it before the call are its topic.
        let named: Vec<&(usize, &str)> = words[..at]
            .iter()
            .filter(|(_, w)| {
                !CHATTER_EN.contains(&w.to_lowercase().as_str()) && !w.chars().all(|c| c.is_ascii_digit())
            })
            .collect();
        return Some(match (named.first(), named.last()) {
            (Some(&&(first, _)), Some(&&(last, word))) => &lead[first..last + word.len()],
            _ => "",
        });
    };
    ["about", "on", "re", "regarding", "for"]
        .contains(&word.to_lowercase().as_str())
        .then(|| lead[about + word.len()..].trim())
}

/// Fewest words before a dash that tell a story rather than name what the question is about.
const STORY_WORDS: usize = 5;

/// A clause opening with a lead-in and a spaced dash ("Quick one — how much is…", "quick
/// privacy q - where is my data stored"): what the lead-in announces questions about (may be
/// empty), and the rest of the clause.
fn dash_lead_in(clause: &str) -> Option<(&str, &str)> {
    let at =
        [" — ", " – ", " - "].iter().filter_map(|dash| clause.find(dash).map(|at| (at, dash.len()))).min()?;
    let (lead, rest) = (clause[..at.0].trim(), clause[at.0 + at.1..].trim());
    if lead.is_empty() || rest.is_empty() {
        return None;
    }
    // "Last time I got hit with a brokerage fee at the door — will I have to pay anything?": a
    // story before the dash is told, the question after it asked; not a name ("order NW-70031 -
    // has it shipped yet?" asks about it).
    let story = lead.unicode_words().count() >= STORY_WORDS;
    let told = || (story && !asks(lead) && asks(rest)).then_some(lead);
    let topic = if is_chatter(lead) { Some("") } else { lead_in_topic(lead).or_else(told) };
    topic.map(|topic| (topic, rest))
}

/// Whether `text` opens with words that restate what was just asked ("like", "i mean", "as in").
fn restates(text: &str) -> bool {
    let lower = text.to_lowercase();
    ["like ", "i mean ", "as in ", "i.e. ", "ie ", "so like ", "basically "]
        .iter()
        .any(|p| lower.starts_with(p))
}

/// Whether `text` opens with a condition ("if it isn't", "once it arrives", "in case").
fn opens_condition(text: &str) -> bool {
    let lower = text.to_lowercase();
    let first = lower.unicode_words().next().unwrap_or("");
    ["if", "unless", "once", "say", "suppose"].contains(&first) || lower.starts_with("in case")
}

/// Whether a clause opening with a condition goes on to ask: a question word after its first
/// word, or a question mark at its end ("if it breaks do I get a new one?").
fn asks_after_condition(text: &str) -> bool {
    let words: Vec<String> = text.unicode_words().map(str::to_lowercase).collect();
    // "…if the battery runs out halfway does it just give up": a verb before its subject, past
    // the condition's own first words ("if it does it again" asks nothing).
    let inverted = words.windows(3).enumerate().any(|(k, w)| {
        k >= 3 && QUESTION_START_EN.contains(&w[0].as_str()) && ASKED_SUBJECTS_EN.contains(&w[1].as_str())
    });
    text.trim_end().ends_with('?')
        || inverted
        || words
            .iter()
            .skip(1)
            .any(|w| ["how", "what", "when", "where", "which", "who", "why"].contains(&w.as_str()))
}

/// Subjects a verb before which asks after a condition ("…does it just give up"); not "there"
/// ("if it is there") nor "this" or "that".
const ASKED_SUBJECTS_EN: &[&str] = &["i", "you", "it", "we", "they", "he", "she"];

/// Whether a question word comes before a verb and its subject anywhere in `text` ("…, until
/// when can he return it", "and by when do I need to send it"): the word order of a question.
fn question_word_inverted(text: &str) -> bool {
    const WORDS: &[&str] = &["how", "what", "when", "where", "which", "who", "why", "long", "much", "many"];
    const VERBS: &[&str] = &[
        "can", "could", "do", "does", "did", "is", "are", "will", "would", "should", "shall", "may", "must",
    ];
    const SUBJECTS: &[&str] =
        &["i", "you", "it", "we", "they", "he", "she", "my", "your", "his", "her", "our"];
    let words: Vec<String> = text.unicode_words().map(str::to_lowercase).collect();
    words.windows(3).any(|w| {
        WORDS.contains(&w[0].as_str()) && VERBS.contains(&w[1].as_str()) && SUBJECTS.contains(&w[2].as_str())
    })
}

/// Whether `text` opens with how, what, when, where, which, who or why.
fn starts_with_question_word(text: &str) -> bool {
    let first = text.unicode_words().next().unwrap_or("").to_lowercase();
    ["how", "what", "what's", "whats", "when", "where", "which", "who", "why"].contains(&first.as_str())
}

/// A piece without the word that joined it to the one before ("and do I pay customs" → "do I pay
/// customs", "另外运费谁出" → "运费谁出").
fn without_joiner(piece: &str) -> &str {
    if tells_more(piece) {
        return piece;
    }
    for joiner in JOINERS_ZH {
        if let Some(rest) = piece.strip_prefix(joiner) {
            return rest.trim_start_matches([',', '，']).trim();
        }
    }
    let first = piece.split_whitespace().next().unwrap_or("");
    if JOINERS_EN.contains(&first.to_lowercase().as_str()) && piece.len() > first.len() {
        return piece[first.len()..].trim();
    }
    piece
}

/// Whether English `text` (after its joiner) goes on with the story: a sentence opening "and now
/// the left one crackles and keeps cutting out", "and then it stopped" tells what happened, where
/// "and the blender?" asks about another thing. (Inside a sentence, what a joiner adds was read
/// as asked on the dev lines: "…, and I've knocked on both neighbours' doors.")
fn goes_on_telling(text: &str) -> bool {
    const STORY_OPENERS: &[&str] = &[
        "now",
        "then",
        "it",
        "it's",
        "its",
        "i",
        "i'm",
        "im",
        "i've",
        "we",
        "we've",
        "they",
        "he",
        "she",
        "my",
        "our",
        "today",
        "yesterday",
        "after",
        "since",
        "suddenly",
    ];
    let first = text.unicode_words().next().unwrap_or("").to_lowercase();
    STORY_OPENERS.contains(&first.as_str())
}

/// Whether `text` opens with 还有 telling that there is more of something ("还有个5.5L的",
/// "还有一点没用完"), not joining another question.
fn tells_more(text: &str) -> bool {
    text.strip_prefix("还有").is_some_and(|rest| rest.starts_with(['个', '一', '两', '几', '点', '些']))
}

/// Whether `before` ends with an abbreviation or an initial ("e.g", "Mr", "J").
fn after_abbreviation(before: &str) -> bool {
    // "(incl. the maps)": the word, not the bracket before it.
    let word = before.rsplit(|c: char| c.is_whitespace()).next().unwrap_or("");
    let word = word.trim_start_matches(|c: char| !c.is_alphanumeric()).to_lowercase();
    word.chars().count() == 1
        || word.contains('.')
        || ["eg", "ie", "etc", "vs", "mr", "mrs", "ms", "dr", "no", "approx", "incl"].contains(&word.as_str())
}

/// What a piece does.
fn role(text: &str) -> Role {
    if is_chatter(text) {
        Role::Chatter
    } else if asks(text) {
        Role::Question
    } else {
        Role::Context
    }
}

/// Only greetings, thanks and fillers.
pub fn is_chatter(text: &str) -> bool {
    let mut rest = text.to_lowercase();
    let mut phrases = CHATTER_ZH.to_vec();
    phrases.sort_by_key(|p| std::cmp::Reverse(p.len()));
    for phrase in phrases {
        rest = rest.replace(phrase, " ");
    }
    rest.unicode_words().all(|w| CHATTER_EN.contains(&w))
}

/// Whether a piece asks something.
pub fn asks(text: &str) -> bool {
    let trimmed = text.trim_end_matches(|c: char| c.is_whitespace() || matches!(c, '.' | '。' | '!' | '！'));
    if trimmed.ends_with(['?', '？']) {
        return true;
    }
    if trimmed.chars().any(kefu_ingest::locale::is_han) {
        // "前几天刚换了手机号", "没怎么买东西": a time past and "not much" ask nothing.
        let mut trimmed = trimmed.to_string();
        for told in NOT_ASKING_ZH {
            trimmed = trimmed.replace(told, "");
        }
        let trimmed = trimmed.as_str();
        let tells = text.trim_end().ends_with(['。', '.'])
            || ["但", "不过", "可是"].iter().any(|w| trimmed.contains(w));
        return trimmed.ends_with(ENDINGS_ZH)
            || ASKING_ZH.iter().any(|w| trimmed.contains(w))
            || (!tells && MODAL_ZH.iter().any(|w| trimmed.contains(w)));
    }
    let lower = trimmed.to_lowercase();
    let first = lower.unicode_words().next().unwrap_or("");
    // "Would love to just say 'Alexa, start hoovering'": a wish, unless it is to know something.
    let wish =
        ["would love", "would like", "would be nice", "would be great"].iter().any(|w| lower.starts_with(w))
            && !["know", "ask", "check", "find out", "if ", "whether"].iter().any(|w| lower.contains(w));
    (QUESTION_START_EN.contains(&first) && !wish)
        || ASKING_EN.iter().any(|phrase| contains_phrase(&lower, phrase))
        || question_word_inverted(&lower)
}

/// `phrase` in `text` as whole words.
fn contains_phrase(text: &str, phrase: &str) -> bool {
    text.match_indices(phrase).any(|(i, _)| {
        let before = text[..i].chars().last().is_none_or(|c| !c.is_alphanumeric());
        let after = text[i + phrase.len()..].chars().next().is_none_or(|c| !c.is_alphanumeric());
        before && after
    })
}

/// Neighbouring context pieces joined into one (they are one story); a question that asks nothing
/// on its own ("why?", "怎么办") keeps the context as its text.
fn merge_context(pieces: Vec<Segment>) -> Vec<Segment> {
    let mut merged: Vec<Segment> = Vec::new();
    for piece in pieces {
        match merged.last_mut() {
            Some(last) if last.role == Role::Context && piece.role == Role::Context => {
                last.text.push_str(separator(&last.text));
                last.text.push_str(&piece.text);
            }
            _ => merged.push(piece),
        }
    }
    merged
}

/// What goes between two joined pieces: nothing after Chinese, a space otherwise.
pub fn separator(before: &str) -> &'static str {
    match before.chars().last() {
        Some(c) if kefu_ingest::locale::is_cjk(c) || "。！？；：，".contains(c) => "，",
        _ => " ",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roles(message: &str) -> Vec<(Role, String)> {
        segments(message).into_iter().map(|s| (s.role, s.text)).collect()
    }

    #[test]
    fn an_abbreviation_in_brackets_ends_no_sentence() {
        let roles =
            roles("where is my data (incl. the maps of my flat) actually stored, and how do I get a copy?");
        assert_eq!(roles.len(), 2, "{roles:?}");
        assert_eq!(
            roles[0],
            (Role::Question, "where is my data (incl. the maps of my flat) actually stored".into())
        );
    }

    #[test]
    fn a_question_may_name_what_the_one_before_asks_about_by_a_pronoun() {
        for back in [
            "whats the most I can put on one?",
            "how do I clean them",
            "它能单独买吗",
            "两个差多少钱",
            "whats the price difference between the two",
        ] {
            assert!(refers_back(back), "{back}");
        }
        for own in [
            "does it come in white?",
            "what happens if i miss one of the payments",
            "do you ship to norway?",
            "or do I have to buy a new one?",
            "能单独买吗",
        ] {
            assert!(!refers_back(own), "{own}");
        }
    }

    #[test]
    fn greetings_context_and_questions_are_told_apart_in_english() {
        let parts = roles(
            "Hi there! I bought the Vortex Pro blender 45 days ago and it's been great. \
             Is it too late to add Care+? Thanks so much",
        );
        assert_eq!(
            parts,
            [
                (Role::Chatter, "Hi there!".into()),
                (Role::Context, "I bought the Vortex Pro blender 45 days ago and it's been great.".into()),
                (Role::Question, "Is it too late to add Care+?".into()),
                (Role::Chatter, "Thanks so much".into()),
            ]
        );
    }

    #[test]
    fn a_question_said_again_in_other_words_stays_one_question() {
        let parts =
            roles("what's the bluetooth range on the airtune t3s, like how many metres before it cuts out");
        assert_eq!(
            parts,
            [(
                Role::Question,
                "what's the bluetooth range on the airtune t3s, like how many metres before it cuts out"
                    .into()
            )]
        );
    }

    #[test]
    fn two_questions_in_one_sentence_are_split() {
        let parts = roles("how long does delivery to ireland take and do i have to pay customs");
        assert_eq!(
            parts,
            [
                (Role::Question, "how long does delivery to ireland take".into()),
                (Role::Question, "do i have to pay customs".into()),
            ]
        );
        // "and" that joins words or statements, not questions, does not split.
        assert_eq!(roles("can I return opened earbuds and cables?").len(), 1);
        assert_eq!(roles("we got it a week ago and have been running it every day").len(), 1);
    }

    #[test]
    fn conditions_endings_and_fillers_are_not_questions() {
        // A condition cut off by a joiner is told; the question after it asks.
        assert_eq!(
            roles("can I charge it wirelessly? and if I forget to charge it, how long does 10 minutes last?"),
            [
                (Role::Question, "can I charge it wirelessly?".into()),
                (Role::Context, "if I forget to charge it".into()),
                (Role::Question, "how long does 10 minutes last?".into()),
            ]
        );
        // What only ends the question before it belongs to it.
        assert_eq!(
            roles("Will it still work without the app, just with the buttons?"),
            [(Role::Question, "Will it still work without the app, just with the buttons?".into())]
        );
        assert_eq!(roles("does it fit, or do I need the kit?").len(), 2);
        // After a greeting and its comma, a question starts its sentence.
        assert_eq!(
            roles("hi, can two people link the same roamo s7 in the app, me and my husband?"),
            [
                (Role::Chatter, "hi".into()),
                (
                    Role::Question,
                    "can two people link the same roamo s7 in the app, me and my husband?".into()
                )
            ]
        );
        // A condition that asks in the same clause is a question.
        assert_eq!(
            roles(
                "can i write to you in spanish? and if i send an email on saturday when will somebody answer me"
            ),
            [
                (Role::Question, "can i write to you in spanish?".into()),
                (Role::Question, "if i send an email on saturday when will somebody answer me".into()),
            ]
        );
        // So does one whose verb comes before its subject after the condition.
        assert_eq!(
            roles(
                "if the mop is attached will it drag the wet pads over it?? and if the battery runs out halfway \
                 through the house does it just give up"
            ),
            [
                (Role::Question, "if the mop is attached will it drag the wet pads over it??".into()),
                (
                    Role::Question,
                    "if the battery runs out halfway through the house does it just give up".into()
                ),
            ]
        );
        assert_eq!(
            roles("and if it does it again, can I return it?")[0],
            (Role::Context, "if it does it again".into())
        );
        assert_eq!(roles("and while I'm at it, how many addresses can I save?")[0].0, Role::Chatter);
        // A question word before its verb and subject asks, wherever it stands.
        let parts = roles(
            "whats the last day to order so it gets there before christmas? and if it arrives like dec 12 and \
             my dad doesnt like it, until when can he return it",
        );
        assert_eq!(parts.last(), Some(&(Role::Question, "until when can he return it".into())), "{parts:?}");
        assert_eq!(
            roles("we were away when it was delivered, so the box sat outside"),
            [(Role::Context, "we were away when it was delivered so the box sat outside".into())]
        );
    }

    #[test]
    fn chinese_clauses_are_read_one_by_one() {
        let parts = roles("亲 在吗 我上周买的空气炸锅 用了两次就坏了 能退吗 另外运费谁出");
        assert_eq!(
            parts,
            [
                (Role::Chatter, "亲".into()),
                (Role::Chatter, "在吗".into()),
                (Role::Context, "我上周买的空气炸锅，用了两次就坏了".into()),
                (Role::Question, "能退吗".into()),
                (Role::Question, "运费谁出".into()),
            ]
        );
        // A semicolon ends a clause; "还能用" asks, unless the piece goes on with "but" or ends
        // with a full stop.
        assert_eq!(
            roles("我是安卓;支持LDAC吗;APP里能自己调EQ吗"),
            [
                (Role::Context, "我是安卓".into()),
                (Role::Question, "支持LDAC吗".into()),
                (Role::Question, "APP里能自己调EQ吗".into()),
            ]
        );
        assert_eq!(roles("家里那台旧吸尘器还能用但是太重了。")[0].0, Role::Context);
        assert_eq!(roles("礼品卡过期了还能用")[0].0, Role::Question);
        // "还有个…" tells that there is another; what opens a question asks nothing itself.
        assert_eq!(
            roles("看到有个9L双篮的 还有个5.5L的 两个差多少钱"),
            [
                (Role::Context, "看到有个9L双篮的，还有个5.5L的".into()),
                (Role::Question, "两个差多少钱".into()),
            ]
        );
        let parts = roles("想入AirTune T3，问下：充满电能用多久？请问能戴着游泳吗");
        assert_eq!(
            parts,
            [
                (Role::Context, "想入AirTune T3".into()),
                (Role::Question, "充满电能用多久？".into()),
                (Role::Question, "能戴着游泳吗".into()),
            ]
        );
        // A greeting in the same breath as the question, stretched or not.
        assert_eq!(
            roles("heyy do you charge for shipping to the netherlands if i spend like 45 euro"),
            [(
                Role::Question,
                "do you charge for shipping to the netherlands if i spend like 45 euro".into()
            )]
        );
        assert_eq!(
            roles("Hey there is the kettle BPA free?"),
            [(Role::Question, "is the kettle BPA free?".into())]
        );
        assert_eq!(
            roles("hiii guys what's your returns address?"),
            [(Role::Question, "what's your returns address?".into())]
        );
        assert_eq!(
            roles("his kettle broke, can he return it?")[0].1,
            "his kettle broke",
            "no greeting in \"his\""
        );
    }

    #[test]
    fn a_lead_in_announcing_questions_asks_nothing() {
        assert_eq!(
            roles("2 q's: how long are e-gift cards valid, and what's the most I can put on one?"),
            [
                (Role::Question, "how long are e-gift cards valid".into()),
                (Role::Question, "what's the most I can put on one?".into())
            ]
        );
        assert_eq!(
            roles("two q's about the roamo mopping: can I make it use less water?"),
            [
                (Role::Context, "the roamo mopping".into()),
                (Role::Question, "can I make it use less water?".into())
            ]
        );
        assert_eq!(roles("有两个问题：能开专票吗"), [(Role::Question, "能开专票吗".into())]);
        // A list item's question after its story is asked, not told, though only its question
        // mark asks.
        assert_eq!(
            roles(
                "quick q's about the sachets: 1. found a pack from 2 yrs ago, still ok to use? 2. can i use one in a blender?"
            ),
            [
                (Role::Context, "the sachets found a pack from 2 yrs ago".into()),
                (Role::Question, "still ok to use?".into()),
                (Role::Question, "can i use one in a blender?".into())
            ]
        );
        assert_eq!(
            roles("2 things about the CrispAir: does it beep halfway?"),
            [(Role::Context, "the CrispAir".into()), (Role::Question, "does it beep halfway?".into())]
        );
        assert_eq!(roles("note: my order is late, what now?").len(), 2, "no questions announced");
        // A statement a question mark follows, before a question, tells what it is about.
        assert_eq!(
            roles("the kitchen smells kinda like hot plastic?? is it broken or is that normal"),
            [
                (Role::Context, "the kitchen smells kinda like hot plastic??".into()),
                (Role::Question, "is it broken or is that normal".into())
            ]
        );
        for asked in [
            "if i order on the 26th when will it be sent out? and does it come in white",
            "order NW-70031 - has it shipped yet? and how long does delivery take",
        ] {
            assert!(roles(asked).iter().all(|(role, _)| *role == Role::Question), "{asked}");
        }
        assert_eq!(roles("还赔不赔？来回运费白花了？")[0].0, Role::Question, "Chinese asks without a word");
        assert_eq!(
            roles("I got hit with a brokerage fee at the door last time — will I have to pay anything?"),
            [
                (Role::Context, "I got hit with a brokerage fee at the door last time".into()),
                (Role::Question, "will I have to pay anything?".into())
            ]
        );
        // A wish with a quotation in it is one piece, and told.
        assert_eq!(
            roles(
                "Does the Roamo S5 work with Alexa? Would love to just say 'Alexa, start hoovering' from the sofa"
            ),
            [
                (Role::Question, "Does the Roamo S5 work with Alexa?".into()),
                (Role::Context, "Would love to just say 'Alexa, start hoovering' from the sofa".into())
            ]
        );
        assert_eq!(roles("would like to know if you ship to norway")[0].0, Role::Question);
        assert_eq!(quoted_spans("don't say \"hi, there\" or 'yo, mate' ok").len(), 2);
        // The same before a spaced dash; what the call is about may come before it.
        assert_eq!(
            roles("Quick one — how much is next day delivery to Manchester?"),
            [(Role::Question, "how much is next day delivery to Manchester?".into())]
        );
        assert_eq!(
            roles("quick privacy q - where is my account data stored?"),
            [(Role::Context, "privacy".into()), (Role::Question, "where is my account data stored?".into())]
        );
        assert_eq!(
            roles("My neighbour – she bought it from you – says it's fine. Can I claim?").len(),
            2,
            "a dash inside a sentence is no lead-in"
        );
    }

    #[test]
    fn chinese_pieces_are_told_from_questions() {
        // A space inside a Latin name ends no clause.
        assert_eq!(
            roles("请问AirTune T3耳机拆封试戴了一下觉得不合适,可以七天无理由退货吗?"),
            [
                (Role::Context, "AirTune T3耳机拆封试戴了一下觉得不合适".into()),
                (Role::Question, "可以七天无理由退货吗?".into())
            ]
        );
        // 另外 inside a clause is "besides".
        assert_eq!(roles("要不要另外给搬运费"), [(Role::Question, "要不要另外给搬运费".into())]);
        assert_eq!(roles("能退吗另外运费谁出").len(), 2);
        // Times past and "not much" ask nothing.
        assert_eq!(roles("前几天刚换了绑定的手机号")[0].0, Role::Context);
        assert_eq!(roles("今年就没怎么买东西了")[0].0, Role::Context);
        assert_eq!(roles("修回来没几天有不转了。")[0].0, Role::Context);
        assert_eq!(roles("and now the left one crackles and keeps cutting out.")[0].0, Role::Context);
        assert_eq!(roles("几天能到")[0].0, Role::Question);
        // What follows a joiner is told when a question follows it.
        let parts = roles("还有我2月11号签收了一个空气炸锅想退,最晚哪天之前要申请?");
        assert_eq!(parts[0].0, Role::Context, "{parts:?}");
        assert_eq!(parts[1], (Role::Question, "最晚哪天之前要申请?".into()));
    }

    #[test]
    fn a_verb_before_its_subject_after_a_comma_asks() {
        let parts = roles("and I sent one item back, will I get a corrected invoice");
        assert_eq!(parts.last(), Some(&(Role::Question, "will I get a corrected invoice".into())));
        let parts = roles("I've been running it every day, but it is loud");
        assert!(parts.iter().all(|(r, _)| *r == Role::Context), "{parts:?}");
    }

    #[test]
    fn lowercase_after_a_full_stop_starts_a_sentence() {
        let parts = roles("my kettle shows E3. what does it mean? is it broken e.g. the heater");
        assert_eq!(
            parts,
            [
                (Role::Context, "my kettle shows E3.".into()),
                (Role::Question, "what does it mean?".into()),
                (Role::Question, "is it broken e.g. the heater".into()),
            ]
        );
    }

    #[test]
    fn inline_numbered_questions_are_split() {
        let parts = roles(
            "1. do you take amex 2. is there interest on pay in 3 3. when does the money leave my account",
        );
        assert_eq!(
            parts,
            [
                (Role::Question, "do you take amex".into()),
                (Role::Question, "is there interest on pay in 3".into()),
                (Role::Question, "when does the money leave my account".into()),
            ]
        );
        assert_eq!(roles("it costs 3. 5 euros more").len(), 1, "a number ending a sentence is not an item");
        // Chinese lists, without spaces, announced by a lead-in that asks nothing itself.
        let parts = roles(
            "有几个问题:1.旧吸尘器能参加以旧换新抵钱吗 2.可以分期吗,一次拿两千有点肉疼 3.我爸妈住乌鲁木齐,直接寄过去要几天能到",
        );
        let questions: Vec<&str> =
            parts.iter().filter(|(r, _)| *r == Role::Question).map(|(_, t)| t.as_str()).collect();
        assert_eq!(questions, ["旧吸尘器能参加以旧换新抵钱吗", "可以分期吗", "直接寄过去要几天能到"]);
        assert!(parts.iter().all(|(_, t)| !t.contains("几个问题")), "{parts:?}");
        let listed: Vec<bool> =
            segments("两个问题:1、能开专票吗 2、包邮吗").iter().map(|s| s.listed).collect();
        assert_eq!(listed, [true, true]);
        assert!(!segments("能开专票吗")[0].listed);
        assert_eq!(
            roles("两个问题:1、能开专票吗 2、包邮吗"),
            [(Role::Question, "能开专票吗".into()), (Role::Question, "包邮吗".into())]
        );
        assert_eq!(
            roles("two questions: 1. do you ship to malta 2. how long does it take"),
            [
                (Role::Question, "do you ship to malta".into()),
                (Role::Question, "how long does it take".into())
            ]
        );
        // Numbers are not items.
        for message in
            ["破壁机的1.5L杯子能单买吗", "是不是2.0版本的", "门槛2.5cm能过吗", "does the 2.0 dock fit an S7?"]
        {
            assert_eq!(roles(message).len(), 1, "{message}");
        }
    }

    #[test]
    fn statements_without_a_question_are_context() {
        assert!(!asks("tracking says delivered but nothing at my door"));
        assert!(!asks("my roamo keeps stopping"), "a statement; a message of statements is one question");
        assert!(asks("发票怎么开"));
        assert!(asks("能开专票不"));
        assert!(!asks("我上周买的"));
        assert!(is_chatter("谢谢啦~"));
        assert!(is_chatter("Thanks in advance, cheers"));
        assert!(!is_chatter("thanks, where is the serial number"));
    }
}
