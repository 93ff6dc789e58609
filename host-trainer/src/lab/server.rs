//! The lab's web server: the page and its script from the binary, commands
//! in (`POST /command`), the lab's state out as server-sent events
//! (`GET /events`), and downloads. Training runs on one thread that owns
//! the [`Lab`]; connections talk to it through a channel, so a slow page
//! or a bad request never stops training, and training never blocks a page.
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
use super::http::{self, Request};
use super::session;
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const PAGE: &str = include_str!("page/index.html");
const SCRIPT: &str = include_str!("page/lab.js");
const STYLE: &str = include_str!("page/lab.css");

/// Largest command body.
const MAX_COMMAND: usize = 1 << 20;
/// Shortest time between two frames while training.
const FRAME_INTERVAL: Duration = Duration::from_millis(120);
/// The pause after each step in slow motion.
const SLOW_MOTION: Duration = Duration::from_millis(400);
/// An event stream sends a comment this often, to notice closed pages.
const KEEP_ALIVE: Duration = Duration::from_secs(10);

/// What a connection asks of the training thread.
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
type Clients = Arc<Mutex<Vec<SyncSender<Arc<String>>>>>;

/// A handle for connections: asks go to the training thread.
#[derive(Clone)]
struct Engine {
    asks: Sender<(Ask, Sender<Answer>)>,
    clients: Clients,
}

impl Engine {
    fn ask(&self, ask: Ask) -> Answer {
        let (tx, rx) = mpsc::channel();
        self.asks.send((ask, tx)).map_err(|_| "the lab has stopped".to_string())?;
        rx.recv().map_err(|_| "the lab has stopped".to_string())?
    }
}

/// Serves `lab` on `listener` until the process ends.
pub fn serve(listener: TcpListener, lab: Lab) -> anyhow::Result<()> {
    let (asks, inbox) = mpsc::channel();
    let clients: Clients = Arc::default();
    let engine = Engine { asks, clients: clients.clone() };
    std::thread::Builder::new().name("lab-training".into()).spawn(move || train(lab, inbox, clients))?;
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let engine = engine.clone();
        let _ = std::thread::Builder::new().name("lab-connection".into()).spawn(move || connection(stream, engine));
    }
    Ok(())
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
        list.retain(|c| !matches!(c.try_send(frame.clone()), Err(TrySendError::Disconnected(_))));
    }
}

fn connection(stream: TcpStream, engine: Engine) {
    let request = match http::read_request(&stream, session::MAX_BYTES) {
        Ok(r) => r,
        Err(http::BadRequest(status, message)) => {
            let _ = http::respond(&stream, status, "application/json", &http::error_json(&message), &[]);
            return;
        }
    };
    let _ = route(&stream, request, &engine);
}

fn route(stream: &TcpStream, request: Request, engine: &Engine) -> std::io::Result<()> {
    let json = "application/json";
    let reply = |status: u16, kind: &str, body: &[u8]| http::respond(stream, status, kind, body, &[]);
    let answer = |result: Answer, kind: &str, extra: &[(&str, &str)]| match result {
        Ok(body) => http::respond(stream, 200, kind, &body, extra),
        Err(e) => http::respond(stream, 400, json, &http::error_json(&e), &[]),
    };
    match (request.method.as_str(), request.path.as_str()) {
        ("GET", "/") | ("GET", "/index.html") => reply(200, "text/html; charset=utf-8", PAGE.as_bytes()),
        ("GET", "/lab.js") => reply(200, "text/javascript; charset=utf-8", SCRIPT.as_bytes()),
        ("GET", "/lab.css") => reply(200, "text/css; charset=utf-8", STYLE.as_bytes()),
        ("GET", "/events") => events(stream, engine),
        ("POST", "/command") => {
            if request.body.len() > MAX_COMMAND {
                return reply(413, json, &http::error_json("a command is at most 1 MiB"));
            }
            match Command::parse(&request.body) {
                Ok(c) => answer(engine.ask(Ask::Command(c)), json, &[]),
                Err(e) => reply(400, json, &http::error_json(&e)),
            }
        }
        ("GET", "/metrics.csv") => {
            answer(engine.ask(Ask::MetricsCsv), "text/csv", &[("Content-Disposition", "attachment; filename=\"lab-metrics.csv\"")])
        }
        ("GET", "/snapshot.png") => {
            answer(engine.ask(Ask::Snapshot), "image/png", &[("Content-Disposition", "inline; filename=\"lab-snapshot.png\"")])
        }
        ("GET", "/session") => answer(
            engine.ask(Ask::Save),
            "application/octet-stream",
            &[("Content-Disposition", "attachment; filename=\"lab-session.pglab\"")],
        ),
        ("POST", "/session") => answer(engine.ask(Ask::Load(request.body)), json, &[]),
        (_, "/" | "/index.html" | "/lab.js" | "/lab.css" | "/events" | "/command" | "/metrics.csv" | "/snapshot.png" | "/session") => {
            reply(405, json, &http::error_json(&format!("{} is not allowed on {}", request.method, request.path)))
        }
        _ => reply(404, json, &http::error_json(&format!("no page at {}", request.path))),
    }
}

/// An event stream: the current frame at once, then each new one.
fn events(stream: &TcpStream, engine: &Engine) -> std::io::Result<()> {
    let (tx, rx) = mpsc::sync_channel(2);
    // Registered first, so no frame falls between the first and the rest.
    if let Ok(mut list) = engine.clients.lock() {
        list.push(tx);
    }
    http::start_events(stream)?;
    match engine.ask(Ask::Frame) {
        Ok(frame) => http::send_event(stream, "frame", &String::from_utf8_lossy(&frame))?,
        Err(e) => http::send_event(stream, "problem", &String::from_utf8_lossy(&http::error_json(&e)))?,
    }
    loop {
        match rx.recv_timeout(KEEP_ALIVE) {
            Ok(frame) => http::send_event(stream, "frame", &frame)?,
            Err(RecvTimeoutError::Timeout) => {
                use std::io::Write;
                let mut s = stream;
                s.write_all(b": keep-alive\n\n")?;
            }
            Err(RecvTimeoutError::Disconnected) => return Ok(()),
        }
    }
}
