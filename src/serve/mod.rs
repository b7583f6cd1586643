//! The HTTP service (`kefu serve`): answers and search over the live index generation.
//!
//! The service holds the generation `CURRENT` names open and checks `CURRENT` every
//! `server.reload_interval_ms`. An ingest in another process builds the next generation beside
//! it (see [`crate::index::data_dir`]) and publishes it atomically; the service then opens it
//! and swaps it in. Requests already running finish on the old generation, which stays on disk
//! until the last of them releases it. Nothing is restarted and no request fails.
//!
//! Every turn is recorded in the conversation store ([`crate::store`]) before its reply is sent.
//! The store's schema is migrated at start-up, and conversations older than
//! `store.retention_days` are purged at start-up and once a day after.
//!
//! A handoff opens a ticket when someone receives tickets (`handoff.webhook_url`, or
//! `handoff.agent_console`): [`webhooks`] delivers it from the store's outbox and expires the
//! tickets nobody took up; agents answer through [`tickets`]; customers follow the conversation
//! on its event stream ([`events`]).

pub mod admin;
pub mod auth;
pub mod console;
pub mod curated;
pub mod error;
pub mod events;
pub mod insights;
pub mod metrics;
pub mod orders;
pub mod products;
pub mod rate_limit;
pub mod routes;
pub mod session;
pub mod tickets;
pub mod web;
pub mod webhooks;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::{Notify, Semaphore};

use crate::answer::Answerer;
use crate::config::{Config, ServerConfig};
use crate::embed::Embedder;
use crate::index::DataDir;
use crate::retrieve::Retriever;
use crate::store::Store;
use crate::{Error, Result};
use auth::Auth;
use metrics::Metrics;

/// What every request handler shares.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

/// The shared state behind [`AppState`].
pub struct Shared {
    /// The whole configuration.
    pub config: Config,
    /// The retriever of the live generation, swapped when an ingest publishes a new one.
    live: RwLock<Arc<Retriever>>,
    embedder: Arc<Embedder>,
    /// The answerer.
    pub answerer: Answerer,
    /// Conversations and their turns.
    pub store: Store,
    /// API keys and rate limits.
    pub auth: Auth,
    /// Prometheus metrics.
    pub metrics: Metrics,
    /// Places for requests in flight (`server.max_in_flight`).
    pub in_flight: Arc<Semaphore>,
    /// Places for event streams (`server.max_event_streams`).
    pub event_streams: Arc<Semaphore>,
    /// The event streams open on this replica, by conversation.
    pub hub: events::Hub,
    /// Wakes the webhook loop when a webhook was queued.
    pub webhooks_due: Notify,
    /// What this replica knows of the store's curated answers.
    curated: curated::CuratedCache,
    /// One insights run at a time on this replica.
    pub insights_running: tokio::sync::Mutex<()>,
    /// Why the service is not ready, while it is not (a published generation fails to open).
    not_ready: Mutex<Option<String>>,
    /// Serve the demo shop page (`kefu serve --demo`).
    pub demo_page: bool,
    /// The shop's order system, when `[orders]` names one.
    pub orders: Option<crate::orders::connector::Connector>,
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl Shared {
    /// The retriever of the live generation.
    pub fn retriever(&self) -> Arc<Retriever> {
        self.live.read().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    /// The server's settings.
    pub fn server(&self) -> &ServerConfig {
        &self.config.server
    }

    /// Why the service is not ready, if it is not.
    pub fn not_ready(&self) -> Option<String> {
        self.not_ready.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    fn set_not_ready(&self, reason: Option<String>) {
        *self.not_ready.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = reason;
    }
}

/// How `kefu serve` was started.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Address to listen on (port 0: any free port).
    pub addr: String,
    /// Allow running without API keys (local development).
    pub open: bool,
    /// Serve the demo shop page at `/demo`.
    pub demo: bool,
}

/// Loads the model and the live index, then serves until SIGTERM or Ctrl-C. Prints
/// `listening on http://ADDR` on stdout once the port is bound.
pub async fn run(config: Config, options: ServeOptions) -> Result<()> {
    let auth = Auth::new(&config.server, options.open)?;
    if options.open && config.server.api_keys.is_empty() {
        tracing::warn!("serving without API keys (--open): for local development only");
    }
    let answerer = Answerer::new(&config.answer)?.with_redactor(config.privacy.redactor());
    let orders = crate::orders::connector::Connector::new(&config.orders, |name| std::env::var(name).ok())?;
    // Before the model loads: a store that cannot be reached is reported at once.
    let store = Store::open(&config).await?;
    let loaded = config.clone();
    let (embedder, retriever) = crate::error::blocking(move || {
        crate::analysis::warm_up();
        let embedder = Arc::new(Embedder::load(&loaded)?);
        let retriever = Retriever::open(&loaded, embedder.clone())?;
        // Built now rather than by the first customer's question.
        retriever.vocabulary()?;
        Ok((embedder, retriever))
    })
    .await?;
    let in_flight = Arc::new(Semaphore::new(config.server.max_in_flight));
    let metrics = Metrics::new();
    metrics.generation.set(retriever.index().generation());
    let state = AppState(Arc::new(Shared {
        live: RwLock::new(Arc::new(retriever)),
        embedder,
        answerer,
        store: store.clone(),
        auth,
        metrics,
        in_flight,
        event_streams: Arc::new(Semaphore::new(config.server.max_event_streams)),
        hub: events::Hub::default(),
        webhooks_due: Notify::new(),
        curated: curated::CuratedCache::default(),
        insights_running: tokio::sync::Mutex::new(()),
        not_ready: Mutex::new(None),
        demo_page: options.demo,
        orders,
        config,
    }));

    // The first customers already get the curated answers.
    curated::refresh(&state).await?;
    let listener = TcpListener::bind(&options.addr)
        .await
        .map_err(|e| Error::Config(format!("cannot listen on {}: {e}", options.addr)))?;
    let addr: SocketAddr = listener.local_addr().map_err(Error::io("listener"))?;
    tracing::info!(%addr, generation = state.retriever().index().generation(), "kefu is serving");
    println!("listening on http://{addr}");

    tokio::spawn(watch_for_new_generations(state.clone()));
    tokio::spawn(curated::keep_current(state.clone()));
    if state.config.store.retention_days > 0 {
        tokio::spawn(purge_daily(store.clone(), state.config.store.retention_days));
    }
    if state.config.handoff.tickets() {
        tokio::spawn(webhooks::deliver(state.clone()));
        tokio::spawn(webhooks::expire_tickets(state.clone()));
    }
    let header_timeout = Duration::from_secs(state.server().header_timeout_secs);
    serve_connections(listener, routes::router(state), header_timeout).await;
    store.close().await;
    tracing::info!("kefu stopped");
    Ok(())
}

/// Accepts connections until a shutdown signal, then lets the requests in progress finish.
/// Unlike `axum::serve`, a client gets `header_timeout` to send its request headers: one that
/// opens connections and trickles bytes cannot hold them open for good. Each request carries
/// the peer address (`ConnectInfo`), which failed authentications are counted by.
async fn serve_connections(listener: TcpListener, router: axum::Router, header_timeout: Duration) {
    use axum::extract::ConnectInfo;
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::ServiceExt;

    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(header_timeout);
    let mut shutdown = std::pin::pin!(shutdown_signal());
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors, say: wait a little rather than spin.
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = router.clone().map_request(move |mut request: axum::extract::Request<_>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            request
        });
        let service = hyper_util::service::TowerToHyperService::new(service);
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

/// Swaps in each generation an ingest publishes. A generation that fails to open is logged and
/// tried again on the next tick; the old one keeps serving meanwhile, and `/readyz` says why the
/// service is not ready until the data folder's live generation is served again.
async fn watch_for_new_generations(state: AppState) {
    let data = DataDir::new(&state.config.data_dir);
    let mut ticker = tokio::time::interval(Duration::from_millis(state.server().reload_interval_ms));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        let serving = state.retriever().index().generation();
        match data.current() {
            Ok(Some(current)) if current != serving => {}
            Ok(Some(_)) => {
                state.set_not_ready(None);
                continue;
            }
            Ok(None) => {
                state.set_not_ready(Some("the data folder has no live index generation any more".into()));
                continue;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the data folder's CURRENT");
                state.set_not_ready(Some(format!("cannot read the data folder's CURRENT ({})", e.code())));
                continue;
            }
        }
        let reload = state.clone();
        let opened = crate::error::blocking(move || {
            let retriever = Retriever::open(&reload.config, reload.embedder.clone())?;
            retriever.vocabulary()?;
            Ok(retriever)
        })
        .await;
        match opened {
            Ok(retriever) => {
                let generation = retriever.index().generation();
                *state.live.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = Arc::new(retriever);
                state.metrics.generation.set(generation);
                state.set_not_ready(None);
                tracing::info!(from = serving, to = generation, "serving a new index generation");
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot open the new index generation; will retry");
                state.set_not_ready(Some(format!(
                    "the published index generation cannot be opened ({}); still serving generation {serving}",
                    e.code()
                )));
            }
        }
    }
}

/// Deletes the conversations older than `retention_days` now and every day after; a failure is
/// logged and tried again the next day.
async fn purge_daily(store: Store, retention_days: u32) {
    let mut ticker = tokio::time::interval(Duration::from_secs(24 * 60 * 60));
    loop {
        ticker.tick().await;
        match store.purge(retention_days).await {
            Ok(deleted) => tracing::info!(
                conversations = deleted.conversations,
                turns = deleted.turns,
                retention_days,
                "purged old conversations"
            ),
            Err(e) => tracing::warn!(code = e.code(), error = %e, "cannot purge old conversations"),
        }
    }
}

/// Seconds since the Unix epoch.
pub fn unix_secs() -> i64 {
    crate::store::now_ms() / 1000
}

/// Resolves on SIGTERM or Ctrl-C; requests in flight then finish before the server exits.
async fn shutdown_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        _ = terminate => {}
        _ = tokio::signal::ctrl_c() => {}
    }
    tracing::info!("shutting down: finishing requests in flight");
}
