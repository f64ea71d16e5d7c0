//! Starting things: logging, the proxy (with the in-process stand-in for `--demo`), and the
//! stand-in alone.

use std::future::IntoFuture;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::accounts::Accounts;
use crate::app::{self, AppOptions, NamedAccounts};
use crate::clock::Clock;
use crate::config::{LogFormat, ProxySettings, StandinArgs, UpstreamChoice};
use crate::errors::{Error, ErrorKind, Result};
use crate::forward::{Forwarder, Upstream};
use crate::metrics::{self, Metrics};
use crate::standin::{self, demo_credentials, Faults, Standin, StandinConfig, DEMO_HOST};

/// Installs the global log subscriber: `RUST_LOG` sets the filter (default `info`).
pub fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Colours only on a terminal: a log file or collector gets plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(ansi);
    // A second installation (in tests) keeps the first; nothing to report.
    let _ = match format {
        LogFormat::Compact => builder.compact().try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

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
async fn upstream_for(
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
            Forwarder::new(upstream, settings.policy, settings.credentials, clock)?
                .with_metrics(metrics.clone()),
        ),
    };
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
        "bec-usage-proxy listening"
    );
    let app = app::router(
        forwarder,
        AppOptions {
            dist: settings.dist,
            cors_origins: settings.cors_origins,
            rate_limit: settings.rate_limit,
            access: Some(settings.access),
            accounts: named,
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
    let proxy = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(stopped(stop.clone()))
    .into_future();
    let metrics_only = {
        let stop = stop.clone();
        async move {
            match metrics_listener {
                Some(listener) => {
                    axum::serve(listener, metrics::listener_router(metrics))
                        .with_graceful_shutdown(stopped(stop))
                        .await
                }
                None => Ok(()),
            }
        }
    };
    let deadline = async move {
        stopped(stop).await;
        tokio::time::sleep(grace).await;
    };
    tokio::select! {
        served = async { tokio::try_join!(proxy, metrics_only) } => {
            served.map_err(|e| Error::new(ErrorKind::Io, format!("the server stopped: {e}")))?;
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
