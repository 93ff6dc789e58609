//! The lab's web server: the page and its script from the binary, commands
//! in (`POST /command`), the lab's state out as server-sent events
//! (`GET /events`), and downloads. Training runs on one thread that owns
//! the [`Lab`]; requests talk to it through a channel, so a slow page or a
//! bad request never stops training, and training never blocks a page.
//!
//! HTTP is hyper's, routed by axum, on a single-threaded tokio runtime: it
//! parses requests, streams the events with keep-alives and notices closed
//! pages. Connections may half-close (send a request, then shut down their
//! side) and still get their answer. Asking the training thread blocks, so
//! each ask runs on tokio's blocking pool.
//!
//! | route | what |
//! |---|---|
//! | `GET /` `/lab.js` `/lab.css` | the page |
//! | `GET /events` | a `frame` event per shown moment (JSON, see `Lab::frame_json`) |
//! | `POST /command` | a [`Command`] as JSON; answers `{"message"}` or `{"error"}` |
//! | `GET /metrics.csv` | the metric history |
//! | `GET /snapshot.png` | real and generated points over the field |
//! | `GET /session` / `POST /session` | save / load a session file |

use super::command::Command;
use super::engine::Lab;
use super::session;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use futures_util::StreamExt;
use futures_util::stream;
use std::convert::Infallible;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const PAGE: &str = include_str!("page/index.html");
const SCRIPT: &str = include_str!("page/lab.js");
const STYLE: &str = include_str!("page/lab.css");

/// Largest command body.
const MAX_COMMAND: usize = 1 << 20;
/// Longest request line plus headers.
const MAX_HEAD: usize = 16 << 10;
/// Shortest time between two frames while training.
const FRAME_INTERVAL: Duration = Duration::from_millis(120);
/// The pause after each step in slow motion.
const SLOW_MOTION: Duration = Duration::from_millis(400);
/// An event stream sends a comment this often, to notice closed pages.
const KEEP_ALIVE: Duration = Duration::from_secs(10);
/// Frames a page may fall behind before it skips some.
const FRAMES_QUEUED: usize = 2;

/// What a request asks of the training thread.
enum Ask {
    Command(Command),
    Frame,
    MetricsCsv,
    Snapshot,
    Save,
    Load(Vec<u8>),
}

type Answer = Result<Vec<u8>, String>;

/// The open event streams.
type Clients = Arc<Mutex<Vec<tokio::sync::mpsc::Sender<Arc<String>>>>>;

/// A handle for requests: asks go to the training thread.
#[derive(Clone)]
struct Engine {
    asks: Sender<(Ask, Sender<Answer>)>,
    clients: Clients,
}

impl Engine {
    /// Asks the training thread, off the async runtime (an ask waits for
    /// the step in progress).
    async fn ask(&self, ask: Ask) -> Answer {
        let asks = self.asks.clone();
        let stopped = || "the lab has stopped".to_string();
        tokio::task::spawn_blocking(move || {
            let (tx, rx) = mpsc::channel();
            asks.send((ask, tx)).map_err(|_| stopped())?;
            rx.recv().map_err(|_| stopped())?
        })
        .await
        .map_err(|_| stopped())?
    }
}

/// Serves `lab` on `listener` until the process ends.
pub fn serve(listener: std::net::TcpListener, lab: Lab) -> anyhow::Result<()> {
    let (asks, inbox) = mpsc::channel();
    let clients: Clients = Arc::default();
    let engine = Engine { asks, clients: clients.clone() };
    std::thread::Builder::new().name("lab-training".into()).spawn(move || train(lab, inbox, clients))?;
    listener.set_nonblocking(true)?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        let app = router(engine);
        loop {
            // A failed accept (a connection reset before it was taken, too
            // many open files) concerns one connection, not the lab.
            let Ok((stream, _)) = listener.accept().await else { continue };
            let service = hyper_util::service::TowerToHyperService::new(app.clone());
            tokio::spawn(async move {
                let _ = hyper::server::conn::http1::Builder::new()
                    .half_close(true)
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                    .await;
            });
        }
    })
}

/// The training thread: answers asks, trains while playing, and sends a
/// frame to every page after changes (at most one per [`FRAME_INTERVAL`]
/// while training).
fn train(mut lab: Lab, inbox: Receiver<(Ask, Sender<Answer>)>, clients: Clients) {
    let mut last_frame = Instant::now() - FRAME_INTERVAL;
    let mut changed = true;
    loop {
        let wait = if lab.playing { Duration::ZERO } else { Duration::from_millis(200) };
        let mut next = match inbox.recv_timeout(wait) {
            Ok(ask) => Some(ask),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => return,
        };
        while let Some((ask, reply)) = next {
            changed |= matches!(ask, Ask::Command(_) | Ask::Load(_));
            let _ = reply.send(answer(&mut lab, ask));
            next = inbox.try_recv().ok();
        }
        if lab.playing {
            // A divergence pauses the lab and says so in its status.
            let _ = lab.iterate();
            changed = true;
        }
        let due = lab.settings.slow_motion || !lab.playing || last_frame.elapsed() >= FRAME_INTERVAL;
        if changed && due {
            let receivers = clients.lock().map(|c| c.len()).unwrap_or(0);
            if receivers > 0 {
                broadcast(&clients, Arc::new(lab.frame_json()));
            }
            last_frame = Instant::now();
            changed = false;
        }
        if lab.playing && lab.settings.slow_motion {
            std::thread::sleep(SLOW_MOTION);
        }
    }
}

fn answer(lab: &mut Lab, ask: Ask) -> Answer {
    let text = |e: anyhow::Error| format!("{e:#}");
    match ask {
        Ask::Command(c) => {
            let message = lab.handle(c).map_err(|e| {
                let e = text(e);
                lab.status = e.clone();
                e
            })?;
            Ok(serde_json::json!({ "message": message }).to_string().into_bytes())
        }
        Ask::Frame => Ok(lab.frame_json().into_bytes()),
        Ask::MetricsCsv => Ok(lab.metrics_csv().into_bytes()),
        Ask::Snapshot => lab.snapshot_png().map_err(text),
        Ask::Save => session::save(lab).map_err(text),
        Ask::Load(bytes) => {
            let loaded = session::load(&bytes, lab.device()).map_err(text)?;
            *lab = loaded;
            Ok(serde_json::json!({ "message": lab.status }).to_string().into_bytes())
        }
    }
}

fn broadcast(clients: &Clients, frame: Arc<String>) {
    if let Ok(mut list) = clients.lock() {
        // A page that is behind skips this frame; a closed one is dropped.
        list.retain(|c| !matches!(c.try_send(frame.clone()), Err(tokio::sync::mpsc::error::TrySendError::Closed(_))));
    }
}

/// Every route, each answering the methods it does not take with 405, and
/// every other path with 404, both as JSON errors like the rest.
fn router(engine: Engine) -> Router {
    let only = |route: MethodRouter<Engine>| route.fallback(wrong_method);
    Router::new()
        .route("/", only(get(|| async { page("text/html; charset=utf-8", PAGE) })))
        .route("/index.html", only(get(|| async { page("text/html; charset=utf-8", PAGE) })))
        .route("/lab.js", only(get(|| async { page("text/javascript; charset=utf-8", SCRIPT) })))
        .route("/lab.css", only(get(|| async { page("text/css; charset=utf-8", STYLE) })))
        .route("/events", only(get(events)))
        .route("/command", only(axum::routing::post(command)))
        .route("/metrics.csv", only(get(metrics_csv)))
        .route("/snapshot.png", only(get(snapshot)))
        .route("/session", only(get(save_session).post(load_session)))
        .fallback(|uri: axum::http::Uri| async move { error(StatusCode::NOT_FOUND, &format!("no page at {}", uri.path())) })
        // The body limit is checked against Content-Length before any of
        // it is read (413); axum's own limit backs it up for chunked bodies.
        .layer(DefaultBodyLimit::max(session::MAX_BYTES))
        .layer(middleware::from_fn(check_head))
        .with_state(engine)
}

/// Refuses oversized headers (431) and bodies (413) before a handler runs.
async fn check_head(request: Request, next: Next) -> Response {
    let head: usize = request.uri().to_string().len()
        + request.headers().iter().map(|(name, value)| name.as_str().len() + value.len() + 4).sum::<usize>();
    if head > MAX_HEAD {
        return error(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, "request headers too large");
    }
    let length = request.headers().get(header::CONTENT_LENGTH).map(|v| v.to_str().ok().and_then(|s| s.trim().parse::<u64>().ok()));
    match length {
        Some(None) => error(StatusCode::BAD_REQUEST, "Content-Length is not a number"),
        Some(Some(n)) if n > session::MAX_BYTES as u64 => error(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("the request body is {n} bytes; at most {} are accepted", session::MAX_BYTES),
        ),
        _ => next.run(request).await,
    }
}

async fn wrong_method(method: Method, uri: axum::http::Uri) -> Response {
    error(StatusCode::METHOD_NOT_ALLOWED, &format!("{method} is not allowed on {}", uri.path()))
}

/// A body read whole; a short one (the client sent less than its
/// Content-Length) is a 400.
fn whole(body: Result<Bytes, axum::extract::rejection::BytesRejection>) -> Result<Bytes, Response> {
    body.map_err(|_| error(StatusCode::BAD_REQUEST, "the request body is shorter than its Content-Length"))
}

fn page(content_type: &'static str, text: &'static str) -> Response {
    (no_store(content_type), text).into_response()
}

fn no_store(content_type: &'static str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers
}

/// A JSON body `{"error": message}` with `status`.
fn error(status: StatusCode, message: &str) -> Response {
    (status, no_store("application/json"), serde_json::json!({ "error": message }).to_string()).into_response()
}

/// 200 with the answer's bytes, or 400 with its error.
fn answered(result: Answer, content_type: &'static str, disposition: Option<&'static str>) -> Response {
    match result {
        Ok(body) => {
            let mut headers = no_store(content_type);
            if let Some(d) = disposition {
                headers.insert(header::CONTENT_DISPOSITION, HeaderValue::from_static(d));
            }
            (headers, body).into_response()
        }
        Err(e) => error(StatusCode::BAD_REQUEST, &e),
    }
}

async fn command(State(engine): State<Engine>, body: Result<Bytes, axum::extract::rejection::BytesRejection>) -> Response {
    let body = match whole(body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    if body.len() > MAX_COMMAND {
        return error(StatusCode::PAYLOAD_TOO_LARGE, "a command is at most 1 MiB");
    }
    match Command::parse(&body) {
        Ok(c) => answered(engine.ask(Ask::Command(c)).await, "application/json", None),
        Err(e) => error(StatusCode::BAD_REQUEST, &e),
    }
}

async fn metrics_csv(State(engine): State<Engine>) -> Response {
    answered(engine.ask(Ask::MetricsCsv).await, "text/csv", Some("attachment; filename=\"lab-metrics.csv\""))
}

async fn snapshot(State(engine): State<Engine>) -> Response {
    answered(engine.ask(Ask::Snapshot).await, "image/png", Some("inline; filename=\"lab-snapshot.png\""))
}

async fn save_session(State(engine): State<Engine>) -> Response {
    answered(engine.ask(Ask::Save).await, "application/octet-stream", Some("attachment; filename=\"lab-session.pglab\""))
}

async fn load_session(State(engine): State<Engine>, body: Result<Bytes, axum::extract::rejection::BytesRejection>) -> Response {
    match whole(body) {
        Ok(b) => answered(engine.ask(Ask::Load(b.to_vec())).await, "application/json", None),
        Err(r) => r,
    }
}

/// An event stream: the current frame at once, then each new one.
async fn events(State(engine): State<Engine>) -> Response {
    let (tx, rx) = tokio::sync::mpsc::channel(FRAMES_QUEUED);
    // Registered first, so no frame falls between the first and the rest.
    if let Ok(mut list) = engine.clients.lock() {
        list.push(tx);
    }
    let first = match engine.ask(Ask::Frame).await {
        Ok(frame) => Event::default().event("frame").data(String::from_utf8_lossy(&frame)),
        Err(e) => Event::default().event("problem").data(serde_json::json!({ "error": e }).to_string()),
    };
    let rest = stream::unfold(rx, |mut rx| async move {
        let frame = rx.recv().await?;
        Some((Event::default().event("frame").data(frame.as_str()), rx))
    });
    let all = stream::once(async { first }).chain(rest).map(Ok::<_, Infallible>);
    let mut response = Sse::new(all).keep_alive(KeepAlive::new().interval(KEEP_ALIVE).text("keep-alive")).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
