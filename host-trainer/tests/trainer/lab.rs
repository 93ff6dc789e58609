//! `pocketgan lab` end to end: the server against bad input, its streamed
//! metrics against `pocketgan eval`, and the page driven in headless
//! Chromium (screenshots in target/lab-e2e/).


use crate::common::chromium::Browser;
use crate::common::{LabServer, arg, fails_with, pocketgan, repo};
use serde_json::{Value, json};
use std::time::Duration;

fn status_of(answer: &[u8]) -> String {
    String::from_utf8_lossy(answer).lines().next().unwrap_or("").to_string()
}

#[test]
fn the_server_explains_bad_input_and_keeps_going() {
    let lab = LabServer::start(&["--data", "line"]);
    assert!(lab.url.starts_with("http://127.0.0.1:"), "{}", lab.url);
    // Broken HTTP.
    assert!(status_of(&lab.raw(b"HELLO\r\n\r\n")).contains("400"));
    assert!(status_of(&lab.raw(b"POST /command HTTP/1.1\r\nContent-Length: 999999999999\r\n\r\n")).contains("413"));
    assert!(status_of(&lab.raw(b"POST /command HTTP/1.1\r\nContent-Length: 100\r\n\r\n{\"cmd\"")).contains("400"));
    let huge = format!("GET / HTTP/1.1\r\nX-Filler: {}\r\n\r\n", "a".repeat(20_000));
    assert!(status_of(&lab.raw(huge.as_bytes())).contains("431"));
    assert_eq!(lab.request("GET", "/nothing", b"").0, 404);
    assert_eq!(lab.request("DELETE", "/session", b"").0, 405);
    // Malformed commands and absurd settings: 400 and a message that says what is wrong.
    for (command, says) in [
        ("{", "cannot read this command"),
        (r#"{"cmd":"set","learning_rate":-1}"#, "learning rate (--lr) must be a positive number"),
        (r#"{"cmd":"set","learning_rate":"NaN"}"#, "the setting learning_rate cannot be \"NaN\""),
        (r#"{"cmd":"set","neurons":0}"#, "1-4096 neurons"),
        (r#"{"cmd":"set","batch_size":0}"#, "batch size"),
        (r#"{"cmd":"set","d_steps":1000}"#, "(--d-steps) must be 1-100"),
        (r#"{"cmd":"set","latent_dim":0}"#, "latent of 1-1024"),
        (r#"{"cmd":"set","latent_dim":1000000000}"#, "latent of 1-1024"),
        (r#"{"cmd":"step","count":1000000}"#, "1 to 20000"),
        (r#"{"cmd":"draw","points":[[1e9,0]]}"#, "outside the plane"),
    ] {
        let (status, answer) = lab.command(command);
        assert_eq!(status, 400, "{command}: {answer}");
        let error = answer["error"].as_str().unwrap_or_default();
        assert!(error.contains(says), "{command}: {error}");
    }
    // A learning rate that diverges pauses the lab with a message, and a reset recovers.
    assert_eq!(lab.command(r#"{"cmd":"set","learning_rate":1e30,"optimizer":"sgd"}"#).0, 200);
    let (status, answer) = lab.command(r#"{"cmd":"step","count":50}"#);
    assert_eq!(status, 400);
    assert!(answer["error"].as_str().unwrap().contains("diverged"), "{answer}");
    assert!(lab.frame()["status"].as_str().unwrap().contains("lower the learning rate"));
    assert_eq!(lab.command(r#"{"cmd":"set","learning_rate":0.0002,"optimizer":"adam"}"#).0, 200);
    assert_eq!(lab.command(r#"{"cmd":"reset"}"#).0, 200);
    // Training, and a page reconnecting in the middle of it.
    assert_eq!(lab.command(r#"{"cmd":"play"}"#).0, 200);
    let first = lab.frame()["step"].as_u64().unwrap();
    std::thread::sleep(Duration::from_millis(500));
    let again = lab.frame();
    assert!(again["step"].as_u64().unwrap() > first && again["playing"] == json!(true), "{first} then {}", again["step"]);
    assert_eq!(lab.command(r#"{"cmd":"pause"}"#).0, 200);
    // Downloads.
    let (status, csv) = lab.request("GET", "/metrics.csv", b"");
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&csv).starts_with("pane,objective,step,d_loss,g_loss,modes_covered"));
    let (status, png) = lab.request("GET", "/snapshot.png", b"");
    assert!(status == 200 && png.starts_with(b"\x89PNG"));
    let (status, session) = lab.request("GET", "/session", b"");
    assert_eq!(status, 200);
    let saved_step = lab.frame()["step"].clone();
    assert_eq!(lab.command(r#"{"cmd":"step","count":3}"#).0, 200);
    let (status, answer) = lab.request("POST", "/session", b"not a session");
    assert_eq!(status, 400);
    assert!(String::from_utf8_lossy(&answer).contains("not a pocketgan lab session"));
    assert_eq!(lab.request("POST", "/session", &session).0, 200);
    assert_eq!(lab.frame()["step"], saved_step);
    // Everything still served.
    let (status, page) = lab.request("GET", "/", b"");
    assert!(status == 200 && String::from_utf8_lossy(&page).contains("pocketgan lab"));
    // A busy port is explained.
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port().to_string();
    fails_with(&pocketgan(&["lab", "--port", &port]), "already in use");
}

fn report_fields(v: &Value) -> [Value; 4] {
    ["modes_covered", "modes_total", "high_quality", "mean_distance"].map(|k| v[k].clone())
}

#[test]
fn streamed_metrics_match_pocketgan_eval_and_a_replay() {
    let (data, objective, seed, steps) = ("moons", "wgan-gp", "7", 200);
    let lab = LabServer::start(&["--data", data, "--objective", objective, "--seed", seed]);
    let (status, answer) = lab.command(&format!(r#"{{"cmd":"step","count":{steps}}}"#));
    assert_eq!(status, 200, "{answer}");
    let frame = lab.frame();
    assert_eq!(frame["step"], json!(steps));
    let streamed = frame["panes"][0]["metrics"].clone();

    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("toy");
    let steps_arg = steps.to_string();
    let out = pocketgan(&[
        "toy", "--data", data, "--objective", objective, "--seed", seed, "--steps", &steps_arg, "--eval-every", &steps_arg, "--quiet",
        "--run", arg(&run),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = pocketgan(&["eval", arg(&run), "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let evaluated: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report_fields(&streamed), report_fields(&evaluated), "lab {streamed} vs eval {evaluated}");
    // The lab's metric history ends with the same numbers.
    let history = frame["panes"][0]["history"].as_array().unwrap();
    assert_eq!(report_fields(history.last().unwrap()), report_fields(&evaluated));

    // A seeded replay lands on the same networks, changes included.
    assert_eq!(lab.command(r#"{"cmd":"set","objective":"hinge","learning_rate":0.001}"#).0, 200);
    assert_eq!(lab.command(r#"{"cmd":"step","count":30}"#).0, 200);
    assert_eq!(lab.command(r#"{"cmd":"step","network":"critic","count":2}"#).0, 200);
    assert_eq!(lab.command(r#"{"cmd":"data","preset":"spiral"}"#).0, 200);
    assert_eq!(lab.command(r#"{"cmd":"step","count":20}"#).0, 200);
    let before = lab.frame();
    assert_eq!(lab.command(r#"{"cmd":"replay"}"#).0, 200);
    let after = lab.frame();
    assert_eq!(after["step"], json!(steps + 50));
    assert_eq!(after["panes"][0]["fake"], before["panes"][0]["fake"]);
    assert_eq!(after["panes"][0]["metrics"], before["panes"][0]["metrics"]);
}

/// Counts of pixels near `rgb` and of distinct colours, over a canvas.
fn canvas_stats(browser: &mut Browser, selector: &str, rgb: [u8; 3]) -> (u64, u64) {
    let v = browser.eval(&format!(
        "(() => {{ const c = document.querySelector({selector:?}); const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let near = 0; const seen = new Set();
            for (let i = 0; i < d.length; i += 4) {{
              if (Math.abs(d[i] - {r}) + Math.abs(d[i + 1] - {g}) + Math.abs(d[i + 2] - {b}) < 40) near++;
              if (i % 28 === 0) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
            }}
            return [near, seen.size]; }})()",
        r = rgb[0],
        g = rgb[1],
        b = rgb[2]
    ));
    (v[0].as_u64().unwrap(), v[1].as_u64().unwrap())
}

#[test]
fn chromium_drives_the_page() {
    let shots = repo().join("target/lab-e2e");
    let lab = LabServer::start(&["--seed", "3"]);
    let mut browser = Browser::launch(1440, 1000);
    browser.open(&lab.url);
    let timeout = Duration::from_secs(60);
    browser.wait_for("window.lab.frames > 0 && document.querySelector('#plane-0')", timeout);
    assert_eq!(browser.eval("document.querySelector('#step').textContent"), json!("0"));
    let real = [27, 158, 62];
    let fake = [123, 63, 181];
    let (greens, colours) = canvas_stats(&mut browser, "#plane-0", real);
    assert!(greens > 200 && colours > 20, "plane looks blank: {greens} real-coloured pixels, {colours} colours");
    assert!(canvas_stats(&mut browser, "#plane-0", fake).0 > 30, "no generated points drawn");

    // play → pause → step: the counter moves, stops, and moves by one.
    browser.click("#play");
    browser.wait_for("window.lab.last.playing && window.lab.last.step >= 30", timeout);
    browser.click("#play");
    browser.wait_for("!window.lab.last.playing", timeout);
    let paused = browser.eval("window.lab.last.step").as_u64().unwrap();
    std::thread::sleep(Duration::from_millis(600));
    assert_eq!(browser.eval("Number(document.querySelector('#step').textContent)").as_u64(), Some(paused));
    browser.click("#step-both");
    browser.wait_for(&format!("Number(document.querySelector('#step').textContent) === {}", paused + 1), timeout);
    browser.click("#step-critic");
    browser.wait_for("document.querySelector('#message').textContent.includes('1 critic update')", timeout);
    assert_eq!(browser.eval("window.lab.last.step").as_u64(), Some(paused + 1));
    let (_, chart_colours) = canvas_stats(&mut browser, "#chart-loss", [37, 99, 235]);
    assert!(chart_colours > 3, "the loss chart is blank");
    browser.screenshot(&shots.join("lab-paused.png"));

    // Switching the objective takes effect: critic scores, WGAN-GP's 5 critic steps.
    browser.eval("(() => { const s = document.querySelector('[data-set=objective]'); s.value = 'wgan-gp'; s.dispatchEvent(new Event('change')); })()");
    browser.wait_for("window.lab.last.panes[0].objective === 'wgan-gp' && window.lab.last.panes[0].d_updates_per_step === 5", timeout);
    assert_eq!(browser.eval("window.lab.last.panes[0].field.probability"), json!(false));
    browser.click("#step-both");
    browser.wait_for(&format!("window.lab.last.step === {}", paused + 2), timeout);

    // A bad value is explained in the page, and the lab carries on.
    browser.eval("(() => { const s = document.querySelector('[data-set=learning_rate]'); s.value = '-3'; s.dispatchEvent(new Event('change')); })()");
    browser.wait_for("document.querySelector('#message.error') && document.querySelector('#message').textContent.includes('learning rate')", timeout);
    browser.screenshot(&shots.join("lab-bad-input.png"));
    browser.eval("(() => { const s = document.querySelector('[data-set=learning_rate]'); s.value = '0.001'; s.dispatchEvent(new Event('change')); })()");
    browser.wait_for("!document.querySelector('#message.error')", timeout);

    // Side by side with hinge, the int8 view on, trained for a while.
    browser.eval("(() => { const s = document.querySelector('[data-set=compare]'); s.value = 'hinge'; s.dispatchEvent(new Event('change')); })()");
    browser.wait_for("window.lab.last.panes.length === 2 && document.querySelector('#plane-1')", timeout);
    browser.click("#int8_view");
    browser.wait_for("window.lab.last.panes[0].int8 && window.lab.last.panes[1].int8", timeout);
    browser.click("#play");
    browser.wait_for("window.lab.last.step >= 150", Duration::from_secs(120));
    browser.click("#play");
    browser.wait_for("!window.lab.last.playing", timeout);
    assert!(canvas_stats(&mut browser, "#plane-1", real).0 > 200, "the second plane is blank");
    assert!(canvas_stats(&mut browser, "#plane-0", [230, 116, 11]).0 > 50, "no int8 points drawn");
    browser.screenshot(&shots.join("lab-compare-int8.png"));

    // A drawn distribution, with the mouse.
    browser.click("#draw-toggle");
    let rect = browser.eval("(() => { const r = document.querySelector('#plane-0').getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; })()");
    let [left, top, width, height] = [0, 1, 2, 3].map(|i| rect[i].as_f64().unwrap());
    let stroke: Vec<(f64, f64)> =
        (0..40).map(|i| i as f64 / 39.0).map(|t| (left + width * (0.2 + 0.6 * t), top + height * (0.5 - 0.25 * (t * 6.0).sin()))).collect();
    browser.drag(&stroke);
    browser.wait_for("window.lab.drawing.length >= 20", timeout);
    browser.click("#draw-use");
    browser.wait_for("window.lab.last.data === 'drawn'", timeout);
    let drawn_at = browser.eval("window.lab.last.step").as_u64().unwrap();
    browser.click("#step-both");
    browser.wait_for(&format!("window.lab.last.step === {}", drawn_at + 1), timeout);

    // Opening the page again in the middle of training shows the same lab, still training.
    browser.click("#play");
    browser.wait_for(&format!("window.lab.last.step > {}", drawn_at + 5), timeout);
    browser.open(&lab.url);
    browser.wait_for("window.lab && window.lab.frames > 1 && window.lab.last.playing", timeout);
    assert_eq!(browser.eval("window.lab.last.data"), json!("drawn"));
    assert_eq!(browser.eval("window.lab.last.panes.length"), json!(2));
    browser.click("#play");
    browser.wait_for("!window.lab.last.playing", timeout);
    browser.screenshot(&shots.join("lab-drawn.png"));
    eprintln!("screenshots in {}", shots.display());
}
