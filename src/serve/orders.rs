//! A shopper's question about their own order, answered from the shop's order system when
//! `[orders]` is configured (docs/orders.md): kefu asks for proof that the order is theirs,
//! checks it against the order, and only then tells where it stands, citing the order system
//! with the time of the lookup. Wrong proofs are counted per order and lock it for a while;
//! an unknown order is told like a wrong proof. The system down, an order locked, or a status
//! kefu cannot explain: a person takes over, with the order number in the conversation.

use crate::Result;
use crate::answer::{Answer, Citation, Generator, HandoffReason, Question, citations, messages};
use crate::insights::calendar;
use crate::orders::connector::{Connector, Lookup};
use crate::orders::mapping::same_number;
use crate::orders::verify::{self, Proof};
use crate::orders::{OrderView, reply};
use crate::store::OrderCheck;
use crate::{privacy, understand};

use super::AppState;

/// The id the order system is cited under.
pub const SOURCE_ID: &str = "order-system";
/// Longest message read as a proof alone, after kefu asked for one.
const MAX_PROOF_REPLY_CHARS: usize = 80;

/// What kefu says to a message about the shopper's order, and the order the conversation
/// checks from now on (saved once the turn is recorded: a new conversation has no row before).
#[derive(Debug)]
pub struct OrderReply {
    /// The answer.
    pub answer: Answer,
    /// The conversation's order check after this turn.
    pub check: OrderCheck,
    /// The phone digits given as proof: the stored message has a placeholder in their place.
    pub proof_digits: Option<String>,
}

/// A message that may be about the shopper's order. (No `Debug`: it holds the raw message.)
#[derive(Clone, Copy)]
pub struct Asking<'a> {
    /// Its conversation.
    pub conversation_id: &'a str,
    /// The conversation existed before this message.
    pub continues: bool,
    /// The message, redacted.
    pub question: &'a Question,
    /// The message before redaction, read for the proof only: neither stored nor logged.
    pub raw: &'a str,
    /// The customer the shop signed into the session.
    pub customer: Option<&'a str>,
}

/// kefu's answer when the message is about the shopper's own order (or the proof kefu asked
/// for), `None` when it is for the help center.
pub async fn answer(
    state: &AppState,
    connector: &Connector,
    asking: Asking<'_>,
) -> Result<Option<OrderReply>> {
    let Asking { conversation_id, continues, question, raw, customer } = asking;
    // Read as the answerer reads it (pinyin, traditional characters, full-width digits), and
    // routed as it routes: "tuikuan dao na le? dingdan weihao 7731" is about order 7731.
    let asked = {
        let (retriever, text) = (state.retriever(), privacy::without_placeholders(&question.text));
        crate::error::blocking(move || {
            Ok(understand::understand(&text, &*retriever.vocabulary()?).order_asked())
        })
        .await?
    };
    // Most messages name no order and hold no proof: no store query for them.
    if asked.is_none() && (!continues || verify::proof_in(raw, "").is_none()) {
        return Ok(None);
    }
    let language = messages::language_of(&question.text, question.locale.as_deref());
    let check = if continues { state.store.order_check(conversation_id).await? } else { None };
    let (order_no, verified) = match (asked, check) {
        (Some(asked), Some(check)) if same_number(&asked, &check.order_no) => {
            (check.order_no, check.verified)
        }
        (Some(asked), _) => (asked, false),
        // A short reply with a proof for the order kefu asked about (a longer message with a
        // number in it is about something else).
        (None, Some(check))
            if !check.verified
                && raw.chars().count() <= MAX_PROOF_REPLY_CHARS
                && verify::proof_in(raw, &check.order_no).is_some() =>
        {
            (check.order_no, false)
        }
        (None, _) => return Ok(None),
    };
    let config = &state.config.orders;
    let window_ms = i64::from(config.lockout_minutes) * 60_000;
    let pending = OrderCheck { order_no: order_no.clone(), verified: false };
    let reply = |answer: Answer, check: &OrderCheck| {
        Some(OrderReply { answer, check: check.clone(), proof_digits: None })
    };
    if verified {
        let check = OrderCheck { order_no: order_no.clone(), verified: true };
        let answer = match connector.lookup(&order_no).await {
            Lookup::Found(view) => told(state, &view, language).await?,
            Lookup::NotFound => handed_over(reply::unexplained(language, &order_no), language),
            Lookup::Unavailable(why) => unavailable(&order_no, &why, language),
        };
        return Ok(reply(answer, &check));
    }
    // The customer the shop vouched for owns it: no other proof, and no lock (others' wrong
    // guesses must not lock an owner out).
    let mut looked_up = None;
    if customer.is_some() {
        let lookup = connector.lookup(&order_no).await;
        match &lookup {
            Lookup::Found(view) if verify::owned_by(customer, &view.owner) => {
                let check = OrderCheck { order_no: order_no.clone(), verified: true };
                return Ok(reply(told(state, view, language).await?, &check));
            }
            Lookup::Unavailable(why) => return Ok(reply(unavailable(&order_no, why, language), &pending)),
            _ => looked_up = Some(lookup),
        }
    }
    let locked = || reply(handed_over(reply::locked(language, &order_no), language), &pending);
    if state.store.order_failures(&order_no, window_ms).await? >= config.max_attempts {
        return Ok(locked());
    }
    let Some(proof) = verify::proof_in(raw, &order_no) else {
        return Ok(reply(Answer::message(reply::ask_proof(language, &order_no), language, None), &pending));
    };
    let proof_digits = match &proof {
        Proof::PhoneLast4(digits) => Some(digits.clone()),
        Proof::Email(_) => None,
    };
    // Counted before it is checked, so that attempts sent at once are each counted.
    let attempt = state.store.record_order_failure(&order_no, window_ms).await?;
    if attempt > config.max_attempts {
        return Ok(locked());
    }
    let lookup = match looked_up {
        Some(lookup) => lookup,
        None => connector.lookup(&order_no).await,
    };
    let (answer, check) = match lookup {
        Lookup::Unavailable(why) => (unavailable(&order_no, &why, language), pending),
        Lookup::Found(view) if verify::matches(&proof, &view.owner) => {
            state.store.clear_order_failures(&order_no).await?;
            (told(state, &view, language).await?, OrderCheck { order_no: order_no.clone(), verified: true })
        }
        // A wrong proof and an unknown order are told alike.
        Lookup::Found(_) | Lookup::NotFound => {
            tracing::warn!(attempt, "an order lookup's proof did not match");
            let answer = match config.max_attempts - attempt {
                0 => handed_over(reply::locked(language, &order_no), language),
                left => Answer::message(reply::wrong_proof(language, &order_no, left), language, None),
            };
            (answer, pending)
        }
    };
    Ok(Some(OrderReply { answer, check, proof_digits }))
}

/// The order as the shopper is told it, citing the order system, and what the help center says
/// about where it stands (a late parcel, a refund under way) when it says something; a status
/// kefu cannot explain goes to a person.
async fn told(state: &AppState, view: &OrderView, language: &str) -> Result<Answer> {
    let Some(text) = reply::status(language, view, 1) else {
        return Ok(handed_over(reply::unexplained(language, &view.number), language));
    };
    let looked_up = utc_minute(crate::store::now_ms());
    let title = reply::source_title(language);
    let snippet = text.trim_end_matches(" [1]").to_string();
    let mut answer = Answer::message(text, language, None);
    answer.generator = Generator::Extractive;
    answer.confidence = 1.0;
    answer.citations.push(Citation {
        n: 1,
        chunk_id: format!("{SOURCE_ID}:{}", view.number),
        doc_id: SOURCE_ID.into(),
        title: title.into(),
        url: None,
        breadcrumb: format!("{title} › {} · {looked_up}", view.number),
        span: [0, snippet.chars().count()],
        snippet,
        curated: None,
    });
    let today = crate::store::now_ms().div_euclid(86_400_000);
    if let Some(policy) = reply::policy_question(language, view, today) {
        let asked = Question {
            text: policy.question.into(),
            retrieval_query: policy.question.into(),
            locale: Some(language.into()),
            promise: state.promise(),
            ..Question::default()
        };
        let quoted = state.answerer.answer(state.retriever(), asked, None).await?;
        if !quoted.abstained && !quoted.citations.is_empty() {
            let space = if language == "zh" { "" } else { " " };
            let policy_text = citations::renumber(&quoted.answer, 1);
            answer.answer = format!("{}{space}{}{space}{policy_text}", answer.answer, policy.intro);
            answer.citations.extend(quoted.citations.into_iter().map(|c| Citation { n: c.n + 1, ..c }));
        }
    }
    Ok(answer)
}

fn unavailable(order_no: &str, why: &str, language: &str) -> Answer {
    tracing::warn!(why, "the order system did not answer");
    handed_over(reply::unavailable(language, order_no), language)
}

fn handed_over(text: String, language: &str) -> Answer {
    Answer::message(text, language, Some(HandoffReason::OrderLookup))
}

/// `ms` (Unix milliseconds) as `YYYY-MM-DD HH:MM UTC`.
fn utc_minute(ms: i64) -> String {
    let minute = ms.rem_euclid(3_600_000) / 60_000;
    format!("{} {:02}:{minute:02} UTC", calendar::day_of(ms), calendar::hour_of(ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lookup_time_is_told_in_utc() {
        assert_eq!(utc_minute(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc_minute(1_764_642_600_000), "2025-12-02 02:30 UTC");
    }
}
