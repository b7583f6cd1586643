//! An insights run: the store's turns of a period into figures, topics, gaps and content
//! health. The edge of the insights: it reads the store and the index, embeds questions not
//! seen before and saves where they were placed.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

use super::calendar::{Period, day_of};
use super::digest::{Context, Digest, Digester};
use super::gaps::{ClosestDocument, Gap};
use super::health::{self, Passage};
use super::topics::{self, Centre, Centroid, Unplaced};
use super::{Insights, RunStats};
use crate::config::Config;
use crate::embed::vector::{dot, unit};
use crate::retrieve::{Mode, Retriever, SearchRequest};
use crate::store::{PlacedQuestion, Store, question_key};
use crate::{Error, Result};

/// Passages of the index that content health reads, at most (it is linear in them).
const MAX_PASSAGES: usize = 50_000;
/// Documents looked up per gap.
const CLOSEST: usize = 3;
/// Characters of a passage offered as a draft.
const DRAFT_CHARS: usize = 600;
/// Times a run places its questions again when another run saved meanwhile.
const ATTEMPTS: usize = 3;

/// Computes the insights of `period` from `store`, with the live index of `retriever` and its
/// embedding model.
pub async fn gather(
    config: &Config,
    store: &Store,
    retriever: Arc<Retriever>,
    period: Period,
) -> Result<Insights> {
    let started = Instant::now();
    let previous = period.previous();
    let context = Context {
        ratings: store.insight_ratings(previous.from_ms).await?,
        tickets: store.insight_tickets(previous.from_ms).await?,
        agent_replies: store.insight_agent_replies(previous.from_ms).await?,
    };
    let mut digester = Digester::new(period, &context);
    let questions_read =
        store.insight_exchanges(previous.from_ms, period.to_ms, |exchange| digester.push(exchange)).await?;
    let mut digest = digester.finish();
    let mut figures = std::mem::take(&mut digest.figures);
    (figures.conversations, figures.turns) = store.insight_counts(period.from_ms, period.to_ms).await?;
    let read_ms = started.elapsed().as_secs_f64() * 1e3;

    let threshold = config.insights.topic_threshold;
    let mut attempt = 0;
    let placed = loop {
        attempt += 1;
        match place_questions(store, &retriever, &digest, threshold).await {
            Err(Error::Conflict { .. }) if attempt < ATTEMPTS => continue,
            placed => break placed?,
        }
    };
    let topics_ms = started.elapsed().as_secs_f64() * 1e3 - read_ms;

    let mut summary = super::gaps::summarize(&digest, &placed.topic_of, &placed.centrality);
    let curated = store.curated_answers().await?;
    let citations = digest.citations_by_document.clone();
    let downs = digest.downs_by_document.clone();
    let gaps = std::mem::take(&mut summary.gaps);
    let (gaps, health) = crate::error::blocking(move || {
        let gaps = explain_gaps(&retriever, gaps, &digest)?;
        let catalog = retriever.index().catalog();
        let documents: Vec<String> =
            catalog.sources()?.into_values().map(|s| s.doc_id).collect::<BTreeSet<_>>().into_iter().collect();
        let mut ids = catalog.chunk_ids()?;
        ids.truncate(MAX_PASSAGES);
        let mut passages: Vec<Passage> = catalog
            .chunks(&ids)?
            .into_iter()
            .flatten()
            .map(|c| Passage { doc_id: c.chunk.doc_id, chunk_id: c.chunk.id, text: c.chunk.text })
            .collect();
        passages.extend(curated.into_iter().map(|a| Passage {
            doc_id: format!("curated:{}", a.id),
            chunk_id: a.id,
            text: a.answer,
        }));
        Ok((gaps, health::assess(&documents, &passages, &citations, &downs)))
    })
    .await?;
    let total_ms = started.elapsed().as_secs_f64() * 1e3;
    Ok(Insights {
        from: day_of(period.local(period.from_ms)),
        to: day_of(period.local(period.to_ms - 1)),
        utc_offset: config.insights.utc_offset.clone(),
        generated_at_ms: crate::store::now_ms(),
        figures,
        topics: summary.topics,
        topic_count: summary.count,
        topic_threshold: if placed.centre_questions.is_some() { threshold } else { topics::RAW_THRESHOLD },
        gaps,
        health,
        run: RunStats {
            questions_read,
            distinct_questions: placed.topic_of.len(),
            newly_placed: placed.newly,
            centre_questions: placed.centre_questions,
            read_ms,
            topics_ms,
            content_ms: total_ms - read_ms - topics_ms,
            total_ms,
        },
    })
}

/// Where a run's questions are.
struct Placed {
    /// The topic of each distinct text of the digest.
    topic_of: Vec<i64>,
    /// Its similarity to its topic's centroid.
    centrality: Vec<f32>,
    /// Questions placed by this run.
    newly: usize,
    /// Distinct questions the centre was taken from.
    centre_questions: Option<i64>,
}

/// Places the digest's questions into topics: those placed by earlier runs keep their topic,
/// new ones are embedded and placed, and saved. When the store has enough new questions for a
/// new centre (`topics::Centre::stale`), every topic is rebuilt around it from the stored
/// vectors (nothing is embedded again). Returns the topic of each distinct text, its similarity
/// to its topic's centroid, how many questions were placed now, and the centre.
async fn place_questions(
    store: &Store,
    retriever: &Retriever,
    digest: &Digest,
    threshold: f32,
) -> Result<Placed> {
    let model = retriever.model().fingerprint();
    let mut state = store.topic_state(&model).await?;
    let known = state.questions.len();
    let keys: Vec<String> = digest.texts.iter().map(|t| question_key(t)).collect();
    let mut asked: HashMap<&str, usize> = HashMap::new();
    let mut last_seen: HashMap<&str, i64> = HashMap::new();
    for question in &digest.questions {
        let key = keys[question.text as usize].as_str();
        *asked.entry(key).or_default() += 1;
        let seen = last_seen.entry(key).or_insert(question.at);
        *seen = (*seen).max(question.at);
    }
    let mut missing = Vec::new();
    let mut wanted = HashSet::new();
    for (i, key) in keys.iter().enumerate() {
        if !state.questions.contains_key(key) && wanted.insert(key.as_str()) {
            missing.push(i);
        }
    }
    let texts: Vec<String> = missing.iter().map(|&i| digest.texts[i].clone()).collect();
    let embedder = retriever.embedder().clone();
    let vectors: Vec<Vec<f32>> = crate::error::blocking(move || embedder.embed_questions(&texts, |_| {}))
        .await?
        .iter()
        // At the precision they are stored in, so that this run and the next see the same numbers.
        .map(|v| unit(v.clone()).into_iter().map(|x| half::f16::from_f32(x).to_f32()).collect())
        .collect();
    let mut new: Vec<PlacedQuestion> = missing
        .iter()
        .zip(vectors)
        .map(|(&i, vector)| PlacedQuestion {
            key: keys[i].clone(),
            topic: 0,
            last_seen_at: last_seen.get(keys[i].as_str()).copied().unwrap_or_default(),
            vector,
        })
        .collect();
    // A new centre: every question, stored or new, placed again around it.
    let rebuild = Centre::stale(state.centre.as_ref(), known + new.len());
    if rebuild {
        let mut all: Vec<PlacedQuestion> = state.questions.drain().map(|(_, q)| q).collect();
        all.append(&mut new);
        new = all;
        state.centre = Centre::of(new.iter().map(|q| q.vector.as_slice()));
        state.centroids.clear();
    }
    let centre = state.centre.as_ref();
    let text_of: HashMap<&str, &str> =
        keys.iter().map(String::as_str).zip(digest.texts.iter().map(String::as_str)).collect();
    let centred: Vec<Vec<f32>> = new.iter().map(|q| topics::centred(&q.vector, centre)).collect();
    let unplaced: Vec<Unplaced> = new
        .iter()
        .zip(&centred)
        .map(|(q, vector)| Unplaced {
            key: &q.key,
            // A stored question not asked in these periods sorts by its key.
            text: text_of.get(q.key.as_str()).copied().unwrap_or(&q.key),
            vector,
            asked: asked.get(q.key.as_str()).copied().unwrap_or(0),
        })
        .collect();
    let before: HashMap<i64, i64> = state.centroids.iter().map(|c| (c.id, c.members)).collect();
    let placements = topics::place(&mut state.centroids, &unplaced, topics::threshold(centre, threshold));
    let topic_of_key: HashMap<&str, i64> = placements.iter().map(|p| (p.key.as_str(), p.topic)).collect();
    for question in &mut new {
        question.topic = topic_of_key[question.key.as_str()];
    }
    let changed: Vec<&Centroid> =
        state.centroids.iter().filter(|c| before.get(&c.id) != Some(&c.members)).collect();
    if !new.is_empty() {
        store.save_topics(&model, known, rebuild.then_some(centre).flatten(), &changed, &new).await?;
    }
    let units: HashMap<i64, Vec<f32>> = state.centroids.iter().map(|c| (c.id, unit(c.sum.clone()))).collect();
    for question in new {
        state.questions.insert(question.key.clone(), question);
    }
    let (topic_of, centrality) = keys
        .iter()
        .map(|key| match state.questions.get(key) {
            Some(q) => {
                let similarity = units
                    .get(&q.topic)
                    .map_or(0.0, |u| dot(u, &topics::centred(&q.vector, state.centre.as_ref())));
                (q.topic, similarity)
            }
            None => (0, 0.0),
        })
        .unzip();
    Ok(Placed {
        topic_of,
        centrality,
        newly: placements.len(),
        centre_questions: state.centre.map(|c| c.questions),
    })
}

/// Looks up the documents closest to each gap's label and tells why they did not answer.
fn explain_gaps(retriever: &Retriever, mut gaps: Vec<Gap>, digest: &Digest) -> Result<Vec<Gap>> {
    for gap in &mut gaps {
        let request =
            SearchRequest { query: gap.label.clone(), k: 10, mode: Mode::Hybrid, filter: Default::default() };
        let hits = retriever.search(&request)?.results;
        let mut closest: Vec<ClosestDocument> = Vec::new();
        for hit in &hits {
            if closest.len() < CLOSEST && !closest.iter().any(|c| c.doc_id == hit.doc_id) {
                closest.push(ClosestDocument {
                    doc_id: hit.doc_id.clone(),
                    title: hit.title.clone(),
                    locale: hit.locale.clone(),
                    similarity: hit.dense_score,
                });
            }
        }
        let passage = match hits.first() {
            Some(hit) => retriever
                .index()
                .catalog()
                .chunks(std::slice::from_ref(&hit.chunk_id))?
                .pop()
                .flatten()
                .map(|c| (c.chunk.doc_id, c.chunk.text.chars().take(DRAFT_CHARS).collect::<String>())),
            None => None,
        };
        gap.explain(closest, passage, digest);
    }
    Ok(gaps)
}
