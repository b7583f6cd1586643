//! The conversation store: every conversation and its turns, in SQLite (the default: `kefu.db`
//! in the data folder, nothing to start) or in PostgreSQL (`store.url = "postgres://…"`, shared
//! by several `kefu serve` replicas). docs/store.md describes the schema and the guarantees.
//!
//! [`Store`] is one type over both backends: an enum of the two sqlx pools, and each operation's
//! SQL written once and compiled for each backend by `on_backend!`. Not a trait object: async
//! methods are not dyn-compatible without boxing every future, and two implementations of one
//! trait would be twins of the same SQL. The enum keeps one text per query, type-checked by the
//! compiler against both drivers; only the migrations (`migrations/sqlite`, `migrations/postgres`:
//! BIGINT, JSONB) differ. Migrations are embedded in the binary and run at start-up.

mod record;

use std::path::Path;
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;
use sqlx::ConnectOptions;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::types::Json;

pub use browse::{ConversationFilter, ConversationSummary, Cursor};
pub use curated::CuratedVersion;
pub use insights::{PlacedQuestion, TopicState, question_key};
pub use orders::OrderCheck;
pub use record::{
    ConversationHead, FeedbackKind, FeedbackReason, NewConversation, NewFeedback, NewTurn, Recorded, Role,
    StoredConversation, StoredFeedback, StoredTurn,
};
pub use tickets::{OutboxEntry, StoredTicket, TicketEvent, TicketOpening, TicketRow};

use crate::config::Config;
use crate::{Error, Result};

/// The SQLite database's file name in the data folder.
pub const DATABASE_FILE: &str = "kefu.db";
/// How long a SQLite writer waits for another one to commit before failing.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// How long an operation waits for a connection of the pool.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);
/// Conversations read at a time by an export.
const EXPORT_PAGE: i64 = 200;
/// Milliseconds in a day.
const DAY_MS: i64 = 86_400_000;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("migrations/postgres");

/// The conversation store (cheap to clone: the pool is shared).
#[derive(Debug, Clone)]
pub struct Store {
    backend: Backend,
}

#[derive(Debug, Clone)]
enum Backend {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the backend's pool: the body is compiled once per backend.
macro_rules! on_backend {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.backend {
            Backend::Sqlite($pool) => $body,
            Backend::Postgres($pool) => $body,
        }
    };
}

/// Which conversations a deletion takes.
#[derive(Debug, Clone, Copy)]
enum Scope<'a> {
    Conversation(&'a str),
    User(&'a str),
    UpdatedBefore(i64),
}

impl Scope<'_> {
    /// Which turns it takes: a condition on `turns` with one parameter.
    fn turns(self) -> &'static str {
        match self {
            Scope::Conversation(_) => "conversation_id = $1",
            Scope::User(_) => "conversation_id IN (SELECT id FROM conversations WHERE external_user_id = $1)",
            Scope::UpdatedBefore(_) => {
                "conversation_id IN (SELECT id FROM conversations WHERE updated_at < $1)"
            }
        }
    }

    /// The conversations' `DELETE`, with one parameter.
    fn conversations(self) -> &'static str {
        match self {
            Scope::Conversation(_) => "DELETE FROM conversations WHERE id = $1",
            Scope::User(_) => "DELETE FROM conversations WHERE external_user_id = $1",
            Scope::UpdatedBefore(_) => "DELETE FROM conversations WHERE updated_at < $1",
        }
    }
}

impl Scope<'_> {
    /// The questions of the conversations it takes, whose topic placements go with them; `None`
    /// for a purge by age, which takes the placements last seen before the same time.
    fn questions(self) -> Option<&'static str> {
        match self {
            Scope::Conversation(_) => Some(
                "SELECT COALESCE(resolved_query, text) FROM turns WHERE role = 'customer' AND conversation_id = $1",
            ),
            Scope::User(_) => Some(
                "SELECT COALESCE(resolved_query, text) FROM turns WHERE role = 'customer' AND conversation_id IN \
                 (SELECT id FROM conversations WHERE external_user_id = $1)",
            ),
            Scope::UpdatedBefore(_) => None,
        }
    }
}

/// Binds a [`Scope`]'s one parameter.
macro_rules! bind_scope {
    ($query:expr, $scope:expr) => {
        match $scope {
            Scope::Conversation(value) | Scope::User(value) => $query.bind(value),
            Scope::UpdatedBefore(ms) => $query.bind(ms),
        }
    };
}

/// What a deletion removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Deleted {
    /// Conversations deleted.
    pub conversations: u64,
    /// Turns deleted.
    pub turns: u64,
}

/// What `kefu store status` prints.
#[derive(Debug, Clone, Serialize)]
pub struct StoreStatus {
    /// `sqlite` or `postgres`.
    pub backend: &'static str,
    /// The database file (SQLite) or the server's host and database (PostgreSQL); no password.
    pub location: String,
    /// The last migration applied (0: none).
    pub schema_version: i64,
    /// The last migration this binary knows.
    pub latest_schema_version: i64,
    /// Conversations stored.
    pub conversations: i64,
    /// Turns stored.
    pub turns: i64,
    /// Last activity of the least recently active conversation (Unix ms).
    pub oldest_updated_at_ms: Option<i64>,
    /// Last activity of the most recently active conversation (Unix ms).
    pub newest_updated_at_ms: Option<i64>,
    /// Tickets open or assigned.
    pub active_tickets: i64,
    /// Webhooks waiting to be delivered.
    pub webhooks_pending: i64,
    /// Webhooks given up on (`GET /v1/webhooks?state=dead`).
    pub webhooks_dead: i64,
    /// Distinct customer questions placed into topics by the insights (all models).
    pub placed_questions: i64,
}

/// `SELECT`s the columns of conversations that [`StoredConversation`] reads, then `$rest`.
macro_rules! select_conversations {
    ($rest:literal) => {
        concat!(
            "SELECT id, owner_key, external_user_id, channel, created_at AS created_at_ms, ",
            "updated_at AS updated_at_ms FROM conversations ",
            $rest
        )
    };
}

/// Columns of a turn, and the placeholders of `rows` turns in one `INSERT` (19 a turn).
pub(crate) fn turns_insert(rows: usize) -> String {
    const COLUMNS: usize = 19;
    let values: Vec<String> = (0..rows)
        .map(|r| {
            let row: Vec<String> = (1..=COLUMNS).map(|c| format!("${}", r * COLUMNS + c)).collect();
            format!("({})", row.join(", "))
        })
        .collect();
    format!(
        "INSERT INTO turns (conversation_id, seq, role, actor, text, resolved_query, citations, confidence, \
         abstained, handoff_reason, generator, language, index_generation, total_ms, timings, frustration, \
         ticket_id, channel, created_at) VALUES {}",
        values.join(", ")
    )
}

/// Inserts `$turns` into conversation `$id` in transaction `$tx` as seqs `$first`, `$first` + 1,
/// …, in one statement.
macro_rules! insert_turns {
    ($tx:expr, $id:expr, $turns:expr, $first:expr, $channel:expr, $now:expr) => {{
        if !$turns.is_empty() {
            let sql = $crate::store::turns_insert($turns.len());
            let mut insert = sqlx::query(&sql);
            for (seq, turn) in ($first..).zip($turns) {
                insert = insert
                    .bind($id)
                    .bind(seq)
                    .bind(turn.role.as_str())
                    .bind(&turn.actor)
                    .bind(&turn.text)
                    .bind(&turn.resolved_query)
                    .bind(turn.citations.as_ref().map(Json))
                    .bind(turn.confidence)
                    .bind(turn.abstained)
                    .bind(&turn.handoff_reason)
                    .bind(&turn.generator)
                    .bind(&turn.language)
                    .bind(turn.index_generation)
                    .bind(turn.total_ms)
                    .bind(turn.timings.as_ref().map(Json))
                    .bind(turn.frustration.as_ref().map(Json))
                    .bind(&turn.ticket_id)
                    .bind($channel)
                    .bind($now);
            }
            insert.execute(&mut *$tx).await.map_err(failed)?;
        }
    }};
}

/// Appends `$turns` to conversation `$id` in transaction `$tx` (numbered after its last turn,
/// its `updated_at` set to `$now`); evaluates to the seq of the last one. A conversation that
/// does not exist is `conversation_not_found`.
macro_rules! append_turns {
    ($tx:expr, $id:expr, $turns:expr, $now:expr) => {{
        const CONTINUE: &str = "UPDATE conversations SET last_seq = last_seq + $1, updated_at = $2 WHERE id = $3 \
             RETURNING last_seq, channel";
        let count = $turns.len() as i64;
        let (last, channel): (i64, String) = sqlx::query_as(CONTINUE)
            .bind(count)
            .bind($now)
            .bind($id)
            .fetch_optional(&mut *$tx)
            .await
            .map_err(failed)?
            .ok_or_else(|| not_found($id))?;
        insert_turns!($tx, $id, $turns, last - count + 1, &channel, $now);
        last
    }};
}
mod browse;
mod curated;
mod exchanges;
mod insights;
mod orders;
mod tickets;

impl Store {
    /// Connects to the configured store and brings its schema up to date (what `kefu serve`
    /// does at start-up). The SQLite file and the data folder are created when missing.
    pub async fn open(config: &Config) -> Result<Store> {
        let store = Store::connect(config, true).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Connects without migrating. With `create` false a missing SQLite file is an error rather
    /// than a new empty store (a mistyped `--data` must not look like an empty store).
    pub async fn connect(config: &Config, create: bool) -> Result<Store> {
        let pool_size = config.store.pool_size;
        let backend = match config.store.url.as_deref() {
            Some(url) => {
                let options = PgConnectOptions::from_str(url)
                    .map_err(|e| Error::Config(format!("`store.url`: {e}")))?
                    .disable_statement_logging();
                let pool = PgPoolOptions::new()
                    .max_connections(pool_size)
                    .acquire_timeout(ACQUIRE_TIMEOUT)
                    .connect_with(options)
                    .await
                    .map_err(|e| Error::Store(format!("cannot connect to PostgreSQL: {e}")))?;
                Backend::Postgres(pool)
            }
            None => {
                let path = config.data_dir.join(DATABASE_FILE);
                if create {
                    std::fs::create_dir_all(&config.data_dir).map_err(Error::io(&config.data_dir))?;
                } else if !path.is_file() {
                    return Err(Error::Store(format!(
                        "no conversation store at {} (`kefu store migrate` or `kefu serve` creates it)",
                        path.display()
                    )));
                }
                Backend::Sqlite(sqlite_pool(&path, pool_size, create, config.store.sqlite_synchronous).await?)
            }
        };
        Ok(Store { backend })
    }

    /// Applies the migrations this binary has and the database lacks; returns the schema
    /// version. Replicas starting at once are serialised by the migrator's lock.
    pub async fn migrate(&self) -> Result<i64> {
        on_backend!(self, pool => self.migrator().run(pool).await)
            .map_err(|e| Error::Store(format!("migration failed: {e}")))?;
        Ok(self.latest_schema_version())
    }

    fn migrator(&self) -> &'static Migrator {
        match self.backend {
            Backend::Sqlite(_) => &SQLITE_MIGRATIONS,
            Backend::Postgres(_) => &POSTGRES_MIGRATIONS,
        }
    }

    fn latest_schema_version(&self) -> i64 {
        self.migrator().iter().map(|m| m.version).max().unwrap_or(0)
    }

    /// `sqlite` or `postgres`.
    pub fn backend(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    /// Who owns conversation `id` and the query its last customer turn was answered with; `None`
    /// when there is no such conversation.
    pub async fn head(&self, id: &str) -> Result<Option<ConversationHead>> {
        const SQL: &str = "SELECT c.owner_key, c.external_user_id, \
             (SELECT t.resolved_query FROM turns t WHERE t.conversation_id = c.id AND t.role = 'customer' \
              ORDER BY t.seq DESC LIMIT 1) AS previous_query \
             FROM conversations c WHERE c.id = $1";
        on_backend!(self, pool => sqlx::query_as(SQL).bind(id).fetch_optional(pool).await).map_err(failed)
    }

    /// The texts of the last `limit` customer turns of conversation `id`, oldest first.
    pub async fn customer_messages(&self, id: &str, limit: usize) -> Result<Vec<String>> {
        const SQL: &str = "SELECT text FROM turns WHERE conversation_id = $1 AND role = 'customer' \
             ORDER BY seq DESC LIMIT $2";
        let rows: Vec<(String,)> =
            on_backend!(self, pool => sqlx::query_as(SQL).bind(id).bind(limit as i64).fetch_all(pool).await)
                .map_err(failed)?;
        Ok(rows.into_iter().rev().map(|(text,)| text).collect())
    }

    /// Records `turns` in one transaction, starting the conversation first when `start` is given
    /// (then `id` is its id), numbering them after the conversation's last turn, with what they
    /// do to a ticket (`event`). Returns once committed, with the last turn's number and the
    /// ticket opened if one was. A conversation deleted meanwhile is `conversation_not_found`.
    pub async fn record(
        &self,
        id: &str,
        start: Option<&NewConversation>,
        turns: &[NewTurn],
        event: Option<&TicketEvent>,
    ) -> Result<Recorded> {
        const START: &str = "INSERT INTO conversations \
             (id, owner_key, external_user_id, channel, last_seq, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6)";
        let now = now_ms();
        on_backend!(self, pool => {
            let mut tx = pool.begin().await.map_err(failed)?;
            let last = match start {
                Some(new) => {
                    // A new conversation: its turns are 1, 2, … (one statement fewer).
                    let count = turns.len() as i64;
                    sqlx::query(START)
                        .bind(id)
                        .bind(&new.owner_key)
                        .bind(&new.external_user_id)
                        .bind(&new.channel)
                        .bind(count)
                        .bind(now)
                        .execute(&mut *tx)
                        .await
                        .map_err(failed)?;
                    insert_turns!(tx, id, turns, 1i64, &new.channel, now);
                    count
                }
                None => append_turns!(tx, id, turns, now),
            };
            let opened = match event {
                Some(event) => tickets::apply_event!(tx, id, event, last, now),
                None => None,
            };
            // The crash tests kill the process here: no reply may have been sent yet.
            crate::failpoint::hit("store-before-commit");
            tx.commit().await.map_err(failed)?;
            Ok(Recorded { last_seq: last, ticket: opened })
        })
    }

    /// Conversation `id` with its turns in order, or `None`.
    pub async fn conversation(&self, id: &str) -> Result<Option<StoredConversation>> {
        const SQL: &str = select_conversations!("WHERE id = $1");
        let found: Option<StoredConversation> =
            on_backend!(self, pool => sqlx::query_as(SQL).bind(id).fetch_optional(pool).await)
                .map_err(failed)?;
        match found {
            Some(mut conversation) => {
                conversation.turns = self.turns(id).await?;
                conversation.feedback = self.feedback(id).await?;
                Ok(Some(conversation))
            }
            None => Ok(None),
        }
    }

    async fn turns(&self, id: &str) -> Result<Vec<StoredTurn>> {
        self.turns_after(id, 0).await
    }

    /// The turns of conversation `id` after turn `after`, in order.
    pub async fn turns_after(&self, id: &str, after: i64) -> Result<Vec<StoredTurn>> {
        const SQL: &str = "SELECT seq, role, actor, text, resolved_query, citations, confidence, abstained, \
             handoff_reason, generator, language, index_generation, total_ms, timings, frustration, ticket_id, \
             channel, created_at AS created_at_ms FROM turns WHERE conversation_id = $1 AND seq > $2 ORDER BY seq";
        on_backend!(self, pool => sqlx::query_as(SQL).bind(id).bind(after).fetch_all(pool).await)
            .map_err(failed)
    }

    /// The ratings of conversation `id`: its answers' thumbs, then its CSAT.
    pub async fn feedback(&self, id: &str) -> Result<Vec<StoredFeedback>> {
        const SQL: &str = "SELECT turn_seq, kind, score, reason, comment, created_at AS created_at_ms \
             FROM feedback WHERE conversation_id = $1 ORDER BY turn_seq, kind";
        on_backend!(self, pool => sqlx::query_as(SQL).bind(id).fetch_all(pool).await).map_err(failed)
    }

    /// Records a rating of conversation `id`, replacing an earlier one of the same answer (or the
    /// earlier CSAT). A rating of a turn that is not one of kefu's answers is refused.
    pub async fn record_feedback(&self, id: &str, feedback: &NewFeedback) -> Result<()> {
        const ROLE: &str = "SELECT role FROM turns WHERE conversation_id = $1 AND seq = $2";
        const UPSERT: &str = "INSERT INTO feedback \
             (conversation_id, turn_seq, kind, score, reason, comment, actor, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (conversation_id, turn_seq, kind) DO UPDATE SET score = excluded.score, \
             reason = excluded.reason, comment = excluded.comment, actor = excluded.actor, \
             created_at = excluded.created_at";
        let reason = feedback.reason.map(FeedbackReason::as_str);
        on_backend!(self, pool => {
            let mut tx = pool.begin().await.map_err(failed)?;
            if feedback.kind == FeedbackKind::Thumbs {
                let role: Option<(String,)> = sqlx::query_as(ROLE)
                    .bind(id)
                    .bind(feedback.turn_seq)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(failed)?;
                if role.is_none_or(|(role,)| role != Role::Bot.as_str()) {
                    return Err(Error::InvalidField {
                        code: "invalid_feedback_turn",
                        field: "turn",
                        message: format!("turn {} of this conversation is not one of kefu's answers", feedback.turn_seq),
                    });
                }
            }
            sqlx::query(UPSERT)
                .bind(id)
                .bind(feedback.turn_seq)
                .bind(feedback.kind.as_str())
                .bind(feedback.score)
                .bind(reason)
                .bind(&feedback.comment)
                .bind(&feedback.actor)
                .bind(now_ms())
                .execute(&mut *tx)
                .await
                .map_err(failed)?;
            tx.commit().await.map_err(failed)
        })
    }

    /// Deletes conversation `id` and its turns.
    pub async fn delete_conversation(&self, id: &str) -> Result<Deleted> {
        self.delete(Scope::Conversation(id)).await
    }

    /// Deletes every conversation of one external user (a PIPL/GDPR erasure request).
    pub async fn delete_user(&self, external_user_id: &str) -> Result<Deleted> {
        self.delete(Scope::User(external_user_id)).await
    }

    /// Deletes the conversations whose last turn is more than `retention_days` old.
    pub async fn purge(&self, retention_days: u32) -> Result<Deleted> {
        self.delete(Scope::UpdatedBefore(now_ms() - i64::from(retention_days) * DAY_MS)).await
    }

    async fn delete(&self, scope: Scope<'_>) -> Result<Deleted> {
        let turns_sql = format!("DELETE FROM turns WHERE {}", scope.turns());
        // The insights' kept days made from these turns go with them (src/store/exchanges.rs).
        let days_sql = format!(
            "DELETE FROM insight_days WHERE day IN (SELECT created_at / 86400000 FROM turns WHERE {})",
            scope.turns()
        );
        on_backend!(self, pool => {
            let mut tx = pool.begin().await.map_err(failed)?;
            // What the insights derived from these questions goes with them (docs/insights.md).
            match scope.questions() {
                Some(sql) => {
                    let questions: Vec<(String,)> =
                        bind_scope!(sqlx::query_as(sql), scope).fetch_all(&mut *tx).await.map_err(failed)?;
                    for (question,) in questions {
                        sqlx::query("DELETE FROM topic_questions WHERE question_key = $1")
                            .bind(question_key(&question))
                            .execute(&mut *tx)
                            .await
                            .map_err(failed)?;
                    }
                }
                None => {
                    bind_scope!(sqlx::query("DELETE FROM topic_questions WHERE last_seen_at < $1"), scope)
                        .execute(&mut *tx)
                        .await
                        .map_err(failed)?;
                    // Wrong order proofs that old lock nothing any more.
                    bind_scope!(sqlx::query("DELETE FROM order_failures WHERE last_at < $1"), scope)
                        .execute(&mut *tx)
                        .await
                        .map_err(failed)?;
                }
            }
            bind_scope!(sqlx::query(&days_sql), scope).execute(&mut *tx).await.map_err(failed)?;
            let turns = bind_scope!(sqlx::query(&turns_sql), scope).execute(&mut *tx).await.map_err(failed)?;
            let conversations =
                bind_scope!(sqlx::query(scope.conversations()), scope).execute(&mut *tx).await.map_err(failed)?;
            tx.commit().await.map_err(failed)?;
            Ok(Deleted { conversations: conversations.rows_affected(), turns: turns.rows_affected() })
        })
    }

    /// Calls `each` with every conversation (of `external_user_id` only, when given), oldest
    /// first, with its turns; returns how many there were. Reads a page at a time.
    pub async fn export(
        &self,
        external_user_id: Option<&str>,
        mut each: impl FnMut(&StoredConversation) -> Result<()>,
    ) -> Result<u64> {
        const SQL: &str = select_conversations!(
            "WHERE ($1 IS NULL OR external_user_id = $1) AND (created_at > $2 OR (created_at = $2 AND id > $3)) \
             ORDER BY created_at, id LIMIT $4"
        );
        let (mut after_ms, mut after_id, mut count) = (i64::MIN, String::new(), 0);
        loop {
            let page: Vec<StoredConversation> = on_backend!(self, pool => {
                sqlx::query_as(SQL)
                    .bind(external_user_id)
                    .bind(after_ms)
                    .bind(&after_id)
                    .bind(EXPORT_PAGE)
                    .fetch_all(pool)
                    .await
            })
            .map_err(failed)?;
            let Some(last) = page.last() else { return Ok(count) };
            (after_ms, after_id) = (last.created_at_ms, last.id.clone());
            for mut conversation in page {
                conversation.turns = self.turns(&conversation.id).await?;
                conversation.feedback = self.feedback(&conversation.id).await?;
                each(&conversation)?;
                count += 1;
            }
        }
    }

    /// Schema version and counts.
    pub async fn status(&self) -> Result<StoreStatus> {
        const VERSION: &str = "SELECT MAX(version) FROM _sqlx_migrations WHERE success";
        const COUNTS: &str = "SELECT (SELECT COUNT(*) FROM conversations), (SELECT COUNT(*) FROM turns), \
             (SELECT MIN(updated_at) FROM conversations), (SELECT MAX(updated_at) FROM conversations)";
        let version: std::result::Result<Option<i64>, sqlx::Error> =
            on_backend!(self, pool => sqlx::query_scalar(VERSION).fetch_one(pool).await);
        let schema_version = match version {
            Ok(version) => version.unwrap_or(0),
            // No migrations table: nothing was ever migrated.
            Err(sqlx::Error::Database(_)) => 0,
            Err(e) => return Err(failed(e)),
        };
        const HANDOFFS: &str = "SELECT (SELECT COUNT(*) FROM tickets WHERE state IN ('open', 'assigned')), \
             (SELECT COUNT(*) FROM outbox WHERE state = 'pending'), (SELECT COUNT(*) FROM outbox WHERE state = 'dead')";
        let (conversations, turns, oldest, newest) = if schema_version == 0 {
            (0, 0, None, None)
        } else {
            on_backend!(self, pool => sqlx::query_as(COUNTS).fetch_one(pool).await).map_err(failed)?
        };
        // Tickets came with migration 3.
        let (active_tickets, webhooks_pending, webhooks_dead) = if schema_version < 3 {
            (0, 0, 0)
        } else {
            on_backend!(self, pool => sqlx::query_as(HANDOFFS).fetch_one(pool).await).map_err(failed)?
        };
        // Topics came with migration 5.
        let placed_questions = if schema_version < 5 {
            0
        } else {
            on_backend!(self, pool => sqlx::query_scalar("SELECT COUNT(*) FROM topic_questions").fetch_one(pool).await)
                .map_err(failed)?
        };
        Ok(StoreStatus {
            backend: self.backend(),
            location: self.location(),
            schema_version,
            latest_schema_version: self.latest_schema_version(),
            conversations,
            turns,
            oldest_updated_at_ms: oldest,
            newest_updated_at_ms: newest,
            active_tickets,
            webhooks_pending,
            webhooks_dead,
            placed_questions,
        })
    }

    fn location(&self) -> String {
        match &self.backend {
            Backend::Sqlite(pool) => pool.connect_options().get_filename().display().to_string(),
            Backend::Postgres(pool) => {
                let options = pool.connect_options();
                format!(
                    "{}:{}/{}",
                    options.get_host(),
                    options.get_port(),
                    options.get_database().unwrap_or_default()
                )
            }
        }
    }

    /// Waits for the connections to close (SQLite then checkpoints its write-ahead log).
    pub async fn close(&self) {
        on_backend!(self, pool => pool.close().await)
    }
}

/// A SQLite pool on `path`: write-ahead log (readers never wait for the writer), `synchronous`
/// as configured (`FULL`: a commit is on disk before the reply that depends on it, so a power
/// loss loses no acknowledged turn either; `NORMAL`: only a crash of the process is survived),
/// foreign keys enforced, writers waiting for each other.
async fn sqlite_pool(
    path: &Path,
    pool_size: u32,
    create: bool,
    synchronous: crate::config::SqliteSynchronous,
) -> Result<SqlitePool> {
    let synchronous = match synchronous {
        crate::config::SqliteSynchronous::Full => SqliteSynchronous::Full,
        crate::config::SqliteSynchronous::Normal => SqliteSynchronous::Normal,
    };
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(create)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(synchronous)
        .foreign_keys(true)
        .busy_timeout(SQLITE_BUSY_TIMEOUT)
        .disable_statement_logging();
    SqlitePoolOptions::new()
        .max_connections(pool_size)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        // A connection to a local file does not go stale: no ping (a round trip to the
        // connection's thread) before each use.
        .test_before_acquire(false)
        .connect_with(options)
        .await
        .map_err(|e| Error::Store(format!("cannot open {}: {e}", path.display())))
}

/// A database error as kefu's.
fn failed(error: sqlx::Error) -> Error {
    Error::Store(error.to_string())
}

fn not_found(id: &str) -> Error {
    Error::ConversationNotFound(format!("no conversation `{id}`"))
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}
