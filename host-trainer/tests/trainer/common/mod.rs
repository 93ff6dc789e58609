//! Running the `pocketgan` binary from integration tests.

#![allow(dead_code)] // the wgpu module, built only with its feature, uses some of these

pub mod chromium;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

/// burn's random stream is process-global and tests run on parallel
/// threads: every test that draws from it (weights, latents, batches) in
/// this process holds this lock, so its numbers are the same every run.
static BURN_RNG: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Holds burn's random stream for the calling test (see [`BURN_RNG`]).
pub fn burn_rng() -> std::sync::MutexGuard<'static, ()> {
    BURN_RNG.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Runs `pocketgan ARGS` to completion.
pub fn pocketgan(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pocketgan")).args(args).output().unwrap()
}

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A path as the `&str` an argument list takes.
pub fn arg(path: &Path) -> &str {
    path.to_str().expect("test paths are UTF-8")
}

/// Asserts that `out` failed with `needle` in its message, and not with a panic.
pub fn fails_with(out: &Output, needle: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "expected failure, stderr: {stderr}");
    assert!(stderr.contains(needle), "stderr lacks '{needle}': {stderr}");
    assert!(!stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"), "panic: {stderr}");
}

/// Asserts that `out` succeeded and returns its stdout.
pub fn succeeds(out: &Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "failed ({:?}): {stderr}", out.status.code());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A `pocketgan lab` server on a free loopback port, stopped when dropped.
pub struct LabServer {
    child: Child,
    /// `http://127.0.0.1:PORT/`.
    pub url: String,
    address: String,
}

impl LabServer {
    /// Starts `pocketgan lab --port 0 ARGS` and waits for its address.
    pub fn start(args: &[&str]) -> LabServer {
        let mut child = Command::new(env!("CARGO_BIN_EXE_pocketgan"))
            .args(["lab", "--port", "0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let url = line.split_whitespace().find(|w| w.starts_with("http://")).unwrap_or_else(|| panic!("no address in {line:?}")).to_string();
        let address = url.trim_start_matches("http://").trim_end_matches('/').to_string();
        LabServer { child, url, address }
    }

    /// Sends raw bytes and returns the raw answer.
    pub fn raw(&self, request: &[u8]) -> Vec<u8> {
        let mut s = TcpStream::connect(&self.address).unwrap();
        s.set_read_timeout(Some(std::time::Duration::from_secs(120))).unwrap();
        s.write_all(request).unwrap();
        // The server reads what a body's Content-Length promises: say there is no more.
        let _ = s.shutdown(std::net::Shutdown::Write);
        let mut answer = Vec::new();
        let _ = s.read_to_end(&mut answer);
        answer
    }

    /// `METHOD path` with `body`: the status and the body of the answer.
    pub fn request(&self, method: &str, path: &str, body: &[u8]) -> (u16, Vec<u8>) {
        let head = format!("{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", self.address, body.len());
        let answer = self.raw(&[head.as_bytes(), body].concat());
        let split = answer.windows(4).position(|w| w == b"\r\n\r\n").expect("an HTTP answer");
        let status = String::from_utf8_lossy(&answer[..split]).split_whitespace().nth(1).and_then(|s| s.parse().ok()).expect("a status");
        (status, answer[split + 4..].to_vec())
    }

    /// Posts a command; the answer's status and JSON.
    pub fn command(&self, json: &str) -> (u16, serde_json::Value) {
        let (status, body) = self.request("POST", "/command", json.as_bytes());
        (status, serde_json::from_slice(&body).expect("a JSON answer"))
    }

    /// The first frame of a fresh event stream (the lab's state now).
    pub fn frame(&self) -> serde_json::Value {
        let mut s = TcpStream::connect(&self.address).unwrap();
        s.set_read_timeout(Some(std::time::Duration::from_secs(60))).unwrap();
        s.write_all(format!("GET /events HTTP/1.1\r\nHost: {}\r\n\r\n", self.address).as_bytes()).unwrap();
        let mut reader = BufReader::new(s);
        let mut line = String::new();
        loop {
            line.clear();
            assert!(reader.read_line(&mut line).unwrap() > 0, "the event stream ended");
            if let Some(data) = line.strip_prefix("data: ") {
                return serde_json::from_str(data).expect("a JSON frame");
            }
        }
    }
}

impl Drop for LabServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
