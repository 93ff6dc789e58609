//! Never losing work: `--resume`, Ctrl-C, `kill -9`, the NaN guard, and a
//! resume that cannot be done. Every run is a child process, as a user's
//! is, with small networks so a step takes milliseconds.


use crate::common::{arg, fails_with, pocketgan, succeeds};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Small networks and no sample grids: fast, and still the whole loop.
const SMALL: &[&str] =
    &["--quiet", "--generator-channels", "8", "--discriminator-channels", "8", "--batch-size", "16", "--sample-every", "0"];

fn train_args<'a>(run: &'a Path, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["train", "--run", arg(run)];
    args.extend_from_slice(SMALL);
    args.extend_from_slice(extra);
    args
}

fn train(run: &Path, extra: &[&str]) -> std::process::Output {
    pocketgan(&train_args(run, extra))
}

fn resume(run: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["train", "--quiet", "--resume", arg(run)];
    args.extend_from_slice(extra);
    pocketgan(&args)
}

/// Starts a long training run in the background.
fn spawn_training(run: &Path, extra: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_pocketgan"))
        .args(train_args(run, extra))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn losses(run: &Path) -> String {
    std::fs::read_to_string(run.join("losses.csv")).unwrap()
}

/// Steps recorded in losses.csv.
fn rows(run: &Path) -> usize {
    std::fs::read_to_string(run.join("losses.csv")).map(|t| t.lines().count().saturating_sub(1)).unwrap_or(0)
}

/// The step of the run's checkpoint.
fn checkpoint_step(run: &Path) -> usize {
    let state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("checkpoint/state.json")).unwrap()).unwrap();
    state["step"].as_u64().unwrap() as usize
}

/// Waits until the run has recorded `n` steps.
fn wait_for_rows(run: &Path, n: usize, child: &mut Child) {
    let start = Instant::now();
    while rows(run) < n {
        assert!(child.try_wait().unwrap().is_none(), "training ended early");
        assert!(start.elapsed() < Duration::from_secs(300), "no progress in 300 s");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Resumes `run` to `steps` and checks its losses against a run of the
/// same settings that never stopped.
fn resumes_as_if_never_stopped(run: &Path, steps: usize) {
    let steps = steps.to_string();
    succeeds(&resume(run, &["--steps", &steps]));
    let whole = run.with_file_name("never-stopped");
    succeeds(&train(&whole, &["--steps", &steps]));
    assert_eq!(losses(run), losses(&whole));
}

/// The int8 model exported from a run (the same name for every run).
fn exported(run: &Path) -> Vec<u8> {
    let model = run.with_extension("pgan");
    succeeds(&pocketgan(&["export", arg(run), "-o", arg(&model), "--name", "same"]));
    std::fs::read(model).unwrap()
}

#[test]
fn a_resumed_run_computes_what_an_uninterrupted_one_does() {
    let dir = tempfile::tempdir().unwrap();
    // Adam with batch norm; RMSProp, 5 critic steps, clipping and classes;
    // spectral norm's persistent vectors.
    for (name, extra) in [
        ("ns", &["--preset", "paper", "--objective", "non-saturating"][..]),
        ("wgan", &["--preset", "paper", "--objective", "wgan", "--conditional"][..]),
        ("hinge", &["--preset", "paper", "--objective", "hinge"][..]),
        // The generator's average, packing, augmentation's random draws,
        // minibatch std, two learning rates, least squares.
        (
            "techniques",
            &["--preset", "paper", "--objective", "least-squares", "--ema", "0.99", "--pack", "2", "--augment",
              "translation,cutout,brightness", "--minibatch-std", "--g-lr", "4e-4"][..],
        ),
        // The recommended preset (R1, packing, the average) plus R2.
        ("recommended", &["--r2", "1"][..]),
    ] {
        let whole = dir.path().join(format!("{name}-whole"));
        let split = dir.path().join(format!("{name}-split"));
        succeeds(&train(&whole, &[&["--steps", "7"], extra].concat()));
        succeeds(&train(&split, &[&["--steps", "3"], extra].concat()));
        assert_eq!(rows(&split), 3);
        let out = succeeds(&resume(&split, &["--steps", "7"]));
        assert!(out.contains("trained to step 7"), "{out}");
        assert_eq!(losses(&split), losses(&whole), "{name}: resumed losses differ");
        assert_eq!(exported(&split), exported(&whole), "{name}: resumed weights differ");
        let averaged = matches!(name, "techniques" | "recommended");
        assert_eq!(split.join("checkpoint/generator-ema.bpk").exists(), averaged, "{name}: the average's file");
    }
    // Export takes the average where there is one.
    let averaged_run = dir.path().join("techniques-split");
    let averaged = exported(&averaged_run);
    std::fs::remove_file(averaged_run.join("checkpoint/generator-ema.bpk")).unwrap();
    assert_ne!(exported(&averaged_run), averaged, "export ignored the generator's average");
    // The same seed reproduces a run; another seed does not.
    let other = dir.path().join("other-seed");
    succeeds(&train(&other, &["--steps", "7", "--seed", "2"]));
    assert_ne!(losses(&other), losses(&dir.path().join("ns-whole")));
}

#[test]
fn ctrl_c_writes_a_checkpoint_and_exits_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    // No periodic checkpoints: the one found afterwards is Ctrl-C's.
    let mut child = spawn_training(&run, &["--steps", "100000", "--checkpoint-every", "0"]);
    wait_for_rows(&run, 4, &mut child);
    // SAFETY: kill(2) on our own child's pid; no memory is involved.
    assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) }, 0);
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(130), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains(&format!("continue with: pocketgan train --resume {}", run.display())), "{stdout}");

    let step = checkpoint_step(&run);
    assert!(step >= 4 && step == rows(&run), "checkpoint at {step}, {} rows", rows(&run));
    assert!(run.join(format!("samples/step-{step:06}.png")).exists(), "no sample grid where it stopped");
    assert!(run.join("losses.png").exists() && run.join("losses.svg").exists());

    // It continues as if never stopped.
    resumes_as_if_never_stopped(&run, step + 3);
}

#[test]
fn kill_9_loses_at_most_one_checkpoint_interval() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    let mut child = spawn_training(&run, &["--steps", "100000", "--checkpoint-every", "5"]);
    wait_for_rows(&run, 13, &mut child);
    child.kill().unwrap(); // SIGKILL: no handler runs
    child.wait().unwrap();

    let (recorded, step) = (rows(&run), checkpoint_step(&run));
    assert!(step >= 10 && step % 5 == 0, "checkpoint at step {step}");
    assert!(recorded - step <= 5, "{recorded} steps recorded, checkpoint at {step}: more than one interval lost");

    // The steps after the checkpoint are done again, exactly as before.
    resumes_as_if_never_stopped(&run, step + 4);
}

#[test]
fn a_diverging_run_stops_and_keeps_its_last_good_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let wild = dir.path().join("wild");
    let out = train(&wild, &["--objective", "wgan-gp", "--lr", "1e8", "--steps", "10"]);
    fails_with(&out, "training diverged at step 1");
    fails_with(&out, "no checkpoint had been written yet");

    // A healthy run whose rate is raised by editing its config mid-run.
    let run = dir.path().join("run");
    succeeds(&train(&run, &["--objective", "wgan-gp", "--steps", "4", "--checkpoint-every", "2"]));
    let config = std::fs::read_to_string(run.join("config.toml")).unwrap();
    let config: String =
        config.lines().map(|l| if l.starts_with("learning_rate") { "learning_rate = 1e8\n".into() } else { format!("{l}\n") }).collect();
    std::fs::write(run.join("config.toml"), config).unwrap();
    let out = resume(&run, &["--steps", "10"]);
    fails_with(&out, "training diverged at step 5");
    fails_with(&out, "the last good checkpoint (step 4) is kept");
    assert_eq!(checkpoint_step(&run), 4);
    assert!(run.join("losses.png").exists(), "the curves show the divergence");
    exported(&run); // the kept checkpoint is usable
}

#[test]
fn resume_refuses_what_it_cannot_do_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    succeeds(&train(&run, &["--steps", "3"]));

    fails_with(&train(&run, &["--steps", "3"]), "continue it with `pocketgan train --resume");
    fails_with(&resume(&run, &[]), "already finished 3 of 3 steps");
    fails_with(&resume(&run, &["--steps", "5", "--lr", "0.1", "--seed", "4"]), "so --lr, --seed cannot change");
    fails_with(&resume(&dir.path().join("nothing"), &[]), "is not a training run");
    fails_with(&pocketgan(&["train", "--resume", arg(&run), "--run", arg(&run)]), "cannot be used with");

    // An edited architecture does not load into the checkpoint's weights.
    let edited = dir.path().join("edited");
    succeeds(&train(&edited, &["--steps", "2"]));
    let config = std::fs::read_to_string(edited.join("config.toml")).unwrap();
    std::fs::write(edited.join("config.toml"), config.replace("generator_channels = 8", "generator_channels = 16")).unwrap();
    fails_with(&resume(&edited, &["--steps", "4"]), "does not match the architecture");

    // A run killed before its first checkpoint has nothing to resume.
    std::fs::remove_dir_all(run.join("checkpoint")).unwrap();
    fails_with(&resume(&run, &["--steps", "5"]), "has no checkpoint yet");

    // Its loss curves can be drawn again on demand.
    std::fs::remove_file(run.join("losses.png")).unwrap();
    let out = succeeds(&pocketgan(&["plot", arg(&run)]));
    assert!(out.contains("losses.png") && run.join("losses.png").exists(), "{out}");
    fails_with(&pocketgan(&["plot", arg(&dir.path().join("nothing"))]), "cannot read");
}
