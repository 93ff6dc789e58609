//! Drives Debian's headless Chromium through the DevTools protocol on a
//! pipe (`--remote-debugging-pipe`: JSON messages ended by NUL on file
//! descriptors 3 and 4), so browser tests need no driver, port or crate.

use serde_json::{Value, json};
use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::os::fd::{FromRawFd, IntoRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

/// A headless browser with one page open.
pub struct Browser {
    child: Child,
    to_browser: File,
    from_browser: Receiver<Value>,
    next_id: u64,
    session: String,
    _profile: tempfile::TempDir,
}

/// The Chromium binary, or why there is none.
pub fn chromium() -> Result<String, String> {
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        let found = Command::new("sh").arg("-c").arg(format!("command -v {name}")).output();
        if let Ok(out) = found
            && out.status.success()
        {
            return Ok(String::from_utf8_lossy(&out.stdout).trim().to_string());
        }
    }
    Err("Chromium is missing (apt-get install chromium); scripts/test installs it".into())
}

fn pipe() -> (OwnedFd, OwnedFd) {
    let mut fds = [0; 2];
    // CLOEXEC: only the copies made in the child (fds 3 and 4) survive exec.
    assert_eq!(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }, 0, "pipe2 failed");
    unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) }
}

impl Browser {
    /// Starts Chromium with a `width × height` window and opens a blank page.
    pub fn launch(width: u32, height: u32) -> Browser {
        let binary = chromium().unwrap_or_else(|why| panic!("the browser tests need Chromium: {why}"));
        let profile = tempfile::tempdir().unwrap();
        let (browser_reads, we_write) = pipe();
        let (we_read, browser_writes) = pipe();
        let (r, w) = (browser_reads.into_raw_fd(), browser_writes.into_raw_fd());
        let mut command = Command::new(binary);
        command
            .args(["--headless", "--remote-debugging-pipe", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars", "--mute-audio"])
            .arg(format!("--window-size={width},{height}"))
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        unsafe {
            command.pre_exec(move || {
                // Copies above 10 first: dup2 onto 3 must not overwrite the
                // other end, nor be a no-op that keeps CLOEXEC.
                let (r, w) = (libc::fcntl(r, libc::F_DUPFD, 10), libc::fcntl(w, libc::F_DUPFD, 10));
                if r < 0 || w < 0 || libc::dup2(r, 3) < 0 || libc::dup2(w, 4) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = command.spawn().expect("cannot start Chromium");
        unsafe {
            libc::close(r);
            libc::close(w);
        }
        let (tx, rx) = channel();
        let reader = File::from(we_read);
        std::thread::spawn(move || {
            let mut reader = BufReader::new(reader);
            let mut message = Vec::new();
            while reader.read_until(0, &mut message).is_ok_and(|n| n > 0) {
                message.pop();
                if let Ok(v) = serde_json::from_slice::<Value>(&message)
                    && tx.send(v).is_err()
                {
                    return;
                }
                message.clear();
            }
        });
        let mut browser = Browser { child, to_browser: File::from(we_write), from_browser: rx, next_id: 0, session: String::new(), _profile: profile };
        let target = browser.call_browser("Target.createTarget", json!({ "url": "about:blank" }));
        let target = target["targetId"].as_str().expect("a target id").to_string();
        let attached = browser.call_browser("Target.attachToTarget", json!({ "targetId": target, "flatten": true }));
        browser.session = attached["sessionId"].as_str().expect("a session id").to_string();
        browser.call("Page.enable", json!({}));
        browser.call("Runtime.enable", json!({}));
        browser
    }

    fn send(&mut self, method: &str, params: Value, session: Option<String>) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({ "id": id, "method": method, "params": params });
        if let Some(s) = session {
            message["sessionId"] = json!(s);
        }
        let mut bytes = serde_json::to_vec(&message).unwrap();
        bytes.push(0);
        self.to_browser.write_all(&bytes).expect("Chromium closed its pipe");
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let reply = self.from_browser.recv_timeout(left).unwrap_or_else(|_| panic!("Chromium did not answer {method}"));
            if reply["id"].as_u64() == Some(id) {
                if let Some(e) = reply.get("error") {
                    panic!("Chromium refused {method}: {e}");
                }
                return reply["result"].clone();
            }
        }
    }

    fn call_browser(&mut self, method: &str, params: Value) -> Value {
        self.send(method, params, None)
    }

    /// A DevTools command on the page.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        let session = self.session.clone();
        self.send(method, params, Some(session))
    }

    /// Opens `url` and waits for the page's scripts to run.
    pub fn open(&mut self, url: &str) {
        self.call("Page.navigate", json!({ "url": url }));
        self.wait_for("document.readyState === 'complete'", Duration::from_secs(30));
    }

    /// The value of a JavaScript expression (promises awaited).
    pub fn eval(&mut self, expression: &str) -> Value {
        let r = self.call("Runtime.evaluate", json!({ "expression": expression, "returnByValue": true, "awaitPromise": true }));
        if let Some(e) = r.get("exceptionDetails") {
            panic!("the page threw on `{expression}`: {e}");
        }
        r["result"]["value"].clone()
    }

    /// Waits until `expression` is true; panics with the expression after `timeout`.
    pub fn wait_for(&mut self, expression: &str, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while self.eval(&format!("!!({expression})")) != json!(true) {
            assert!(Instant::now() < deadline, "timed out waiting for `{expression}`");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Clicks the element `selector` (a DOM click, as a user's would be).
    pub fn click(&mut self, selector: &str) {
        let found = self.eval(&format!("(() => {{ const e = document.querySelector({selector:?}); if (!e) return false; e.click(); return true; }})()"));
        assert_eq!(found, json!(true), "no element {selector}");
    }

    /// Presses, drags through `points` (page coordinates) and releases the mouse.
    pub fn drag(&mut self, points: &[(f64, f64)]) {
        let (first, last) = (points[0], points[points.len() - 1]);
        let event = |kind: &str, p: (f64, f64)| json!({ "type": kind, "x": p.0, "y": p.1, "button": "left", "buttons": 1, "clickCount": 1 });
        self.call("Input.dispatchMouseEvent", event("mousePressed", first));
        for &p in points {
            self.call("Input.dispatchMouseEvent", event("mouseMoved", p));
            std::thread::sleep(Duration::from_millis(15));
        }
        self.call("Input.dispatchMouseEvent", event("mouseReleased", last));
    }

    /// Saves a PNG of the page as shown.
    pub fn screenshot(&mut self, path: &Path) {
        let shot = self.call("Page.captureScreenshot", json!({ "format": "png" }));
        let png = decode_base64(shot["data"].as_str().expect("screenshot data"));
        assert!(png.starts_with(b"\x89PNG"), "the screenshot is not a PNG");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, png).unwrap();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Standard base64 (the screenshots' encoding).
fn decode_base64(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => panic!("not base64: {c}"),
    };
    let bytes: Vec<u8> = text.bytes().filter(|&c| c != b'=' && !c.is_ascii_whitespace()).collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= (value(c) as u32) << (18 - 6 * i);
        }
        out.extend_from_slice(&n.to_be_bytes()[1..chunk.len()]);
    }
    out
}
