//! A device served from another process (`pocketgan serve-device`, burn's
//! remote backend over a WebSocket on 127.0.0.1, the CPU device behind it):
//! a run trained through it equals the same run trained here; a server
//! that goes away mid-run stops the run with its checkpoint and the command
//! to resume; a taken port and an unreachable server are clear errors.
//! Built only with `--features remote`.
#![cfg(feature = "remote")]

use crate::common::{arg, fails_with, pocketgan, succeeds};
use burn::tensor::Device;
use pocketgan_host_trainer::nets::seeded::seed_inputs;
use pocketgan_host_trainer::training::run_dir::RunDir;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A `pocketgan serve-device` child serving the CPU on 127.0.0.1, killed
/// when dropped.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start() -> Server {
        Server::on_port(0)
    }

    fn on_port(port: u16) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_pocketgan"))
            .args(["serve-device", "--host", "127.0.0.1", "--port", &port.to_string(), "--device", "cpu"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut first = String::new();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        stdout.read_line(&mut first).unwrap();
        // The server logs each session to stdout: keep reading, or its writes fail.
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        // "serving cpu (burn-flex) on port 41234 (127.0.0.1); Ctrl-C stops"
        let port = first.split("on port ").nth(1).and_then(|s| s.split(' ').next()).and_then(|p| p.parse().ok());
        let port = port.unwrap_or_else(|| panic!("serve-device printed {first:?}"));
        Server { child, port }
    }

    fn device(&self) -> String {
        format!("remote:ws://127.0.0.1:{}", self.port)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const SMALL: &[&str] = &[
    "--quiet", "--generator-channels", "8", "--discriminator-channels", "8", "--batch-size", "16", "--sample-every", "0",
];

fn train(run: &Path, device: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["train", "--run", arg(run), "--device", device];
    args.extend_from_slice(SMALL);
    args.extend_from_slice(extra);
    pocketgan(&args)
}

fn rows(run: &Path) -> usize {
    std::fs::read_to_string(run.join("losses.csv")).map(|t| t.lines().count().saturating_sub(1)).unwrap_or(0)
}

#[test]
fn a_run_on_a_served_cpu_equals_the_same_run_here() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start();
    let (here, there) = (dir.path().join("here"), dir.path().join("there"));
    succeeds(&train(&here, "cpu", &["--steps", "12", "--checkpoint-every", "6"]));
    let out = train(&there, &server.device(), &["--steps", "12", "--checkpoint-every", "6"]);
    succeeds(&out);
    let losses = |run: &Path| std::fs::read_to_string(run.join("losses.csv")).unwrap();
    // The same operations on the same backend in the same order, with the
    // seed sent to the server: the same bits.
    assert_eq!(losses(&here), losses(&there));
    // The weights (the files differ in burn's random parameter ids).
    let device = Device::flex();
    let drawn = |run: &Path| {
        let (generator, config, _) = RunDir::new(run).load_generator(&device).unwrap();
        let z = seed_inputs(0, 4, config.latent_dim, 0, &device);
        generator.forward(z).into_data().try_to_vec::<f32>().unwrap()
    };
    assert_eq!(drawn(&here), drawn(&there));

    // A remote run checkpointed at step 6 and resumed remotely to 12 is the whole run.
    let half = dir.path().join("half");
    succeeds(&train(&half, &server.device(), &["--steps", "6", "--checkpoint-every", "6"]));
    succeeds(&pocketgan(&["train", "--quiet", "--resume", arg(&half), "--steps", "12", "--device", &server.device()]));
    assert_eq!(losses(&here), losses(&half));
}

#[test]
fn a_server_gone_mid_run_leaves_the_checkpoint_and_the_command_to_resume() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    let mut server = Server::start();
    let device = server.device();
    let mut args = vec!["train".to_string(), "--run".into(), arg(&run).into(), "--device".into(), device.clone()];
    args.extend(SMALL.iter().map(|s| s.to_string()));
    args.extend(["--steps", "100000", "--checkpoint-every", "5"].map(String::from));
    let mut client = Command::new(env!("CARGO_BIN_EXE_pocketgan")).args(&args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let start = Instant::now();
    while rows(&run) < 12 {
        assert!(client.try_wait().unwrap().is_none(), "training ended early");
        assert!(start.elapsed() < Duration::from_secs(120), "no progress through the server in 120 s");
        std::thread::sleep(Duration::from_millis(20));
    }
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    let out = wait_with_timeout(client, Duration::from_secs(120));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("went away mid-run"), "{stderr}");
    assert!(!stderr.contains("panicked"), "the panic is reported as an error, not printed: {stderr}");
    let resume = format!("pocketgan train --resume {} --device {device}", run.display());
    assert!(stderr.contains(&resume), "{stderr}");

    // The checkpoint named is whole: the run continues on a new server.
    let state: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(run.join("checkpoint/state.json")).unwrap()).unwrap();
    let step = state["step"].as_u64().unwrap();
    assert!(step >= 10 && step % 5 == 0, "checkpoint at step {step}");
    let again = Server::start();
    let steps = (step + 3).to_string();
    succeeds(&pocketgan(&["train", "--quiet", "--resume", arg(&run), "--steps", &steps, "--device", &again.device()]));
    assert_eq!(rows(&run) as u64, step + 3);
}

fn wait_with_timeout(mut child: Child, limit: Duration) -> std::process::Output {
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("the client did not stop within {limit:?} of its server going away");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn a_taken_port_and_an_absent_server_are_clear_errors() {
    let server = Server::start();
    let out = pocketgan(&["serve-device", "--host", "127.0.0.1", "--port", &server.port.to_string(), "--device", "cpu"]);
    fails_with(&out, &format!("port {} on 127.0.0.1 is already in use", server.port));
    fails_with(&out, "choose another --port");

    // A port nothing listens on (bound, then freed).
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    let out = train(&run, &format!("remote:ws://127.0.0.1:{free}"), &["--steps", "2"]);
    fails_with(&out, &format!("no pocketgan serve-device answers at ws://127.0.0.1:{free}"));
    assert!(!run.exists(), "nothing is written when the server cannot be reached");

    fails_with(&train(&run, "remote:http://127.0.0.1:1", &["--steps", "2"]), "is not a WebSocket URL");
    fails_with(
        &pocketgan(&["serve-device", "--port", "0", "--device", &server.device()]),
        "serve-device serves this machine's own device",
    );
}
