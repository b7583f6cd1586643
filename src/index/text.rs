//! The BM25 index (tantivy): one document per chunk.
//!
//! Fields: `title` (the breadcrumb: document title, headings or FAQ question; boosted at query
//! time), `body` (breadcrumb and chunk text, so that one field's length normalisation sees the
//! whole chunk as BM25 over title and text does), both analysed into words by [`crate::analysis::words`], and
//! `bigrams` (breadcrumb and body as Han character bigrams). Filter fields are raw strings. Chunk
//! text is not stored here: the catalog holds it.
//!
//! Queries are built from the analyzer's own tokens as a disjunction of term queries. tantivy's
//! `QueryParser` would turn an unspaced Chinese question into a phrase query that matches almost
//! nothing.

use std::collections::BTreeSet;
use std::path::Path;

use tantivy::collector::{DocSetCollector, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, STORED, STRING, Schema, TantivyDocument, TextFieldIndexing, TextOptions, Value,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::{TextAnalyzer, Token as TantivyToken, TokenStream, Tokenizer};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Term, doc};

use super::catalog::ChunkRecord;
use super::filter::SearchFilter;
use crate::analysis::{self, Token};
use crate::{Error, Result};

const WORDS: &str = "kefu_words";
const BIGRAMS: &str = "kefu_bigrams";
/// Indexing memory budget of the writer.
const WRITER_HEAP_BYTES: usize = 64 * 1024 * 1024;

/// How lexical matches are weighted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LexicalWeights {
    /// Boost of breadcrumb (title) matches.
    pub title_boost: f32,
    /// Weight of the Han bigram field.
    pub bigram_weight: f32,
}

/// A word of a query and how common it is in the index.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryTerm {
    /// The analysed term.
    pub term: String,
    /// BM25's inverse document frequency.
    pub idf: f32,
    /// Chunks that contain it.
    pub chunks: u64,
}

#[derive(Clone, Copy)]
struct Fields {
    chunk_id: Field,
    doc_id: Field,
    locale: Field,
    doc_type: Field,
    product: Field,
    tags: Field,
    title: Field,
    body: Field,
    bigrams: Field,
}

/// The BM25 index of a generation.
pub struct TextIndex {
    index: Index,
    reader: IndexReader,
    fields: Fields,
}

/// Adds and deletes chunks; nothing is visible until [`TextWriter::commit`].
pub struct TextWriter {
    writer: IndexWriter,
    fields: Fields,
}

/// Makes highlighted snippets for one query.
pub struct Highlighter {
    generator: Option<SnippetGenerator>,
    max_chars: usize,
}

impl TextIndex {
    /// Opens the index in `dir`.
    pub fn open(dir: &Path) -> Result<TextIndex> {
        Self::with_tokenizers(Index::open_in_dir(dir).map_err(text_error)?)
    }

    /// Opens the index in `dir`, creating an empty one if there is none.
    pub fn open_or_create(dir: &Path) -> Result<TextIndex> {
        if dir.join("meta.json").exists() {
            return Self::open(dir);
        }
        std::fs::create_dir_all(dir).map_err(Error::io(dir))?;
        Self::with_tokenizers(Index::create_in_dir(dir, schema()).map_err(text_error)?)
    }

    fn with_tokenizers(index: Index) -> Result<TextIndex> {
        // Tokenizers are not persisted in the index: register them on every open.
        index.tokenizers().register(WORDS, TextAnalyzer::from(WordTokenizer));
        index.tokenizers().register(BIGRAMS, TextAnalyzer::from(BigramTokenizer));
        let fields = Fields::of(&index.schema())?;
        let reader =
            index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into().map_err(text_error)?;
        Ok(TextIndex { index, reader, fields })
    }

    /// A writer (one at a time per index).
    pub fn writer(&self) -> Result<TextWriter> {
        let writer = self.index.writer(WRITER_HEAP_BYTES).map_err(text_error)?;
        Ok(TextWriter { writer, fields: self.fields })
    }

    /// The best `limit` chunks for `query` by BM25, as (chunk id, score), under `filter`.
    pub fn search(
        &self,
        query: &str,
        filter: &SearchFilter,
        limit: usize,
        weights: LexicalWeights,
    ) -> Result<Vec<(String, f32)>> {
        let Some(scoring) = self.scoring_query(query, weights) else {
            return Ok(Vec::new());
        };
        let query = self.filtered(scoring, filter);
        let searcher = self.reader.searcher();
        let top =
            searcher.search(&query, &TopDocs::with_limit(limit).order_by_score()).map_err(text_error)?;
        top.into_iter().map(|(score, address)| Ok((self.chunk_id(&searcher, address)?, score))).collect()
    }

    /// The distinct words of `query` as analysed for BM25, with their inverse document frequency
    /// (over breadcrumbs and bodies) and how many chunks contain them.
    pub fn query_terms(&self, query: &str) -> Result<Vec<QueryTerm>> {
        let searcher = self.reader.searcher();
        let chunks = searcher.num_docs() as f32;
        let frequency_of = |term: &str| -> Result<u64> {
            let mut frequency = 0;
            for field in [self.fields.body, self.fields.title] {
                let count = searcher.doc_freq(&Term::from_field_text(field, term)).map_err(text_error)?;
                frequency = frequency.max(count);
            }
            Ok(frequency)
        };
        let words = analysis::joined_where_known(analysis::words(query), |term| {
            frequency_of(term).is_ok_and(|frequency| frequency > 0)
        });
        unique_terms(words)
            .into_iter()
            .map(|term| {
                let frequency = frequency_of(&term)?;
                let df = frequency as f32;
                let idf = (1.0 + (chunks - df + 0.5) / (df + 0.5)).ln();
                Ok(QueryTerm { term, idf, chunks: frequency })
            })
            .collect()
    }

    /// Every analysed term of breadcrumbs and bodies, with the number of chunks containing it
    /// (deleted chunks included until their segment is merged).
    pub fn vocabulary(&self) -> Result<Vec<(String, u32)>> {
        let searcher = self.reader.searcher();
        let mut counts: std::collections::HashMap<String, [u32; 2]> = std::collections::HashMap::new();
        for segment in searcher.segment_readers() {
            for (slot, field) in [self.fields.body, self.fields.title].into_iter().enumerate() {
                let inverted = segment.inverted_index(field).map_err(text_error)?;
                let mut terms = inverted.terms().stream().map_err(|e| Error::TextIndex(e.to_string()))?;
                while terms.advance() {
                    if let Ok(term) = std::str::from_utf8(terms.key()) {
                        counts.entry(term.to_string()).or_default()[slot] += terms.value().doc_freq;
                    }
                }
            }
        }
        Ok(counts.into_iter().map(|(term, [body, title])| (term, body.max(title))).collect())
    }

    /// Every indexed chunk id, duplicates included (for consistency checks).
    pub fn chunk_ids(&self) -> Result<Vec<String>> {
        let searcher = self.reader.searcher();
        let addresses = searcher.search(&AllQuery, &DocSetCollector).map_err(text_error)?;
        addresses.into_iter().map(|address| self.chunk_id(&searcher, address)).collect()
    }

    fn chunk_id(&self, searcher: &tantivy::Searcher, address: tantivy::DocAddress) -> Result<String> {
        let doc: TantivyDocument = searcher.doc(address).map_err(text_error)?;
        doc.get_first(self.fields.chunk_id)
            .and_then(|v| v.as_str())
            .map(str::to_string)
            .ok_or_else(|| Error::TextIndex("document without chunk id".into()))
    }

    /// A highlighter marking the query's words in chunk bodies.
    pub fn highlighter(&self, query: &str, max_chars: usize) -> Result<Highlighter> {
        let words = unique_terms(analysis::words(query));
        let clauses: Vec<(Occur, Box<dyn Query>)> =
            words.iter().map(|w| (Occur::Should, self.term_query(self.fields.body, w))).collect();
        let generator = if clauses.is_empty() {
            None
        } else {
            let mut generator = SnippetGenerator::create(
                &self.reader.searcher(),
                &BooleanQuery::new(clauses),
                self.fields.body,
            )
            .map_err(text_error)?;
            generator.set_max_num_chars(max_chars);
            Some(generator)
        };
        Ok(Highlighter { generator, max_chars })
    }

    fn scoring_query(&self, query: &str, weights: LexicalWeights) -> Option<Box<dyn Query>> {
        let f = self.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for word in unique_terms(analysis::words(query)) {
            let title = self.term_query(f.title, &word);
            clauses.push((Occur::Should, Box::new(BoostQuery::new(title, weights.title_boost))));
            clauses.push((Occur::Should, self.term_query(f.body, &word)));
        }
        if weights.bigram_weight > 0.0 {
            for bigram in unique_terms(analysis::han_bigrams(query)) {
                let query = self.term_query(f.bigrams, &bigram);
                clauses.push((Occur::Should, Box::new(BoostQuery::new(query, weights.bigram_weight))));
            }
        }
        (!clauses.is_empty()).then(|| Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>)
    }

    fn filtered(&self, scoring: Box<dyn Query>, filter: &SearchFilter) -> Box<dyn Query> {
        let conditions = filter.conditions();
        if conditions.is_empty() {
            return scoring;
        }
        let must: Vec<(Occur, Box<dyn Query>)> = conditions
            .into_iter()
            .map(|(field, value)| (Occur::Must, self.term_query(self.fields.filter(field), value)))
            .collect();
        let filter = ConstScoreQuery::new(Box::new(BooleanQuery::new(must)), 0.0);
        Box::new(BooleanQuery::new(vec![(Occur::Must, scoring), (Occur::Must, Box::new(filter))]))
    }

    fn term_query(&self, field: Field, text: &str) -> Box<dyn Query> {
        Box::new(TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::WithFreqs))
    }
}

impl TextWriter {
    /// Deletes every chunk of a document.
    pub fn delete_document(&mut self, doc_id: &str) {
        self.writer.delete_term(Term::from_field_text(self.fields.doc_id, doc_id));
    }

    /// Adds a chunk.
    pub fn add(&mut self, record: &ChunkRecord) -> Result<()> {
        let f = self.fields;
        let chunk = &record.chunk;
        let mut document = doc!(
            f.chunk_id => chunk.id.as_str(),
            f.doc_id => chunk.doc_id.as_str(),
            f.locale => record.locale.as_str(),
            f.title => chunk.breadcrumb_line(),
            f.body => chunk.indexed_text(),
            f.bigrams => chunk.indexed_text(),
        );
        if let Some(doc_type) = &record.doc_type {
            document.add_text(f.doc_type, doc_type);
        }
        if let Some(product) = &record.product {
            document.add_text(f.product, product);
        }
        for tag in &chunk.tags {
            document.add_text(f.tags, tag);
        }
        self.writer.add_document(document).map_err(text_error)?;
        Ok(())
    }

    /// Makes the changes durable and visible to new readers.
    pub fn commit(mut self) -> Result<()> {
        self.writer.commit().map_err(text_error)?;
        self.writer.wait_merging_threads().map_err(text_error)
    }
}

impl Highlighter {
    /// The best fragment of `text` around the query's words, HTML-escaped, matches in `<b>`;
    /// the start of the text when no word matches.
    pub fn snippet(&self, text: &str) -> String {
        if let Some(generator) = &self.generator {
            let snippet = generator.snippet(text);
            if !snippet.highlighted().is_empty() {
                return highlight(snippet.fragment(), snippet.highlighted());
            }
        }
        let head: String = text.chars().take(self.max_chars).collect();
        let ellipsis = if head.len() < text.len() { "…" } else { "" };
        format!("{}{ellipsis}", html_escape(&head))
    }
}

/// `fragment` HTML-escaped with `ranges` in `<b>`. Ranges are clamped to the fragment:
/// tantivy ends a fragment at its last token, and jieba's search mode puts a short word after
/// the longer one containing it, so a highlighted word can reach past the fragment's end (where
/// tantivy's own `to_html` panics).
fn highlight(fragment: &str, ranges: &[std::ops::Range<usize>]) -> String {
    let mut ranges: Vec<(usize, usize)> =
        ranges.iter().map(|r| (r.start.min(fragment.len()), r.end.min(fragment.len()))).collect();
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(ranges.len());
    for (start, end) in ranges {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    let mut html = String::with_capacity(fragment.len() + 16);
    let mut done = 0;
    for (start, end) in merged {
        if start >= end || !fragment.is_char_boundary(start) || !fragment.is_char_boundary(end) {
            continue;
        }
        html.push_str(&html_escape(&fragment[done..start]));
        html.push_str("<b>");
        html.push_str(&html_escape(&fragment[start..end]));
        html.push_str("</b>");
        done = end;
    }
    html.push_str(&html_escape(&fragment[done..]));
    html
}

impl Fields {
    fn of(schema: &Schema) -> Result<Fields> {
        let field = |name: &str| {
            schema.get_field(name).map_err(|_| Error::TextIndex(format!("index has no `{name}` field")))
        };
        Ok(Fields {
            chunk_id: field("chunk_id")?,
            doc_id: field("doc_id")?,
            locale: field("locale")?,
            doc_type: field("doc_type")?,
            product: field("product")?,
            tags: field("tags")?,
            title: field("title")?,
            body: field("body")?,
            bigrams: field("bigrams")?,
        })
    }

    fn filter(&self, name: &str) -> Field {
        match name {
            "locale" => self.locale,
            "doc_type" => self.doc_type,
            "product" => self.product,
            _ => self.tags,
        }
    }
}

fn schema() -> Schema {
    let analysed = |tokenizer: &str| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(IndexRecordOption::WithFreqs),
        )
    };
    let mut builder = Schema::builder();
    builder.add_text_field("chunk_id", STRING | STORED);
    for name in ["doc_id", "locale", "doc_type", "product", "tags"] {
        builder.add_text_field(name, STRING);
    }
    builder.add_text_field("title", analysed(WORDS));
    builder.add_text_field("body", analysed(WORDS));
    builder.add_text_field("bigrams", analysed(BIGRAMS));
    builder.build()
}

fn unique_terms(tokens: Vec<Token>) -> BTreeSet<String> {
    tokens.into_iter().map(|t| t.term).collect()
}

/// Escapes `&`, `<`, `>`, `"` and `'` (snippets; passages quoted in an LLM prompt), so that the
/// text is safe in HTML content and in a quoted attribute of either kind.
pub fn html_escape(text: &str) -> String {
    ::html_escape::encode_quoted_attribute(text).into_owned()
}

fn text_error(e: tantivy::TantivyError) -> Error {
    Error::TextIndex(e.to_string())
}

/// tantivy adapter of [`analysis::words`].
#[derive(Clone)]
struct WordTokenizer;

/// tantivy adapter of [`analysis::han_bigrams`].
#[derive(Clone)]
struct BigramTokenizer;

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = VecTokenStream;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        VecTokenStream::new(analysis::words(text))
    }
}

impl Tokenizer for BigramTokenizer {
    type TokenStream<'a> = VecTokenStream;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        VecTokenStream::new(analysis::han_bigrams(text))
    }
}

struct VecTokenStream {
    tokens: Vec<TantivyToken>,
    next: usize,
}

impl VecTokenStream {
    fn new(tokens: Vec<Token>) -> Self {
        let tokens = tokens
            .into_iter()
            .enumerate()
            .map(|(position, t)| TantivyToken {
                offset_from: t.start,
                offset_to: t.end,
                position,
                text: t.term,
                position_length: 1,
            })
            .collect();
        VecTokenStream { tokens, next: 0 }
    }
}

impl TokenStream for VecTokenStream {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }

    fn token(&self) -> &TantivyToken {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut TantivyToken {
        &mut self.tokens[self.next - 1]
    }
}

#[cfg(test)]
mod tests {
    use super::{highlight, html_escape};

    #[test]
    fn html_escape_covers_both_quotes() {
        assert_eq!(
            html_escape(r#"<a href='x' title="y">&"#),
            "&lt;a href=&#x27;x&#x27; title=&quot;y&quot;&gt;&amp;"
        );
    }

    #[test]
    fn highlights_merge_overlaps_escape_and_stay_inside_the_fragment() {
        assert_eq!(highlight("a <b> c", &[(0..1), (2..5)]), "<b>a</b> <b>&lt;b&gt;</b> c");
        assert_eq!(highlight("不可以吗", &[(0..6), (3..9)]), "<b>不可以</b>吗");
        // A word reaching past the fragment (as tantivy reports after jieba's sub-words).
        assert_eq!(highlight("还可不可", &[(6..12), (9..15)]), "还可<b>不可</b>");
    }
}
