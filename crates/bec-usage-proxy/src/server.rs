//! Starting things: logging, the proxy (with the in-process stand-in for `--demo`), and the
//! stand-in alone.

use std::ffi::OsString;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::accounts::Accounts;
use crate::app::{self, AppOptions, NamedAccounts};
use crate::clock::Clock;
use crate::config::file::{parse_command_line, CommandLineError};
use crate::config::{LogFormat, ProxySettings, StandinArgs, StoreChoice, UpstreamChoice};
use crate::connections::{self, AppSource};
use crate::errors::{Error, ErrorKind, Result};
use crate::forward::{Forwarder, Upstream};
use crate::history::History;
use crate::metrics::{self, Metrics};
use crate::standin::{self, demo_credentials, Faults, Standin, StandinConfig, DEMO_HOST};

async fn bind(address: SocketAddr, what: &str) -> Result<TcpListener> {
    TcpListener::bind(address).await.map_err(|e| {
        Error::new(
            ErrorKind::Io,
            format!("cannot listen on {address} for the {what}: {e}"),
        )
    })
}

/// Starts the stand-in on a free loopback port in this process; returns its address.
pub async fn spawn_standin(standin: Standin) -> Result<SocketAddr> {
    let listener = bind(SocketAddr::from(([127, 0, 0, 1], 0)), "stand-in").await?;
    let address = listener
        .local_addr()
        .map_err(|e| Error::new(ErrorKind::Io, format!("the stand-in's address: {e}")))?;
    tokio::spawn(async move {
        if let Err(error) = standin::serve(listener, standin).await {
            tracing::error!(%error, "the stand-in stopped");
        }
    });
    Ok(address)
}

/// The upstream for `choice`, starting the stand-in for [`UpstreamChoice::Demo`] (which
/// accepts the named accounts' key pairs too, each with data of its own).
pub(crate) async fn upstream_for(
    choice: &UpstreamChoice,
    faults: Faults,
    clock: &Clock,
    accounts: &Accounts,
) -> Result<Upstream> {
    match choice {
        UpstreamChoice::Origin(upstream) => Ok(upstream.clone()),
        UpstreamChoice::Demo => {
            let demo = demo_credentials();
            let config = StandinConfig {
                faults,
                clock: clock.clone(),
                other_accounts: accounts
                    .all()
                    .iter()
                    .map(|account| account.credentials.clone())
                    .filter(|credentials| credentials.access_key_id() != demo.access_key_id())
                    .collect(),
                ..StandinConfig::demo()
            };
            let address = spawn_standin(Standin::new(config)).await?;
            tracing::info!(%address, host = DEMO_HOST, "demo stand-in started");
            Ok(Upstream::parse(&format!("http://{address}"))?.with_host(DEMO_HOST))
        }
    }
}

/// After SIGTERM or Ctrl-C, how long requests in flight may take before the process
/// exits anyway: Kubernetes' default grace period, or the upstream timeout and a margin
/// when that is longer.
pub fn shutdown_grace(upstream_timeout: Duration) -> Duration {
    (upstream_timeout + Duration::from_secs(5)).max(Duration::from_secs(30))
}

/// Runs the proxy until SIGINT or SIGTERM, then stops gracefully: both listeners close
/// (new connections are refused), requests in flight are answered, and it returns `Ok`
/// once they are, or after [`shutdown_grace`].
pub async fn run(settings: ProxySettings, clock: Clock) -> Result<()> {
    run_reloading(settings, clock, None).await
}

/// Reads the settings again, as at start (the command line, the environment, the config
/// file and the files it names), for a reload.
pub type Reload = Box<dyn Fn() -> Result<ProxySettings> + Send + Sync>;

/// The settings of `args` (the command line as the process got it) read again with the
/// process's environment; a changed log format or buffer is logged as needing a restart.
pub fn reloader(args: Vec<OsString>, format: LogFormat, buffer_lines: usize) -> Reload {
    Box::new(move || {
        let line = parse_command_line(args.clone()).map_err(|error| match error {
            CommandLineError::Config(error) => error,
            CommandLineError::Clap(error) => {
                Error::new(ErrorKind::Config, error.render().to_string())
            }
        })?;
        if line.cli.log_format != format || line.cli.log_buffer_lines != buffer_lines {
            tracing::warn!("log-format and log-buffer-lines changed: that needs a restart");
        }
        line.cli.proxy.resolve(&|name| std::env::var(name).ok())
    })
}

/// Like [`run`]; on SIGHUP, `reload` reads the settings again and the application is
/// replaced whole, sessions and sign-in limits carried over; without it, SIGHUP is logged
/// and ignored.
pub async fn run_reloading(
    settings: ProxySettings,
    clock: Clock,
    reload: Option<Reload>,
) -> Result<()> {
    let upstream = upstream_for(
        &settings.upstream,
        settings.demo_faults,
        &clock,
        &settings.accounts,
    )
    .await?;
    if upstream.is_plaintext_remote() {
        tracing::warn!(upstream = %upstream.base(), "the upstream is plain HTTP to a remote host; signatures and data travel unencrypted");
    }
    let metrics = Arc::new(Metrics::new());
    let grace = shutdown_grace(settings.policy.total_timeout);
    let history = start_history(&settings, &metrics, &clock)?;
    let (router, forwarder) = application(&settings, &upstream, &metrics, &clock, &history)?;
    let current = Arc::new(ArcSwap::from_pointee(router));
    let metrics_router = Arc::new(ArcSwap::from_pointee(metrics::listener_router(
        metrics.clone(),
        settings.metrics_token.clone(),
    )));
    // Before the listeners open, so that a SIGHUP never finds the default action (exit).
    let hangups = hangups()?;
    let listener = bind(settings.listen, "proxy").await?;
    // ---- the metrics listener (--metrics-listen) ----
    let metrics_listener = match settings.metrics_listen {
        Some(address) => {
            let listener = bind(address, "metrics").await?;
            tracing::info!(listen = %address, "serving /metrics alone on the metrics listener");
            Some(listener)
        }
        None => None,
    };
    let metrics_token = settings.metrics_token.clone();
    if metrics_token.is_some() {
        tracing::info!("/metrics answers only scrapes with the token of --metrics-token-file");
    }
    match &settings.dist {
        Some(dir) => tracing::info!(dist = %dir.display(), "serving the dashboard"),
        None => tracing::info!(
            dist = %settings.dist_requested.display(),
            "no dashboard folder; serving only the API and /healthz"
        ),
    }
    tracing::info!(
        listen = %settings.listen,
        mode = %forwarder.mode(),
        upstream = %forwarder.upstream().base(),
        upstream_host = forwarder.upstream().host(),
        cors_origins = settings.cors_origins.len(),
        rate_limit = settings.rate_limit.map_or(0.0, |l| l.per_second),
        accounts = settings.accounts.all().len(),
        access = settings.access.is_required(),
        trusted_proxies = %settings.trusted_proxies,
        "bec-usage-proxy listening"
    );
    spawn_reloads(
        hangups,
        reload,
        Reloading {
            settings: settings.clone(),
            upstream,
            metrics: metrics.clone(),
            history,
            clock,
            current: Arc::clone(&current),
            metrics_router: Arc::clone(&metrics_router),
        },
    );
    // ---- graceful shutdown: one signal stops both listeners ----
    let (stop_tx, stop) = watch::channel(false);
    let counts = metrics.clone();
    tokio::spawn(async move {
        let signal = shutdown_signal().await;
        tracing::info!(
            signal,
            in_flight = counts.requests_in_flight(),
            "shutting down: refusing new connections, answering the requests in flight"
        );
        // Nobody listening any more is fine: then the servers have stopped already.
        let _ = stop_tx.send(true);
    });
    let limits = settings.connections;
    let proxy = connections::serve(listener, swapped(current), limits, stop.clone());
    let metrics_only = {
        let stop = stop.clone();
        async move {
            if let Some(listener) = metrics_listener {
                connections::serve(listener, swapped(metrics_router), limits, stop).await;
            }
        }
    };
    let deadline = async move {
        stopped(stop).await;
        tokio::time::sleep(grace).await;
    };
    tokio::select! {
        ((), ()) = async { tokio::join!(proxy, metrics_only) } => {
            tracing::info!("stopped: every request in flight was answered");
        }
        () = deadline => {
            tracing::warn!(
                grace_s = grace.as_secs(),
                "stopped with connections still open after the grace period"
            );
        }
    }
    Ok(())
}

/// The history store of `settings`, opened at start and kept for the process's life, when
/// there is something to keep: days (server-signed mode) or sessions (password sign-in).
/// The sessions of before a restart are taken from it.
fn start_history(
    settings: &ProxySettings,
    metrics: &Arc<Metrics>,
    clock: &Clock,
) -> Result<Option<Arc<History>>> {
    let server_signed = settings.credentials.is_some() || !settings.accounts.is_empty();
    let sign_in = settings.access.has_password_sign_in();
    if !server_signed && !sign_in {
        if settings.store != StoreChoice::Off {
            tracing::info!("no history store: relay mode without sign-in has nothing to keep");
        }
        return Ok(None);
    }
    let Some(store) = crate::history::open_store(&settings.store)? else {
        return Ok(None);
    };
    if sign_in {
        match settings.access.sessions().keep_in(Arc::clone(&store)) {
            Ok(taken) => tracing::info!(
                sessions = taken,
                "sign-in sessions kept in the history store"
            ),
            Err(error) => {
                tracing::warn!(code = %error.kind(), "sessions are not kept in the store: {}", error.message())
            }
        }
    }
    Ok(Some(Arc::new(History::new(
        store,
        settings.settle_days,
        clock.clone(),
        Arc::clone(metrics),
    ))))
}

/// The application of `settings` (its forwarders, accounts, access rules, files), built at
/// start and again by each reload; the returned forwarder names the mode and upstream.
fn application(
    settings: &ProxySettings,
    upstream: &Upstream,
    metrics: &Arc<Metrics>,
    clock: &Clock,
    history: &Option<Arc<History>>,
) -> Result<(Router, Arc<Forwarder>)> {
    let named = if settings.accounts.is_empty() {
        None
    } else {
        let forwarders = settings
            .accounts
            .all()
            .iter()
            .map(|account| {
                Forwarder::new(
                    upstream.clone(),
                    settings.policy,
                    Some(account.credentials.clone()),
                    clock.clone(),
                )
                .map(|forwarder| Arc::new(forwarder.with_metrics(metrics.clone())))
            })
            .collect::<Result<Vec<_>>>()?;
        Some(Arc::new(NamedAccounts {
            accounts: settings.accounts.clone(),
            forwarders,
        }))
    };
    // With named accounts the plain path reads the default account through the accounts'
    // own forwarders; the router's forwarder then only names the mode and host.
    let forwarder = match &named {
        Some(named) => named
            .forwarders
            .first()
            .cloned()
            .ok_or_else(|| Error::new(ErrorKind::Config, "the accounts list is empty"))?,
        None => Arc::new(
            Forwarder::new(
                upstream.clone(),
                settings.policy,
                settings.credentials.clone(),
                clock.clone(),
            )?
            .with_metrics(metrics.clone()),
        ),
    };
    let router = app::router(
        Arc::clone(&forwarder),
        AppOptions {
            dist: settings.dist.clone(),
            cors_origins: settings.cors_origins.clone(),
            rate_limit: settings.rate_limit,
            access: Some(Arc::clone(&settings.access)),
            accounts: named,
            metrics_token: settings.metrics_token.clone(),
            trusted_proxies: settings.trusted_proxies.clone(),
            history: history.clone(),
        },
    );
    Ok((router, forwarder))
}

/// The application of the moment in `current`.
fn swapped(current: Arc<ArcSwap<Router>>) -> AppSource {
    // One atomic load and a reference count per request; no lock.
    Arc::new(move || Router::clone(&current.load()))
}

#[cfg(unix)]
type Hangups = Option<tokio::signal::unix::Signal>;
#[cfg(not(unix))]
type Hangups = Option<()>;

/// SIGHUP, from now on.
fn hangups() -> Result<Hangups> {
    #[cfg(unix)]
    {
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
            .map(Some)
            .map_err(|e| Error::new(ErrorKind::Io, format!("cannot catch SIGHUP: {e}")))
    }
    #[cfg(not(unix))]
    Ok(None)
}

/// What a reload needs: the settings in use, and the parts of the running proxy it keeps
/// (the upstream with the demo stand-in behind it, the metrics, the clock).
struct Reloading {
    settings: ProxySettings,
    upstream: Upstream,
    metrics: Arc<Metrics>,
    /// The history store of the start (`--store` and `--settle-days` need a restart).
    history: Option<Arc<History>>,
    clock: Clock,
    current: Arc<ArcSwap<Router>>,
    metrics_router: Arc<ArcSwap<Router>>,
}

impl Reloading {
    /// Reads the settings again and, if they read and check, serves the next requests
    /// with them: users, accounts, key files and every setting but those named in
    /// [`Reloading::needing_restart`]. Sessions and the sign-in limits carry on;
    /// connections stay open.
    fn reload(&mut self, read: &Reload) -> Result<()> {
        let mut fresh = read()?;
        for name in self.needing_restart(&fresh) {
            tracing::warn!(
                setting = name,
                "{name} changed: that needs a restart; the value in use is kept"
            );
        }
        fresh.listen = self.settings.listen;
        fresh.metrics_listen = self.settings.metrics_listen;
        fresh.upstream = self.settings.upstream.clone();
        fresh.demo_faults = self.settings.demo_faults;
        fresh.connections = self.settings.connections;
        let access = Arc::into_inner(fresh.access).ok_or_else(|| {
            Error::new(
                ErrorKind::Internal,
                "the new access rules are shared already",
            )
        })?;
        fresh.access = Arc::new(access.continuing(&self.settings.access));
        let (router, _) = application(
            &fresh,
            &self.upstream,
            &self.metrics,
            &self.clock,
            &self.history,
        )?;
        self.current.store(Arc::new(router));
        self.metrics_router.store(Arc::new(metrics::listener_router(
            self.metrics.clone(),
            fresh.metrics_token.clone(),
        )));
        tracing::info!(
            users = fresh
                .access
                .users()
                .map_or(0, |users| users.names().count()),
            accounts = fresh.accounts.all().len(),
            mode = if fresh.credentials.is_some() {
                "server-signed"
            } else {
                "relay"
            },
            "reloaded: the next requests use the new settings"
        );
        self.settings = fresh;
        Ok(())
    }

    /// The settings of `fresh` that differ from those in use and cannot change without a
    /// restart: the listeners, the upstream, the connection limits, the stand-in's
    /// faults, and in `--demo` the key pairs the stand-in accepts.
    fn needing_restart(&self, fresh: &ProxySettings) -> Vec<&'static str> {
        let old = &self.settings;
        let key_ids = |settings: &ProxySettings| -> Vec<String> {
            settings
                .accounts
                .all()
                .iter()
                .map(|account| account.credentials.access_key_id().to_owned())
                .collect()
        };
        let demo = matches!(old.upstream, UpstreamChoice::Demo);
        [
            ("listen", old.listen != fresh.listen),
            ("metrics-listen", old.metrics_listen != fresh.metrics_listen),
            ("upstream (or demo)", old.upstream != fresh.upstream),
            (
                "the connection limits",
                old.connections != fresh.connections,
            ),
            (
                "the stand-in's faults",
                old.demo_faults != fresh.demo_faults,
            ),
            ("store", old.store != fresh.store),
            ("settle-days", old.settle_days != fresh.settle_days),
            (
                "the accounts' key pairs (the demo stand-in knows those of the start)",
                demo && key_ids(old) != key_ids(fresh),
            ),
        ]
        .into_iter()
        .filter_map(|(name, changed)| changed.then_some(name))
        .collect()
    }
}

/// Reloads on each SIGHUP, counting reloads and failures; a failure keeps what is in use
/// and logs why.
fn spawn_reloads(hangups: Hangups, reload: Option<Reload>, mut state: Reloading) {
    #[cfg(unix)]
    if let Some(mut hangups) = hangups {
        tokio::spawn(async move {
            while hangups.recv().await.is_some() {
                let Some(read) = &reload else {
                    tracing::warn!("SIGHUP: this server has nothing to reload");
                    continue;
                };
                tracing::info!("SIGHUP: reloading the config file, users, accounts and keys");
                let failed = match state.reload(read) {
                    Ok(()) => false,
                    Err(error) => {
                        tracing::error!(
                            code = error.kind().code(),
                            "reload failed, the settings in use are kept: {}",
                            error.message()
                        );
                        true
                    }
                };
                state.metrics.reload(failed);
            }
        });
    }
    #[cfg(not(unix))]
    let _ = (hangups, reload, state);
}

/// Resolves once the stop signal is set.
async fn stopped(mut stop: watch::Receiver<bool>) {
    // The sender is dropped only after sending; if it never sends, neither does this end.
    if stop.wait_for(|stop| *stop).await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// Runs the stand-in alone until SIGINT or SIGTERM.
pub async fn run_standin(args: &StandinArgs, clock: Clock) -> Result<()> {
    let config = StandinConfig {
        faults: args.faults.to_faults()?,
        clock,
        ..StandinConfig::demo()
    };
    let listener = bind(args.listen, "stand-in").await?;
    tracing::info!(listen = %args.listen, faults = ?config.faults, "demo BEC stand-in listening");
    let app = Standin::new(config).router();
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let signal = shutdown_signal().await;
        tracing::info!(signal, "shutting down");
    })
    .await
    .map_err(|e| Error::new(ErrorKind::Io, format!("the stand-in stopped: {e}")))
}

/// Waits for Ctrl-C (SIGINT) or SIGTERM; returns which arrived.
async fn shutdown_signal() -> &'static str {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => "SIGINT",
        _ = terminate => "SIGTERM",
    }
}
