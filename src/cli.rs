//! The command line: argument parsing and output formatting around the library.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Parser, Subcommand};
use serde::Serialize;

use crate::answer::curated::{CuratedAnswer, NewCurated};
use crate::answer::{Answer, Answerer, Question};
use crate::config::Config;
use crate::embed::Embedder;
use crate::eval::{self, EvalOptions, report::Floor};
use crate::index::{DataDir, Index, SearchFilter};
use crate::indexer::{self, IngestOptions, IngestReport};
use crate::insights::Period;
use crate::retrieve::{Mode, Retriever, SearchRequest, SearchResults};
use crate::serve::{self, ServeOptions};
use crate::store::{Deleted, Store};
use crate::{Error, Result};

/// kefu: a retrieval-augmented FAQ engine for help centers.
#[derive(Debug, Parser)]
#[command(name = "kefu", version, about)]
pub struct Cli {
    /// Configuration file (default: $KEFU_CONFIG, else ./kefu.toml when present).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Index help-center files (Markdown, HTML, PDF, text, FAQ lists as CSV/JSON/JSONL).
    Ingest(IngestArgs),
    /// Search the index.
    Search(SearchArgs),
    /// Answer a question from the index, with citations (as `POST /v1/ask` does).
    Ask(AskArgs),
    /// Serve the HTTP API (answers, search, documents, health, metrics).
    Serve(ServeArgs),
    /// Measure retrieval and answers on a labelled question set (see docs/evaluation.md).
    Eval(EvalArgs),
    /// Measure personal data redaction on a labelled set of messages (see docs/privacy.md).
    EvalPii(EvalPiiArgs),
    /// Measure curated answers: paraphrases answered, other questions left alone (docs/curated.md).
    EvalCurated(EvalCuratedArgs),
    /// Measure product recommendations on a labelled set of requests (docs/recommendations.md).
    EvalRecommend(EvalRecommendArgs),
    /// Curated answers: add, list, history, remove (docs/curated.md).
    Answers(AnswersArgs),
    /// What customers ask and where the help center fails them: figures, topics, knowledge
    /// gaps, content health (docs/insights.md).
    Insights(InsightsArgs),
    /// Measure how questions are grouped into topics against gold groups (docs/insights.md).
    EvalTopics(EvalTopicsArgs),
    /// Show what the data folder holds.
    Status(StatusArgs),
    /// The conversation store: migrate, status, purge, export, delete (docs/store.md).
    Store(StoreArgs),
    /// Print the effective configuration (defaults < file < environment) as TOML.
    Config,
    /// Embed texts with the configured model, one JSON vector per line (for checking a model).
    Embed(EmbedArgs),
    /// Load documents sent on stdin, answering each as a JSON line (the sandboxed loader that
    /// `kefu ingest` starts; see `indexer::sandbox`).
    #[command(name = "__load-documents", hide = true)]
    LoadDocuments,
}

#[derive(Debug, Args)]
struct EmbedArgs {
    /// Texts to embed; without any, one JSON string per line is read from standard input.
    texts: Vec<String>,
    /// Embed as questions (the model's query prefix) or as chunks (its passage prefix).
    #[arg(long, value_enum, default_value = "query")]
    kind: TextKind,
    /// Model to use (overrides `embedding.model`): a folder, or a name under `<home>/models`.
    #[arg(long, value_name = "NAME|DIR")]
    model: Option<String>,
}

/// What a text is to the embedding model.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum TextKind {
    Query,
    Passage,
}

#[derive(Debug, Args)]
struct DataArg {
    /// Data folder of the index (overrides `data_dir`).
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct IngestArgs {
    /// Files and folders to index; document ids are paths relative to each folder.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    #[command(flatten)]
    data: DataArg,
    /// Remove documents whose files are no longer under the given paths.
    #[arg(long)]
    prune: bool,
    /// Rebuild the index from the given paths with the configured model (after a model change).
    #[arg(long)]
    reembed: bool,
    /// Print the report as one JSON object.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct SearchArgs {
    /// The question.
    query: String,
    #[command(flatten)]
    data: DataArg,
    /// Number of results (default: `search.k`).
    #[arg(long)]
    k: Option<usize>,
    /// Retrievers to use.
    #[arg(long, value_enum, default_value_t = Mode::Hybrid)]
    mode: Mode,
    /// Only documents in this locale (en, zh, ...).
    #[arg(long)]
    locale: Option<String>,
    /// Only documents of this type (policy, guide, product, faq, ...).
    #[arg(long)]
    doc_type: Option<String>,
    /// Only documents about this product.
    #[arg(long)]
    product: Option<String>,
    /// Only chunks with this tag (repeatable: all must match).
    #[arg(long = "tag")]
    tags: Vec<String>,
    /// Print the results as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct AskArgs {
    /// The question.
    question: String,
    #[command(flatten)]
    data: DataArg,
    /// The customer's locale (default: detected from the question).
    #[arg(long)]
    locale: Option<String>,
    /// Print the answer as JSON (the body `POST /v1/ask` returns).
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct ServeArgs {
    #[command(flatten)]
    data: DataArg,
    /// Address to listen on (default `server.addr`; port 0 picks a free port).
    #[arg(long, value_name = "HOST:PORT")]
    addr: Option<String>,
    /// Run without API keys when none is configured: local development only.
    #[arg(long)]
    open: bool,
    /// Also serve a demo shop page carrying the chat widget at `/demo` (it needs a publishable
    /// key).
    #[arg(long)]
    demo: bool,
}

#[derive(Debug, Args)]
struct EvalArgs {
    /// A BEIR-style folder (corpus.jsonl, queries.jsonl, qrels.tsv; its corpus is indexed in a
    /// folder of its own) or a kefu JSONL question set about the index in `--data`.
    #[arg(long, value_name = "PATH")]
    set: PathBuf,
    #[command(flatten)]
    data: DataArg,
    /// Retrieval modes to measure.
    #[arg(long, value_enum, value_delimiter = ',', default_value = "bm25,dense,hybrid")]
    modes: Vec<Mode>,
    /// Documents retrieved per question.
    #[arg(long, default_value_t = 100)]
    k: usize,
    /// Write report.json, summary.md and retrieval.svg into this folder.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Show the changes against an earlier report.json.
    #[arg(long, value_name = "REPORT")]
    compare: Option<PathBuf>,
    /// Exit with status 1 when a metric is below its floor, e.g. `hybrid.ndcg@10=0.7` or
    /// `answers.abstention_recall=0.8` (repeatable).
    #[arg(long = "fail-below", value_name = "METRIC=VALUE")]
    floors: Vec<Floor>,
    /// Choose the confidence threshold on the set's dev part and report answers at it, on the
    /// other questions.
    #[arg(long)]
    calibrate: bool,
    /// Skip the answer metrics.
    #[arg(long)]
    no_answers: bool,
    /// Print the summary as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct EvalPiiArgs {
    /// A JSONL set of messages labelled with their personal data (e.g. eval/sets/pii.jsonl).
    #[arg(long, value_name = "FILE")]
    set: PathBuf,
    /// Exit with status 1 when a metric is below its floor, e.g. `all.recall=0.9`,
    /// `phone.precision=0.95`, `kept=1` (repeatable).
    #[arg(long = "fail-below", value_name = "METRIC=VALUE")]
    floors: Vec<Floor>,
    /// Only the messages of this split (`dev` or `test`).
    #[arg(long)]
    split: Option<String>,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct EvalRecommendArgs {
    /// A JSONL set of requests for advice (e.g. eval/sets/recommend_en.jsonl).
    #[arg(long, value_name = "FILE")]
    set: PathBuf,
    #[command(flatten)]
    data: DataArg,
    /// Only the requests of this split (`dev` to tune, `test` to report); all by default.
    #[arg(long)]
    split: Option<String>,
    /// Kefu question sets whose questions must not be taken for requests for advice
    /// (e.g. eval/sets/messages_en.jsonl; repeatable).
    #[arg(long, value_name = "FILE")]
    negatives: Vec<PathBuf>,
    /// Exit with status 1 when a metric is below its floor, e.g. `hit@3=0.8` (repeatable).
    #[arg(long = "fail-below", value_name = "METRIC=VALUE")]
    floors: Vec<Floor>,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct EvalCuratedArgs {
    /// A JSONL set of unanswerable questions with paraphrases (e.g. eval/sets/curated.jsonl).
    #[arg(long, value_name = "FILE")]
    set: PathBuf,
    #[command(flatten)]
    data: DataArg,
    /// The half curated (`dev` to tune, `test` to report).
    #[arg(long, default_value = "dev")]
    split: String,
    /// Exit with status 1 when a metric is below its floor, e.g. `paraphrase_recall=0.6`,
    /// `answerable_kept=1` (repeatable).
    #[arg(long = "fail-below", value_name = "METRIC=VALUE")]
    floors: Vec<Floor>,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct AnswersArgs {
    /// Data folder holding the SQLite store `kefu.db` (overrides `data_dir`; unused with a
    /// PostgreSQL `store.url`).
    #[arg(long, value_name = "DIR", global = true)]
    data: Option<PathBuf>,
    #[command(subcommand)]
    action: AnswersAction,
}

#[derive(Debug, Subcommand)]
enum AnswersAction {
    /// Add a curated answer (a running `kefu serve` answers with it within its reload interval).
    Add {
        /// An example question (repeatable).
        #[arg(long = "question", value_name = "TEXT", required = true)]
        questions: Vec<String>,
        /// The answer.
        #[arg(long, value_name = "TEXT")]
        answer: String,
        /// `en` or `zh` (detected from the questions when absent).
        #[arg(long)]
        locale: Option<String>,
        /// The product it is about.
        #[arg(long)]
        product: Option<String>,
        /// A tag (repeatable).
        #[arg(long = "tag", value_name = "TAG")]
        tags: Vec<String>,
        /// Who writes it.
        #[arg(long, default_value = "cli")]
        author: String,
        /// Print it as JSON.
        #[arg(long)]
        json: bool,
    },
    /// The live curated answers.
    List {
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Every version of one curated answer.
    History {
        /// Its id.
        id: String,
    },
    /// Withdraw a curated answer (its history stays).
    Rm {
        /// Its id.
        id: String,
        /// Who removes it.
        #[arg(long, default_value = "cli")]
        author: String,
    },
}

#[derive(Debug, Args)]
struct InsightsArgs {
    /// First day (`YYYY-MM-DD`, in `insights.utc_offset`); default six days before `--to`.
    #[arg(long, value_name = "DATE")]
    from: Option<String>,
    /// Last day, included (`YYYY-MM-DD`); default today.
    #[arg(long, value_name = "DATE")]
    to: Option<String>,
    /// Write `report.html` (self-contained, with charts) and `insights.json` into this folder.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// The language of the report's own words: `en` or `zh`.
    #[arg(long, default_value = "en")]
    lang: String,
    #[command(flatten)]
    data: DataArg,
    /// Print the insights as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct EvalTopicsArgs {
    /// Sets: kefu JSONL files (grouped by gold document), curated sets (grouped by case), BEIR
    /// folders (grouped by judged document).
    #[arg(required = true)]
    sets: Vec<PathBuf>,
    /// Thresholds to sweep.
    #[arg(long, value_delimiter = ',', default_value = "0.80,0.82,0.84,0.86,0.88,0.90,0.92,0.94")]
    thresholds: Vec<f32>,
    /// The part measured: `dev` (to choose the threshold), `test` (to report), `all`.
    #[arg(long, default_value = "dev")]
    split: String,
    /// Questions kept per set, at most (the first ones).
    #[arg(long, default_value_t = 2000)]
    limit: usize,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct StatusArgs {
    #[command(flatten)]
    data: DataArg,
    /// Also check that the catalog and both indexes hold exactly the same chunks (exit code 1
    /// if not).
    #[arg(long)]
    verify: bool,
    /// Print as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct StoreArgs {
    /// Data folder holding the SQLite store `kefu.db` (overrides `data_dir`; unused with a
    /// PostgreSQL `store.url`).
    #[arg(long, value_name = "DIR", global = true)]
    data: Option<PathBuf>,
    #[command(subcommand)]
    action: StoreAction,
}

#[derive(Debug, Subcommand)]
enum StoreAction {
    /// Apply the schema migrations the database lacks (`kefu serve` does so at start-up too).
    Migrate,
    /// Schema version, conversations and turns stored.
    Status {
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Delete the conversations whose last turn is older than `store.retention_days`.
    Purge {
        /// Days to keep instead of `store.retention_days` (0 deletes every conversation).
        #[arg(long, value_name = "DAYS")]
        older_than_days: Option<u32>,
        /// Print what was deleted as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write the conversations, each with its turns, as JSON lines (oldest first).
    Export {
        /// File to write (default: standard output).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Only this external user's conversations.
        #[arg(long, value_name = "EXTERNAL_ID")]
        user: Option<String>,
    },
    /// Delete one conversation, or every conversation of one external user.
    Delete {
        /// The conversation's id.
        #[arg(long, value_name = "ID", conflicts_with = "user", required_unless_present = "user")]
        conversation: Option<String>,
        /// The shop's id of its customer.
        #[arg(long, value_name = "EXTERNAL_ID")]
        user: Option<String>,
        /// Print what was deleted as JSON.
        #[arg(long)]
        json: bool,
    },
}

impl Cli {
    /// The log level when `KEFU_LOG` is unset: a service logs its requests, commands only their
    /// warnings.
    pub fn default_log_filter(&self) -> &'static str {
        match self.command {
            Command::Serve(_) => "info,qdrant_edge=error,tower_http=info",
            _ => "warn,qdrant_edge=error",
        }
    }
}

/// Runs the command line.
pub fn run(cli: Cli) -> Result<ExitCode> {
    if let Command::LoadDocuments = &cli.command {
        crate::indexer::sandbox::serve(std::io::stdin().lock(), std::io::stdout().lock())
            .map_err(Error::io("<stdin>"))?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut config = Config::load(cli.config.as_deref())?;
    match cli.command {
        Command::Ingest(args) => {
            set_data(&mut config, &args.data);
            let options = IngestOptions {
                paths: args.paths,
                prune: args.prune,
                reembed: args.reembed,
                progress: !args.json && std::io::stderr().is_terminal(),
                loader_exe: std::env::current_exe().map_err(Error::io("current executable"))?,
            };
            let report = indexer::ingest(&config, &options)?;
            if args.json {
                print_json(&report)?;
            } else {
                to_stdout(|out| print_ingest_report(out, &report, &config.data_dir))?;
            }
        }
        Command::Search(args) => {
            set_data(&mut config, &args.data);
            let retriever = open_retriever(&config)?;
            let request = SearchRequest {
                query: args.query,
                k: args.k.unwrap_or(config.search.k),
                mode: args.mode,
                filter: SearchFilter {
                    locale: args.locale,
                    doc_type: args.doc_type,
                    product: args.product,
                    tags: args.tags,
                },
            };
            let results = retriever.search(&request)?;
            print_as(args.json, &results, print_results)?;
        }
        Command::Ask(args) => {
            set_data(&mut config, &args.data);
            let answer = runtime()?.block_on(ask(&config, &args))?;
            print_as(args.json, &answer, print_answer)?;
        }
        Command::Serve(args) => {
            set_data(&mut config, &args.data);
            let options = ServeOptions {
                addr: args.addr.unwrap_or_else(|| config.server.addr.clone()),
                open: args.open,
                demo: args.demo,
            };
            runtime()?.block_on(serve::run(config, options))?;
        }
        Command::Eval(args) => return eval(&config, args),
        Command::EvalPii(args) => {
            let report = eval::evaluate_pii(&config, &args.set, args.split.as_deref())?;
            print_as(args.json, &report, |out, report| write!(out, "{}", report.markdown()))?;
            return below_floors(&report.metrics(), &args.floors);
        }
        Command::EvalCurated(args) => {
            set_data(&mut config, &args.data);
            let report = eval::evaluate_curated(&config, &args.set, &args.split)?;
            print_as(args.json, &report, |out, report| write!(out, "{}", report.markdown()))?;
            return below_floors(&report.metrics(), &args.floors);
        }
        Command::EvalRecommend(args) => {
            set_data(&mut config, &args.data);
            let (report, metrics) =
                eval::evaluate_recommend(&config, &args.set, args.split.as_deref(), &args.negatives)?;
            let view = serde_json::json!({ "metrics": metrics, "report": report });
            print_as(args.json, &view, |out, _| write!(out, "{}", report.markdown(&metrics)))?;
            return below_floors(&metrics, &args.floors);
        }
        Command::Answers(args) => {
            if let Some(data) = args.data {
                config.data_dir = data;
            }
            runtime()?.block_on(answers(&config, args.action))?;
        }
        Command::Insights(args) => {
            set_data(&mut config, &args.data);
            runtime()?.block_on(insights(&config, &args))?;
        }
        Command::EvalTopics(args) => {
            let report = eval::topics::evaluate_topics(
                &config,
                &args.sets,
                &args.thresholds,
                &args.split,
                args.limit,
            )?;
            print_as(args.json, &report, |out, report| write!(out, "{}", report.markdown()))?;
        }
        Command::Status(args) => {
            set_data(&mut config, &args.data);
            let mut status = status(&config)?;
            if args.verify {
                let index = Index::open(&DataDir::new(&config.data_dir), &config)?;
                status.vectors_in_hnsw = Some(index.vectors().indexed_count());
                status.consistency = Some(index.verify()?);
            }
            if args.json {
                print_json(&status)?;
            } else {
                to_stdout(|out| write!(out, "{}", toml::to_string_pretty(&status).unwrap_or_default()))?;
            }
            if status.consistency.is_some_and(|c| !c.problems.is_empty()) {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Store(args) => {
            if let Some(data) = args.data {
                config.data_dir = data;
            }
            runtime()?.block_on(store(&config, args.action))?;
        }
        Command::Config => to_stdout(|out| write!(out, "{}", config.to_toml()))?,
        Command::Embed(args) => embed(&mut config, args)?,
        Command::LoadDocuments => unreachable!("handled above"),
    }
    Ok(ExitCode::SUCCESS)
}

/// `kefu embed`: vectors exactly as ingestion (passages) or search (queries) computes them.
fn embed(config: &mut Config, args: EmbedArgs) -> Result<()> {
    if let Some(model) = args.model {
        config.embedding.model = model;
    }
    let texts = if args.texts.is_empty() {
        std::io::stdin()
            .lines()
            .enumerate()
            .map(|(i, line)| {
                let line = line.map_err(Error::io("standard input"))?;
                serde_json::from_str::<String>(&line).map_err(|e| {
                    Error::InvalidRequest(format!("standard input, line {}: not a JSON string: {e}", i + 1))
                })
            })
            .collect::<Result<Vec<_>>>()?
    } else {
        args.texts
    };
    let embedder = Embedder::load(config)?;
    let vectors = match args.kind {
        TextKind::Passage => embedder.embed_passages(&texts, |_| {})?,
        TextKind::Query => texts.iter().map(|text| embedder.embed_query(text)).collect::<Result<_>>()?,
    };
    to_stdout(|out| vectors.iter().try_for_each(|v| writeln!(out, "{}", serde_json::json!(v))))
}

/// `kefu eval`: runs the evaluation, writes and prints its outputs, checks the floors.
fn eval(config: &Config, args: EvalArgs) -> Result<ExitCode> {
    if args.k == 0 {
        return Err(Error::InvalidRequest("--k must be at least 1".into()));
    }
    let options = EvalOptions {
        set: args.set,
        modes: args.modes,
        depth: args.k,
        answers: !args.no_answers,
        calibrate: args.calibrate,
        data: args.data.data,
        progress: std::io::stderr().is_terminal(),
    };
    let (report, ingested) = eval::evaluate(config, &options)?;
    if let Some(ingested) = ingested.filter(|r| r.added + r.changed + r.deleted > 0) {
        eprintln!(
            "indexed {} documents ({} chunks, {} embedded) in {:.1} s",
            ingested.documents, ingested.chunks, ingested.embedded, ingested.seconds
        );
    }
    if let Some(dir) = &args.out {
        eval::write_outputs(&report, dir)?;
    }
    if args.json {
        print_json(&report.summary())?;
    } else {
        to_stdout(|out| write!(out, "{}", report.markdown()))?;
    }
    if let Some(old) = &args.compare {
        let changes = eval::report::compare(&eval::read_report(old)?.flatten(), &report.flatten());
        let table = eval::report::render_changes(&changes);
        if args.json { eprint!("{table}") } else { to_stdout(|out| write!(out, "\n{table}"))? }
    }
    let failures =
        eval::report::check_floors(&report.flatten(), &args.floors).map_err(Error::InvalidRequest)?;
    for failure in &failures {
        eprintln!("below floor: {failure}");
    }
    Ok(if failures.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// Failure when a metric is below its floor (each one named on stderr), success otherwise.
fn below_floors(metrics: &eval::report::Metrics, floors: &[Floor]) -> Result<ExitCode> {
    let failures = eval::report::check_floors(metrics, floors).map_err(Error::InvalidRequest)?;
    for failure in &failures {
        eprintln!("below floor: {failure}");
    }
    Ok(if failures.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// `kefu answers …`.
async fn answers(config: &Config, action: AnswersAction) -> Result<()> {
    let store = Store::open(config).await?;
    let line = |out: &mut dyn Write, a: &CuratedAnswer| {
        writeln!(
            out,
            "{} v{} [{}] by {}: {:?} → {:?}",
            a.id, a.version, a.locale, a.author, a.questions, a.answer
        )
    };
    match action {
        AnswersAction::Add { questions, answer, locale, product, tags, author, json } => {
            let new = NewCurated {
                questions,
                answer,
                locale: locale.unwrap_or_default(),
                product,
                tags,
                author,
                source: None,
            }
            .checked(config.server.max_question_chars)?;
            let added = store.add_curated(&new).await?;
            print_as(json, &added, |out, a| line(out, a))
        }
        AnswersAction::List { json } => {
            let live = store.curated_answers().await?;
            print_as(json, &live, |out, live| live.iter().try_for_each(|a| line(out, a)))
        }
        AnswersAction::History { id } => {
            let versions = store.curated_history(&id).await?;
            if versions.is_empty() {
                return Err(Error::NotFound(format!("no curated answer `{id}`")));
            }
            print_json(&versions)
        }
        AnswersAction::Rm { id, author } => {
            let removed = store.remove_curated(&id, &author).await?;
            to_stdout(|out| writeln!(out, "removed {} (version {})", removed.id, removed.version))
        }
    }
}

/// `kefu store …`.
async fn store(config: &Config, action: StoreAction) -> Result<()> {
    let print_deleted = |json: bool, deleted: Deleted| {
        print_as(json, &deleted, |out, d| {
            writeln!(out, "deleted {} conversations, {} turns", d.conversations, d.turns)
        })
    };
    match action {
        StoreAction::Status { json } => {
            let status = Store::connect(config, false).await?.status().await?;
            print_as(json, &status, |out, s| write!(out, "{}", toml::to_string_pretty(s).unwrap_or_default()))
        }
        StoreAction::Migrate => {
            let store = Store::connect(config, true).await?;
            let version = store.migrate().await?;
            to_stdout(|out| writeln!(out, "{} store at schema version {version}", store.backend()))
        }
        StoreAction::Purge { older_than_days, json } => {
            let days = older_than_days.unwrap_or(config.store.retention_days);
            if older_than_days.is_none() && days == 0 {
                return to_stdout(|out| writeln!(out, "store.retention_days is 0: conversations are kept"));
            }
            print_deleted(json, Store::open(config).await?.purge(days).await?)
        }
        StoreAction::Delete { conversation, user, json } => {
            let store = Store::open(config).await?;
            let deleted = match (conversation, user) {
                (Some(id), _) => store.delete_conversation(&id).await?,
                (None, Some(user)) => store.delete_user(&user).await?,
                (None, None) => unreachable!("clap requires --conversation or --user"),
            };
            print_deleted(json, deleted)
        }
        StoreAction::Export { out, user } => {
            let store = Store::open(config).await?;
            let (mut writer, name): (Box<dyn Write>, PathBuf) = match &out {
                Some(path) => {
                    let file = std::fs::File::create(path).map_err(Error::io(path))?;
                    (Box::new(std::io::BufWriter::new(file)), path.clone())
                }
                None => (Box::new(std::io::BufWriter::new(std::io::stdout().lock())), "<stdout>".into()),
            };
            let count = store
                .export(user.as_deref(), |conversation| {
                    let line =
                        serde_json::to_string(conversation).map_err(|e| Error::Internal(e.to_string()))?;
                    writeln!(writer, "{line}").map_err(Error::io(&name))
                })
                .await?;
            writer.flush().map_err(Error::io(&name))?;
            drop(writer);
            if out.is_some() {
                to_stdout(|out| writeln!(out, "exported {count} conversations to {}", name.display()))?;
            }
            Ok(())
        }
    }
}

/// Loads the model and opens a retriever over the live generation.
async fn insights(config: &Config, args: &InsightsArgs) -> Result<()> {
    let language = crate::insights::report::Language::parse(&args.lang)?;
    let period = Period::from_dates(
        args.from.as_deref(),
        args.to.as_deref(),
        config.insights.offset_minutes()?,
        crate::store::now_ms(),
    )?;
    let store = Store::open(config).await?;
    let retriever = Arc::new(open_retriever(config).map_err(|e| match e {
        // The embedded vector index is one process's at a time.
        Error::Busy(why) => Error::Busy(format!(
            "{why}; while `kefu serve` runs on this data folder, ask it instead: \
             GET /v1/admin/insights (add ?format=html for the report)"
        )),
        other => other,
    })?);
    let insights = crate::insights::gather(config, &store, retriever, period).await?;
    if let Some(dir) = &args.out {
        std::fs::create_dir_all(dir).map_err(Error::io(dir))?;
        let write = |name: &str, text: String| {
            let path = dir.join(name);
            std::fs::write(&path, text).map_err(Error::io(&path))
        };
        write("report.html", crate::insights::report::html(&insights, language))?;
        write(
            "insights.json",
            serde_json::to_string_pretty(&insights).map_err(|e| Error::Internal(e.to_string()))?,
        )?;
    }
    print_as(args.json, &insights, |out, insights| {
        write!(out, "{}", crate::insights::report::summary(insights))
    })
}

fn open_retriever(config: &Config) -> Result<Retriever> {
    Retriever::open(config, Arc::new(Embedder::load(config)?))
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(Error::io("tokio runtime"))
}

async fn ask(config: &Config, args: &AskArgs) -> Result<Answer> {
    let answerer = Answerer::new(&config.answer)?.with_redactor(config.privacy.redactor());
    let retriever = Arc::new(open_retriever(config)?);
    let question = Question {
        text: args.question.clone(),
        retrieval_query: args.question.clone(),
        locale: args.locale.clone(),
        ..Question::default()
    };
    answerer.answer(retriever, question, None).await
}

fn print_answer(out: &mut impl Write, answer: &Answer) -> std::io::Result<()> {
    writeln!(out, "{}", answer.answer)?;
    if let Some(notice) = &answer.notice {
        writeln!(out, "({notice})")?;
    }
    writeln!(out)?;
    for citation in &answer.citations {
        let url = citation.url.as_deref().map(|u| format!(" · {u}")).unwrap_or_default();
        writeln!(out, "[{}] {} · {}{url}", citation.n, citation.breadcrumb, citation.doc_id)?;
    }
    let handoff = match (&answer.handoff.needed, &answer.handoff.reason) {
        (true, Some(reason)) => {
            format!(", hand over to a human ({})", reason.as_str())
        }
        _ => String::new(),
    };
    writeln!(
        out,
        "(confidence {:.2}{}{handoff}; {:.1} ms)",
        answer.confidence,
        if answer.abstained { ", abstained" } else { "" },
        answer.timings.total_ms
    )
}

fn set_data(config: &mut Config, data: &DataArg) {
    if let Some(dir) = &data.data {
        config.data_dir = dir.clone();
    }
}

/// What `kefu status` shows.
#[derive(Debug, Serialize)]
struct Status {
    data_dir: String,
    generation: Option<u64>,
    model: Option<String>,
    documents: usize,
    chunks: usize,
    bytes: DiskUsage,
    #[serde(skip_serializing_if = "Option::is_none")]
    vectors_in_hnsw: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    consistency: Option<crate::index::Consistency>,
    /// Passages answers never quote (docs/answering.md, "Passages never quoted").
    unsafe_passages: Vec<UnsafePassage>,
    /// Sentences of different documents that state conflicting numbers for the same rule (at
    /// most [`MAX_LISTED_CONFLICTS`]).
    conflicts: Vec<ConflictingPair>,
}

/// Most conflicting pairs `kefu status` lists.
const MAX_LISTED_CONFLICTS: usize = 100;

#[derive(Debug, Serialize)]
struct UnsafePassage {
    doc_id: String,
    chunk_id: String,
    hazard: &'static str,
}

#[derive(Debug, Serialize)]
struct ConflictingPair {
    a: Statement,
    b: Statement,
}

#[derive(Debug, Serialize)]
struct Statement {
    doc_id: String,
    chunk_id: String,
    sentence: String,
}

#[derive(Debug, Serialize)]
struct DiskUsage {
    catalog: u64,
    text_index: u64,
    vector_index: u64,
    embedding_cache: u64,
}

fn status(config: &Config) -> Result<Status> {
    let data = DataDir::new(&config.data_dir);
    let generation = data.current()?;
    let gen_dir = generation.map(|g| data.generation(g));
    let size = |sub: &str| gen_dir.as_ref().map_or(0, |d| disk_usage(&d.join(sub)));
    let catalog =
        gen_dir.as_ref().map(|dir| crate::index::Catalog::open_read_only(&dir.join("catalog.redb")));
    let catalog = catalog.transpose()?;
    let info = catalog.as_ref().map(|c| c.info()).transpose()?.flatten();
    let chunks = match &catalog {
        Some(catalog) => catalog.chunks(&catalog.chunk_ids()?)?.into_iter().flatten().collect(),
        None => Vec::new(),
    };
    let (unsafe_passages, conflicts) = content_problems(&chunks);
    Ok(Status {
        data_dir: config.data_dir.display().to_string(),
        generation,
        model: info.as_ref().map(|i| i.model.clone()),
        documents: info.as_ref().map_or(0, |i| i.documents),
        chunks: info.as_ref().map_or(0, |i| i.chunks),
        bytes: DiskUsage {
            catalog: size("catalog.redb"),
            text_index: size("text"),
            vector_index: size("vectors"),
            embedding_cache: disk_usage(&data.embedding_cache()),
        },
        vectors_in_hnsw: None,
        consistency: None,
        unsafe_passages,
        conflicts,
    })
}

/// Chunks answers never quote, and conflicting statements among the others.
fn content_problems(chunks: &[crate::index::ChunkRecord]) -> (Vec<UnsafePassage>, Vec<ConflictingPair>) {
    use crate::answer::{conflicts, safety};
    let mut unsafe_passages = Vec::new();
    let mut safe = Vec::new();
    for record in chunks {
        let chunk = &record.chunk;
        match safety::chunk_hazard(chunk) {
            Some(hazard) => unsafe_passages.push(UnsafePassage {
                doc_id: chunk.doc_id.clone(),
                chunk_id: chunk.id.clone(),
                hazard: hazard.as_str(),
            }),
            None => safe.push(chunk),
        }
    }
    let sources: Vec<conflicts::Source> =
        safe.iter().map(|c| conflicts::Source { group: &c.doc_id, text: &c.text }).collect();
    let statement = |i: usize, sentence: std::ops::Range<usize>| Statement {
        doc_id: safe[i].doc_id.clone(),
        chunk_id: safe[i].id.clone(),
        sentence: safe[i].text[sentence].to_string(),
    };
    let conflicts = conflicts::find(&sources, MAX_LISTED_CONFLICTS)
        .into_iter()
        .map(|c| ConflictingPair { a: statement(c.a, c.a_sentence), b: statement(c.b, c.b_sentence) })
        .collect();
    (unsafe_passages, conflicts)
}

/// Bytes allocated on disk under `path` (sparse files count what they use).
fn disk_usage(path: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    let Ok(meta) = std::fs::symlink_metadata(path) else { return 0 };
    if meta.is_dir() {
        std::fs::read_dir(path)
            .map(|entries| entries.filter_map(|e| e.ok()).map(|e| disk_usage(&e.path())).sum())
            .unwrap_or(0)
    } else {
        meta.blocks() * 512
    }
}

/// Writes to stdout. A reader that went away (`kefu search … | head`) ends the output quietly
/// instead of failing the command.
fn to_stdout(print: impl FnOnce(&mut std::io::StdoutLock<'static>) -> std::io::Result<()>) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match print(&mut out).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        result => result.map_err(Error::io("stdout")),
    }
}

/// Prints `value` as JSON, or as text with `text`.
fn print_as<T: Serialize>(
    json: bool,
    value: &T,
    text: impl FnOnce(&mut std::io::StdoutLock<'static>, &T) -> std::io::Result<()>,
) -> Result<()> {
    if json { print_json(value) } else { to_stdout(|out| text(out, value)) }
}

fn print_json(value: &impl Serialize) -> Result<()> {
    let json = serde_json::to_string(value).map_err(|e| Error::InvalidRequest(e.to_string()))?;
    to_stdout(|out| writeln!(out, "{json}"))
}

fn print_ingest_report(out: &mut impl Write, report: &IngestReport, data_dir: &Path) -> std::io::Result<()> {
    writeln!(
        out,
        "{} documents, {} chunks in {} (generation {})",
        report.documents,
        report.chunks,
        data_dir.display(),
        report.generation.map_or("none".to_string(), |g| g.to_string())
    )?;
    writeln!(
        out,
        "added {}, changed {}, unchanged {}, deleted {}; embedded {} chunks, reused {} from the cache; {:.1} s",
        report.added,
        report.changed,
        report.unchanged,
        report.deleted,
        report.embedded,
        report.reused,
        report.seconds
    )?;
    for skipped in &report.skipped {
        writeln!(out, "skipped {}: {}", skipped.path, skipped.reason)?;
    }
    Ok(())
}

fn print_results(out: &mut impl Write, results: &SearchResults) -> std::io::Result<()> {
    let terminal = std::io::stdout().is_terminal();
    if results.results.is_empty() {
        writeln!(out, "no results ({:.1} ms)", results.took_ms)?;
    }
    for (i, hit) in results.results.iter().enumerate() {
        writeln!(out, "{:>2}. {:.4}  {}", i + 1, hit.score, hit.breadcrumb)?;
        let url = hit.url.as_deref().map(|u| format!(" · {u}")).unwrap_or_default();
        writeln!(out, "    {}{url} · chunk {}", hit.doc_id, hit.chunk_id)?;
        writeln!(out, "    {}", render_snippet(&hit.snippet, terminal))?;
    }
    if !results.results.is_empty() {
        writeln!(out, "({} results, {:.1} ms)", results.results.len(), results.took_ms)?;
    }
    Ok(())
}

/// Snippet HTML to terminal text: `<b>` becomes bold (or `**` when not a terminal).
fn render_snippet(html: &str, terminal: bool) -> String {
    let (on, off) = if terminal { ("\x1b[1m", "\x1b[0m") } else { ("**", "**") };
    html.replace("<b>", on)
        .replace("</b>", off)
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
        .replace('\n', " ")
}
