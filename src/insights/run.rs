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
use super::topics::{self, Centroid, Unplaced};
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
    let (topic_of, centrality, placed) = loop {
        attempt += 1;
        match place_questions(store, &retriever, &digest, threshold).await {
            Err(Error::Conflict { .. }) if attempt < ATTEMPTS => continue,
            placed => break placed?,
        }
    };
    let topics_ms = started.elapsed().as_secs_f64() * 1e3 - read_ms;

    let mut summary = super::gaps::summarize(&digest, &topic_of, &centrality);
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
        topic_threshold: threshold,
        gaps,
        health,
        run: RunStats {
            questions_read,
            distinct_questions: topic_of.len(),
            newly_placed: placed,
            read_ms,
            topics_ms,
            content_ms: total_ms - read_ms - topics_ms,
            total_ms,
        },
    })
}

/// Places the digest's questions into topics: those placed by earlier runs keep their topic,
/// new ones are embedded and placed, and saved. Returns the topic of each distinct text, its
/// similarity to its topic's centroid, and how many were placed now.
async fn place_questions(
    store: &Store,
    retriever: &Retriever,
    digest: &Digest,
    threshold: f32,
) -> Result<(Vec<i64>, Vec<f32>, usize)> {
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
    let unplaced: Vec<Unplaced> = missing
        .iter()
        .zip(&vectors)
        .map(|(&i, vector)| Unplaced {
            key: &keys[i],
            text: &digest.texts[i],
            vector,
            asked: asked.get(keys[i].as_str()).copied().unwrap_or(0),
        })
        .collect();
    let before: HashMap<i64, i64> = state.centroids.iter().map(|c| (c.id, c.members)).collect();
    let placements = topics::place(&mut state.centroids, &unplaced, threshold);
    let vector_of: HashMap<&str, &Vec<f32>> = unplaced.iter().map(|u| u.key).zip(&vectors).collect();
    let placed: Vec<PlacedQuestion> = placements
        .iter()
        .map(|p| PlacedQuestion {
            key: p.key.clone(),
            topic: p.topic,
            vector: vector_of[p.key.as_str()].clone(),
            last_seen_at: last_seen.get(p.key.as_str()).copied().unwrap_or_default(),
        })
        .collect();
    let changed: Vec<&Centroid> =
        state.centroids.iter().filter(|c| before.get(&c.id) != Some(&c.members)).collect();
    if !placed.is_empty() {
        store.save_topics(&model, known, &changed, &placed).await?;
    }
    let units: HashMap<i64, Vec<f32>> = state.centroids.iter().map(|c| (c.id, unit(c.sum.clone()))).collect();
    for question in placed {
        state.questions.insert(question.key, (question.topic, question.vector));
    }
    let (topic_of, centrality) = keys
        .iter()
        .map(|key| match state.questions.get(key) {
            Some((topic, vector)) => (*topic, units.get(topic).map_or(0.0, |u| dot(u, vector))),
            None => (0, 0.0),
        })
        .unzip();
    Ok((topic_of, centrality, placements.len()))
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
