//! The listeners' connection loop: hyper's HTTP/1 server, as `axum::serve` runs it, with
//! the limits an unattended server needs and `axum::serve` does not have.
//!
//! - **Header timeout**: a request's head (request line and headers) must arrive within
//!   [`ConnectionLimits::header_timeout`] of its first byte, and a new connection must send
//!   its first head within that time of opening. A client sending a byte now and then
//!   (slowloris) is cut off.
//! - **Idle timeout**: a kept-alive connection waiting for its next request is closed after
//!   [`ConnectionLimits::idle_timeout`].
//! - **Connection limit**: at most [`ConnectionLimits::max_connections`] connections at
//!   once; further clients wait in the kernel's accept queue.
//! - **Shutdown**: when the stop signal comes, connections that are not answering a request
//!   (idle, or half-way through sending one) are closed at once; those answering one finish
//!   it and close. So a half-sent request never holds shutdown back.
//!
//! A request counts as being answered from the moment its head is complete until its
//! answer's body has been handed to the socket; timeouts never cut one (the upstream
//! timeout bounds those).

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, Response};
use axum::Router;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify, Semaphore};
use tower::ServiceExt;

/// Default of `--header-timeout-ms`: as Go's servers are usually set up; a person's
/// browser sends a head in milliseconds.
pub const DEFAULT_HEADER_TIMEOUT_MS: u64 = 10_000;
/// Default of `--idle-timeout-ms`: nginx's `keepalive_timeout` is 75 s; browsers keep
/// connections for about a minute.
pub const DEFAULT_IDLE_TIMEOUT_MS: u64 = 60_000;
/// Default of `--max-connections`: well under the usual 1024 open files of a process, which
/// also holds upstream connections, the log and the dashboard's files.
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;

/// Limits on a listener's connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// Time to send a request's head, from its first byte (or from opening the connection).
    pub header_timeout: Duration,
    /// Time a kept-alive connection may wait for its next request.
    pub idle_timeout: Duration,
    /// Connections open at once.
    pub max_connections: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            header_timeout: Duration::from_millis(DEFAULT_HEADER_TIMEOUT_MS),
            idle_timeout: Duration::from_millis(DEFAULT_IDLE_TIMEOUT_MS),
            max_connections: DEFAULT_MAX_CONNECTIONS,
        }
    }
}

/// The application a request is answered by, looked up per request (so a reload applies
/// to the next request of a kept-alive connection too).
pub type AppSource = Arc<dyn Fn() -> Router + Send + Sync>;

/// Serves `listener` until `stop` is set, then closes the connections that are not
/// answering a request and returns once the others have answered theirs.
pub async fn serve(
    listener: TcpListener,
    app: AppSource,
    limits: ConnectionLimits,
    stop: watch::Receiver<bool>,
) {
    let max = limits.max_connections.clamp(1, Semaphore::MAX_PERMITS);
    let slots = Arc::new(Semaphore::new(max));
    loop {
        let slot = tokio::select! {
            slot = Arc::clone(&slots).acquire_owned() => slot,
            () = stopped(stop.clone()) => break,
        };
        let Ok(slot) = slot else { break }; // the semaphore is never closed
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, or a connection reset before it was
                    // accepted: wait a little rather than spin.
                    tracing::warn!(%error, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = stopped(stop.clone()) => break,
        };
        let app = Arc::clone(&app);
        let stop = stop.clone();
        tokio::spawn(async move {
            serve_connection(stream, peer, app, limits, stop).await;
            drop(slot);
        });
    }
    drop(listener); // refuse new connections while the last answers are written
                    // Every slot back: every connection closed.
    let _ = slots
        .acquire_many(u32::try_from(max).unwrap_or(u32::MAX))
        .await;
}

async fn serve_connection(
    stream: TcpStream,
    peer: SocketAddr,
    app: AppSource,
    limits: ConnectionLimits,
    stop: watch::Receiver<bool>,
) {
    let activity = Arc::new(Activity::new());
    let io = TokioIo::new(Watched {
        stream,
        activity: Arc::clone(&activity),
    });
    let service = ConnectionService {
        app,
        peer,
        activity: Arc::clone(&activity),
    };
    let connection = hyper::server::conn::http1::Builder::new().serve_connection(io, service);
    tokio::pin!(connection);
    let mut stopping = false;
    loop {
        let deadline = activity.deadline(&limits);
        tokio::select! {
            served = connection.as_mut() => {
                if let Err(error) = served {
                    tracing::debug!(%error, %peer, "connection ended with an error");
                }
                return;
            }
            () = sleep_until(deadline) => {
                if activity.deadline(&limits).is_some_and(|at| at <= Instant::now()) {
                    tracing::debug!(%peer, "closing a connection: no whole request in time");
                    return;
                }
            }
            () = activity.changed.notified() => {}
            () = stopped(stop.clone()), if !stopping => {
                stopping = true;
                // An answer being written finishes, then hyper closes the connection; so
                // does an idle kept-alive one, after writing what it holds.
                connection.as_mut().graceful_shutdown();
                if activity.is_receiving_a_head() {
                    return; // a head half-sent (or none yet): nothing to finish
                }
            }
        }
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at.into()).await,
        None => std::future::pending().await,
    }
}

/// Resolves once the stop signal is set (never, if its sender is gone without setting it).
async fn stopped(mut stop: watch::Receiver<bool>) {
    if stop.wait_for(|stop| *stop).await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// What a connection is doing, for its timeouts.
#[derive(Debug)]
struct Activity {
    /// The connection's opening; the times below are milliseconds after it.
    opened: Instant,
    /// Requests being answered.
    busy: AtomicUsize,
    /// When the connection began to wait for its next request.
    waiting_since: AtomicU64,
    /// When the first byte of the next request's head arrived; [`NOT_YET`] before.
    head_since: AtomicU64,
    /// Woken when one of the above changes.
    changed: Notify,
}

const NOT_YET: u64 = u64::MAX;

impl Activity {
    fn new() -> Self {
        Activity {
            opened: Instant::now(),
            busy: AtomicUsize::new(0),
            waiting_since: AtomicU64::new(0),
            // A new connection is timed as if its first head had begun when it opened.
            head_since: AtomicU64::new(0),
            changed: Notify::new(),
        }
    }

    fn now(&self) -> u64 {
        u64::try_from(self.opened.elapsed().as_millis()).unwrap_or(NOT_YET - 1)
    }

    /// Whether the connection is between the start of a head and its end (a new connection
    /// counts as having started one).
    fn is_receiving_a_head(&self) -> bool {
        !self.is_busy() && self.head_since.load(Ordering::Acquire) != NOT_YET
    }

    fn is_busy(&self) -> bool {
        self.busy.load(Ordering::Acquire) > 0
    }

    /// When the connection is to be closed unless something happens first; `None` while
    /// a request is being answered.
    fn deadline(&self, limits: &ConnectionLimits) -> Option<Instant> {
        if self.is_busy() {
            return None;
        }
        let after = |ms: u64, limit: Duration| self.opened + Duration::from_millis(ms) + limit;
        match self.head_since.load(Ordering::Acquire) {
            NOT_YET => Some(after(
                self.waiting_since.load(Ordering::Acquire),
                limits.idle_timeout,
            )),
            since => Some(after(since, limits.header_timeout)),
        }
    }

    /// Bytes arrived: if the connection was waiting, a head has begun.
    fn read(&self) {
        if !self.is_busy() && self.head_since.load(Ordering::Relaxed) == NOT_YET {
            self.head_since.store(self.now(), Ordering::Release);
            self.changed.notify_one();
        }
    }

    fn request_started(self: &Arc<Self>) -> Answering {
        self.busy.fetch_add(1, Ordering::AcqRel);
        self.changed.notify_one();
        Answering(Arc::clone(self))
    }
}

/// A request being answered, until its answer's body is dropped (hyper drops it once
/// written, or when the client goes).
#[derive(Debug)]
struct Answering(Arc<Activity>);

impl Drop for Answering {
    fn drop(&mut self) {
        let activity = &self.0;
        if activity.busy.fetch_sub(1, Ordering::AcqRel) == 1 {
            activity
                .waiting_since
                .store(activity.now(), Ordering::Release);
            activity.head_since.store(NOT_YET, Ordering::Release);
            activity.changed.notify_one();
        }
    }
}

/// The socket, noting when bytes arrive.
struct Watched {
    stream: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.stream).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.read();
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// One connection's requests, answered by the application of the moment, with the
/// client's address as axum's `ConnectInfo`.
struct ConnectionService {
    app: AppSource,
    peer: SocketAddr,
    activity: Arc<Activity>,
}

type Answer = Pin<Box<dyn Future<Output = Result<Response<Body>, Infallible>> + Send>>;

impl hyper::service::Service<Request<Incoming>> for ConnectionService {
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = Answer;

    fn call(&self, request: Request<Incoming>) -> Self::Future {
        let answering = self.activity.request_started();
        let mut request = request.map(Body::new);
        request.extensions_mut().insert(ConnectInfo(self.peer));
        let app = (self.app)();
        Box::pin(async move {
            let Ok(response) = app.oneshot(request).await;
            // The body holds the request open until it is written (or dropped).
            Ok(response.map(|body| {
                Body::new(body.map_frame(move |frame| {
                    let _answering = &answering;
                    frame
                }))
            }))
        })
    }
}
