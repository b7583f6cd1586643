//! Retrieval: BM25, dense, or both fused, under the same metadata filters.
//!
//! Hybrid search takes `search.candidates` results from each retriever and fuses them
//! ([`fusion`]): by default a convex combination of BM25 scores scaled by the best one and
//! cosine similarities; weighted reciprocal rank fusion is the alternative. The dense ranking only takes part when the
//! question's language is one the embedding model was trained on: an English-only model's
//! vectors of a Chinese question are close to noise and would push good BM25 results down.

pub mod fusion;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use lru::LruCache;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::config::{Fusion, SearchConfig};
use crate::embed::Embedder;
use crate::index::text::{LexicalWeights, QueryTerm};
use crate::index::{ChunkRecord, Index, QuoteVectors, SearchFilter};
use crate::recommend::Catalogue;
use crate::understand::Vocabulary;
use crate::{Error, Result};
use fusion::{Ranking, Scale, Scored, convex_combination, reciprocal_rank_fusion};

/// Which retrievers to use.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// BM25 and dense, fused.
    #[default]
    Hybrid,
    /// BM25 only.
    Bm25,
    /// Dense vectors only.
    Dense,
}

/// A search.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    /// The question.
    pub query: String,
    /// Results wanted.
    pub k: usize,
    /// Retrievers.
    pub mode: Mode,
    /// Metadata filter, applied by every retriever.
    pub filter: SearchFilter,
}

/// One result.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SearchHit {
    /// Chunk id.
    pub chunk_id: String,
    /// Document id.
    pub doc_id: String,
    /// Document title.
    pub title: String,
    /// `Title › Section › Subsection`.
    pub breadcrumb: String,
    /// Document URL.
    pub url: Option<String>,
    /// Fused score in hybrid mode, BM25 score or cosine similarity otherwise.
    pub score: f32,
    /// Best fragment of the chunk, HTML-escaped, query words in `<b>`.
    pub snippet: String,
    /// Document locale.
    pub locale: String,
    /// Rank (from 1) in the BM25 candidates, if there.
    #[serde(skip)]
    pub bm25_rank: Option<usize>,
    /// Rank (from 1) in the dense candidates, if there.
    #[serde(skip)]
    pub dense_rank: Option<usize>,
    /// Cosine similarity to the question, if among the dense candidates.
    #[serde(skip)]
    pub dense_score: Option<f32>,
    /// The whole chunk, for the answerer.
    #[serde(skip)]
    pub record: ChunkRecord,
}

impl SearchHit {
    /// A chunk read from the catalog rather than found by a search: no score, ranks or snippet.
    pub fn unranked(record: ChunkRecord) -> SearchHit {
        SearchHit {
            chunk_id: record.chunk.id.clone(),
            doc_id: record.chunk.doc_id.clone(),
            title: record.title.clone(),
            breadcrumb: record.chunk.breadcrumb_line(),
            url: record.url.clone(),
            score: 0.0,
            snippet: String::new(),
            locale: record.locale.clone(),
            bm25_rank: None,
            dense_rank: None,
            dense_score: None,
            record,
        }
    }
}

/// Where the time of a search went, in milliseconds.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct SearchTimings {
    /// Embedding the question.
    pub embed_ms: f64,
    /// BM25 retrieval.
    pub bm25_ms: f64,
    /// Vector retrieval.
    pub dense_ms: f64,
    /// Fusion, catalog lookups and snippets.
    pub assemble_ms: f64,
}

/// Results, best first.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SearchResults {
    /// The hits.
    pub results: Vec<SearchHit>,
    /// The question's vector, when the dense retriever ran (for choosing sentences to quote).
    #[serde(skip)]
    pub query_vector: Option<Vec<f32>>,
    /// Total time.
    pub took_ms: f64,
    /// Breakdown of `took_ms`.
    pub timings: SearchTimings,
}

/// Chunk ids with their scores, best first.
type Ranked = Vec<(String, f32)>;

/// Vectors of quotables embedded at answer time (generations written before quotables were
/// embedded at ingestion), about 1.5 KB each with a 384-dimension model.
const SENTENCE_CACHE_ENTRIES: usize = 20_000;

/// Fused candidates checked for the question's identifiers.
const IDENTIFIER_DEPTH: usize = 30;

/// Searches one index generation.
pub struct Retriever {
    index: Index,
    embedder: Arc<Embedder>,
    config: SearchConfig,
    /// The index's words, for reading messages; built on first use.
    vocabulary: OnceLock<Arc<Vocabulary>>,
    /// The shop's catalogue, read for recommending; built on first use.
    catalogue: OnceLock<Arc<Catalogue>>,
    /// Vectors of quotables embedded at answer time, by BLAKE3 of their text.
    sentences: Mutex<LruCache<[u8; 32], Arc<Vec<f32>>>>,
}

impl Retriever {
    /// A retriever over `index`, refusing an index built with another model than `embedder`'s.
    pub fn new(
        index: Index,
        embedder: Arc<Embedder>,
        config: SearchConfig,
        data_dir: &std::path::Path,
    ) -> Result<Self> {
        let (indexed, configured) = (&index.info().model, embedder.spec().fingerprint());
        if *indexed != configured {
            return Err(Error::ModelMismatch {
                data_dir: data_dir.to_path_buf(),
                indexed: indexed.clone(),
                configured,
            });
        }
        let sentences = Mutex::new(LruCache::new(
            std::num::NonZeroUsize::new(SENTENCE_CACHE_ENTRIES).expect("the cache holds something"),
        ));
        Ok(Retriever {
            index,
            embedder,
            config,
            vocabulary: OnceLock::new(),
            catalogue: OnceLock::new(),
            sentences,
        })
    }

    /// The embedding model.
    pub fn embedder(&self) -> &Arc<Embedder> {
        &self.embedder
    }

    /// The embedding model's settings.
    pub fn model(&self) -> &crate::embed::ModelSpec {
        self.embedder.spec()
    }

    /// A retriever over the live generation of `config.data_dir`.
    pub fn open(config: &crate::Config, embedder: Arc<Embedder>) -> Result<Self> {
        let index = Index::open(&crate::index::DataDir::new(&config.data_dir), config)?;
        Retriever::new(index, embedder, config.search.clone(), &config.data_dir)
    }

    /// The index searched.
    pub fn index(&self) -> &Index {
        &self.index
    }

    /// The question's words with their IDF in this index (for answer confidence).
    pub fn query_terms(&self, query: &str) -> Result<Vec<QueryTerm>> {
        self.index.text().query_terms(query)
    }

    /// The index's words and the embedding model's, for reading messages ([`crate::understand`]).
    /// Built from the BM25 term dictionary on first use and kept.
    pub fn vocabulary(&self) -> Result<Arc<Vocabulary>> {
        if let Some(vocabulary) = self.vocabulary.get() {
            return Ok(vocabulary.clone());
        }
        let terms = self.index.text().vocabulary()?;
        let vocab = self.embedder.tokenizer()?.get_vocab(false);
        // SentencePiece marks a word's start with "▁"; WordPiece marks continuations with "##".
        let sentence_piece = vocab.keys().any(|t| t.starts_with('\u{2581}'));
        let words = vocab.into_keys().filter_map(|token| match token.strip_prefix('\u{2581}') {
            Some(word) => Some(word.to_string()),
            None => (!sentence_piece && !token.starts_with("##")).then_some(token),
        });
        let vocabulary = Arc::new(Vocabulary::new(&terms, words));
        Ok(self.vocabulary.get_or_init(|| vocabulary).clone())
    }

    /// The generation's product catalogue with the words of each product's page, for
    /// recommending ([`crate::recommend`]). Built on first use and kept.
    pub fn catalogue(&self) -> Result<Arc<Catalogue>> {
        if let Some(catalogue) = self.catalogue.get() {
            return Ok(catalogue.clone());
        }
        let products = self.index.products().to_vec();
        let mut pages = HashMap::new();
        for product in &products {
            if let Some(record) = self.index.catalog().document(&product.doc_id)? {
                pages.insert(product.doc_id.clone(), record.text);
            }
        }
        let catalogue = Arc::new(Catalogue::new(products, &pages));
        Ok(self.catalogue.get_or_init(|| catalogue).clone())
    }

    /// Vectors of quotables of retrieved chunks (chunk id, quotable text), for choosing what to
    /// quote: those the generation stored at ingestion, the others (a generation written before
    /// quotables were embedded) embedded now and kept in a cache.
    pub fn quote_vectors(&self, quotes: &[(&str, &str)]) -> Result<Vec<Arc<Vec<f32>>>> {
        let mut stored: HashMap<&str, Option<QuoteVectors>> = HashMap::new();
        let mut vectors: Vec<Option<Arc<Vec<f32>>>> = Vec::with_capacity(quotes.len());
        for &(chunk_id, text) in quotes {
            if !stored.contains_key(chunk_id) {
                stored.insert(chunk_id, self.index.catalog().quotes(chunk_id)?);
            }
            let found = stored[chunk_id].as_ref().and_then(|q| q.get(text));
            vectors.push(found.map(|v| Arc::new(v.to_vec())));
        }
        let keys: Vec<[u8; 32]> =
            quotes.iter().map(|(_, text)| *blake3::hash(text.as_bytes()).as_bytes()).collect();
        {
            let mut cache =
                self.sentences.lock().map_err(|_| Error::Busy("sentence cache poisoned".into()))?;
            for (vector, key) in vectors.iter_mut().zip(&keys) {
                if vector.is_none() {
                    *vector = cache.get(key).cloned();
                }
            }
        }
        let missing: Vec<usize> = (0..quotes.len()).filter(|&i| vectors[i].is_none()).collect();
        if !missing.is_empty() {
            let texts: Vec<String> = missing.iter().map(|&i| quotes[i].1.to_string()).collect();
            let embedded = self.embedder.embed_passages(&texts, |_| ())?;
            let mut cache =
                self.sentences.lock().map_err(|_| Error::Busy("sentence cache poisoned".into()))?;
            for (&i, vector) in missing.iter().zip(embedded) {
                let vector = Arc::new(vector);
                cache.put(keys[i], vector.clone());
                vectors[i] = Some(vector);
            }
        }
        Ok(vectors.into_iter().map(|v| v.unwrap_or_default()).collect())
    }

    /// Runs a search.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults> {
        let started = Instant::now();
        if request.query.trim().is_empty() {
            return Err(Error::InvalidRequest("the query is empty".into()));
        }
        if request.k == 0 {
            return Err(Error::InvalidRequest("k must be at least 1".into()));
        }
        let depth = self.config.candidates.max(request.k);
        let mut timings = SearchTimings::default();

        let use_bm25 = request.mode != Mode::Dense;
        let use_dense = match request.mode {
            Mode::Dense => true,
            Mode::Bm25 => false,
            Mode::Hybrid => {
                let locale = kefu_ingest::locale::detect(&request.query);
                self.config.dense_weight > 0.0 && self.embedder.spec().supports_language(&locale)
            }
        };

        // BM25 runs while the question is embedded: the two are independent.
        let lexical = || -> Result<(Ranked, f64)> {
            if !use_bm25 {
                return Ok((Vec::new(), 0.0));
            }
            let clock = Instant::now();
            let weights = LexicalWeights {
                title_boost: self.config.title_boost,
                bigram_weight: self.config.bigram_weight,
            };
            let hits = self.index.text().search(&request.query, &request.filter, depth, weights)?;
            Ok((hits, ms(clock)))
        };
        let semantic = || -> Result<(Ranked, f64, f64, Option<Vec<f32>>)> {
            if !use_dense {
                return Ok((Vec::new(), 0.0, 0.0, None));
            }
            let clock = Instant::now();
            let vector = self.embedder.embed_query(&request.query)?;
            let embed_ms = ms(clock);
            let clock = Instant::now();
            let hits = self.index.vectors().search(&vector, &request.filter, depth)?;
            Ok((hits, embed_ms, ms(clock), Some(vector)))
        };
        let ((bm25, bm25_ms), (dense, embed_ms, dense_ms, query_vector)) = if use_bm25 && use_dense {
            match lexical_pool() {
                Some(pool) => {
                    let mut lexical_result = None;
                    let semantic_result = pool.in_place_scope(|scope| {
                        scope.spawn(|_| lexical_result = Some(lexical()));
                        semantic()
                    });
                    (lexical_result.expect("the scope waits for its jobs")?, semantic_result?)
                }
                None => (lexical()?, semantic()?),
            }
        } else {
            (lexical()?, semantic()?)
        };
        (timings.bm25_ms, timings.embed_ms, timings.dense_ms) = (bm25_ms, embed_ms, dense_ms);

        let clock = Instant::now();
        let bm25_ids: Vec<String> = bm25.iter().map(|(id, _)| id.clone()).collect();
        let dense_ids: Vec<String> = dense.iter().map(|(id, _)| id.clone()).collect();
        let dense_weight = if use_dense { self.config.dense_weight } else { 0.0 };
        let ranked: Vec<(String, f32)> = match (request.mode, self.config.fusion) {
            (Mode::Bm25, _) => bm25,
            (Mode::Dense, _) => dense.clone(),
            (Mode::Hybrid, Fusion::Convex) => {
                let mut lists = [
                    Scored {
                        hits: &bm25,
                        weight: self.config.bm25_weight,
                        scale: Scale::ByBest,
                        complete: bm25.len() < depth,
                    },
                    Scored {
                        hits: &dense,
                        weight: dense_weight,
                        scale: Scale::Range(self.embedder.spec().similarity_range),
                        complete: false,
                    },
                ];
                fusion::adapt_weights(&mut lists, self.config.adaptive_fusion);
                convex_combination(&lists)
            }
            (Mode::Hybrid, Fusion::Rrf) => reciprocal_rank_fusion(
                &[
                    Ranking { ids: &bm25_ids, weight: self.config.bm25_weight },
                    Ranking { ids: &dense_ids, weight: dense_weight },
                ],
                self.config.rrf_k,
            ),
        };
        let (ranked, fetched) = match request.mode {
            Mode::Hybrid => self.prefer_identifiers(&request.query, ranked)?,
            _ => (ranked, HashMap::new()),
        };
        let top: Vec<(String, f32)> = ranked.into_iter().take(request.k).collect();
        let results = self.assemble(&request.query, top, fetched, &bm25_ids, &dense)?;
        timings.assemble_ms = ms(clock);
        Ok(SearchResults { results, query_vector, took_ms: ms(started), timings })
    }

    /// The fused candidates that contain one of the question's identifiers (years, codes) first,
    /// and, when the question names products of the catalogue ("the Vortex Pro"), the pages of
    /// other products after theirs: the others' scores are multiplied by `identifier_penalty`,
    /// among the first [`IDENTIFIER_DEPTH`]. Returns the records it read, which the results take.
    fn prefer_identifiers(
        &self,
        query: &str,
        mut ranked: Ranked,
    ) -> Result<(Ranked, HashMap<String, ChunkRecord>)> {
        let penalty = self.config.identifier_penalty;
        let identifiers = fusion::identifiers(query);
        let mut fetched = HashMap::new();
        let catalogue = self.catalogue()?;
        let named = catalogue.pages_named(query);
        if (identifiers.is_empty() && named.is_empty()) || penalty >= 1.0 {
            return Ok((ranked, fetched));
        }
        let depth = ranked.len().min(IDENTIFIER_DEPTH);
        let ids: Vec<String> = ranked[..depth].iter().map(|(id, _)| id.clone()).collect();
        let records = self.index.catalog().chunks(&ids)?;
        for ((id, score), record) in ranked[..depth].iter_mut().zip(records) {
            let Some(record) = record else { continue };
            let text = format!("{} {}", record.chunk.breadcrumb_line(), record.chunk.text).to_lowercase();
            let lacks_identifier =
                !identifiers.is_empty() && !identifiers.iter().any(|id| text.contains(id.as_str()));
            let doc = record.chunk.doc_id.as_str();
            let other_product = !named.is_empty() && catalogue.is_page(doc) && !named.contains(doc);
            if lacks_identifier || other_product {
                *score *= penalty;
            }
            fetched.insert(id.clone(), record);
        }
        ranked[..depth].sort_by(|a, b| b.1.total_cmp(&a.1));
        Ok((ranked, fetched))
    }

    /// Looks the chunks up in the catalog (those not `fetched` already) and adds snippets.
    fn assemble(
        &self,
        query: &str,
        top: Vec<(String, f32)>,
        mut fetched: HashMap<String, ChunkRecord>,
        bm25: &[String],
        dense: &[(String, f32)],
    ) -> Result<Vec<SearchHit>> {
        let missing: Vec<String> =
            top.iter().filter(|(id, _)| !fetched.contains_key(id)).map(|(id, _)| id.clone()).collect();
        let records = self.index.catalog().chunks(&missing)?;
        for (id, record) in missing.into_iter().zip(records) {
            fetched.extend(record.map(|record| (id, record)));
        }
        let records: Vec<Option<ChunkRecord>> = top.iter().map(|(id, _)| fetched.remove(id)).collect();
        let highlighter = self.index.text().highlighter(query, self.config.snippet_chars)?;
        // Ranks (from 1) and dense scores by id: one pass over each list, not one per hit.
        let bm25_ranks: HashMap<&str, usize> =
            bm25.iter().enumerate().map(|(i, id)| (id.as_str(), i + 1)).collect();
        let dense_ranks: HashMap<&str, (usize, f32)> =
            dense.iter().enumerate().map(|(i, (id, score))| (id.as_str(), (i + 1, *score))).collect();
        let mut hits = Vec::with_capacity(top.len());
        for ((id, score), record) in top.into_iter().zip(records) {
            // An id without a record would mean the stores disagree with the catalog; skip it
            // rather than fail the search, and say so in the logs.
            let Some(record) = record else {
                tracing::warn!(chunk_id = %id, "chunk in an index but not in the catalog");
                continue;
            };
            hits.push(SearchHit {
                doc_id: record.chunk.doc_id.clone(),
                title: record.title.clone(),
                breadcrumb: record.chunk.breadcrumb_line(),
                url: record.url.clone(),
                score,
                snippet: highlighter.snippet(&record.chunk.text),
                locale: record.locale.clone(),
                bm25_rank: bm25_ranks.get(id.as_str()).copied(),
                dense_rank: dense_ranks.get(id.as_str()).map(|(rank, _)| *rank),
                dense_score: dense_ranks.get(id.as_str()).map(|(_, score)| *score),
                chunk_id: id,
                record,
            });
        }
        Ok(hits)
    }
}

/// The threads BM25 searches run on while the caller embeds the question: one per core, started
/// once, instead of a thread per search. A pool of its own, and the embedding on the caller's
/// thread: with both on rayon's global pool, concurrent searches hung for good in
/// scripts/abuse.sh (the likely cycle: a global worker holding the embedder's lock waits in the
/// tokenizer's parallel iterator, steals another search's job, and that job waits for the same
/// lock). `None` if the threads cannot be started: the search then runs in turn.
fn lexical_pool() -> Option<&'static rayon::ThreadPool> {
    static POOL: OnceLock<Option<rayon::ThreadPool>> = OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .thread_name(|i| format!("kefu-bm25-{i}"))
            .build()
            .inspect_err(|e| tracing::warn!(error = %e, "cannot start the BM25 threads; searching in turn"))
            .ok()
    })
    .as_ref()
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}
