//! Logs that never hold the server up: lines go to standard output through a thread of
//! their own (`tracing-appender`'s non-blocking writer, lossy). When standard output does
//! not keep up (a full disk, a pipe nobody reads, a stalled collector), at most
//! `--log-buffer-lines` lines wait; further ones are dropped and counted in
//! `bec_proxy_log_lines_dropped_total`, and requests and shutdown go on.

use std::sync::OnceLock;
use std::time::Duration;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::counter::ConstCounter;
use tracing_appender::non_blocking::{ErrorCounter, NonBlockingBuilder, WorkerGuard};

use crate::config::LogFormat;

/// Default of `--log-buffer-lines`: a few seconds of a busy server's lines (a few MB).
pub const DEFAULT_BUFFER_LINES: usize = 10_000;

/// The drop count of the process's log writer, once logging is set up.
static DROPPED: OnceLock<ErrorCounter> = OnceLock::new();

/// How long the end of the process waits for the buffered lines to be written.
const FLUSH_WAIT: Duration = Duration::from_secs(2);

/// Keeps the log writer's thread; dropping it writes what is buffered, waiting at most
/// two seconds for a destination that does not take it.
#[must_use = "logs stop when the guard is dropped"]
#[derive(Debug)]
pub struct LogGuard {
    worker: Option<WorkerGuard>,
}

impl Drop for LogGuard {
    fn drop(&mut self) {
        let Some(worker) = self.worker.take() else {
            return;
        };
        // tracing-appender's own drop waits about a second, then prints a complaint to
        // standard output, whose lock the writer thread holds while stuck in a write: it
        // would wait forever. So it runs on a thread of its own, and the process ends
        // without it if need be.
        let (done, finished) = std::sync::mpsc::channel();
        let flushing = std::thread::Builder::new()
            .name("bec-usage-proxy-log-flush".into())
            .spawn(move || {
                drop(worker);
                let _ = done.send(());
            });
        if flushing.is_ok() {
            let _ = finished.recv_timeout(FLUSH_WAIT);
        }
    }
}

/// Installs the global log subscriber: `RUST_LOG` sets the filter (default `info`); lines
/// go to standard output, at most `buffer_lines` waiting.
pub fn init(format: LogFormat, buffer_lines: usize) -> LogGuard {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Colours only on a terminal: a log file or collector gets plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let (writer, guard) = NonBlockingBuilder::default()
        .lossy(true)
        .buffered_lines_limit(buffer_lines.max(1))
        .thread_name("bec-usage-proxy-log")
        .finish(std::io::stdout());
    let counter = writer.error_counter();
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(ansi)
        .with_writer(writer);
    let installed = match format {
        LogFormat::Compact => builder.compact().try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
    // A second installation (in tests) keeps the first and its counter.
    if installed.is_err() {
        return LogGuard { worker: None };
    }
    let _ = DROPPED.set(counter);
    LogGuard {
        worker: Some(guard),
    }
}

/// Log lines dropped so far (0 before [`init`], or when another subscriber is installed).
pub fn dropped_lines() -> u64 {
    DROPPED
        .get()
        .map_or(0, |counter| counter.dropped_lines() as u64)
}

/// `bec_proxy_log_lines_dropped_total`, read at each scrape.
#[derive(Debug, Clone, Copy)]
pub struct DroppedLines;

impl Collector for DroppedLines {
    fn encode(&self, mut encoder: DescriptorEncoder) -> std::fmt::Result {
        let counter = ConstCounter::new(dropped_lines());
        let metric = encoder.encode_descriptor(
            "log_lines_dropped",
            "Log lines dropped because the log destination did not keep up.",
            None,
            counter.metric_type(),
        )?;
        counter.encode(metric)
    }
}
