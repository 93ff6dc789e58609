//! `pocketgan train-translator`: pix2pix and CycleGAN runs resume exactly,
//! draw their grids, and refuse what they cannot do.

use crate::common::{arg, fails_with, pocketgan, succeeds};
use std::path::Path;

/// Small networks, no grids until the end: fast, and still the whole loop.
const SMALL: &[&str] = &["--quiet", "--generator-channels", "8", "--discriminator-channels", "8", "--batch-size", "8", "--sample-every", "0"];

fn train(run: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["train-translator", "--run", arg(run)];
    args.extend_from_slice(SMALL);
    args.extend_from_slice(extra);
    pocketgan(&args)
}

fn read(run: &Path, file: &str) -> Vec<u8> {
    std::fs::read(run.join(file)).unwrap_or_else(|e| panic!("{}: {e}", run.join(file).display()))
}

#[test]
fn translator_runs_resume_exactly_and_draw_input_output_target() {
    let dir = tempfile::tempdir().unwrap();
    // pix2pix on pairs; CycleGAN with a pool small enough to fill and then
    // swap within the steps, so the pool's file and draws are exercised.
    for (name, extra) in [
        ("pix2pix", &["--data", "skeletons"][..]),
        ("cycle-gan", &["--data", "printed-digits", "--pool-size", "8"][..]),
    ] {
        let whole = dir.path().join(format!("{name}-whole"));
        let split = dir.path().join(format!("{name}-split"));
        succeeds(&train(&whole, &[&["--steps", "5"], extra].concat()));
        succeeds(&train(&split, &[&["--steps", "2"], extra].concat()));
        let out = succeeds(&pocketgan(&["train-translator", "--quiet", "--resume", arg(&split), "--steps", "5"]));
        assert!(out.contains("trained to step 5"), "{out}");
        assert_eq!(read(&split, "losses.csv"), read(&whole, "losses.csv"), "{name}: resumed losses differ");
        // The final grid is drawn by the final weights (burn's files hold
        // random parameter ids, so they are not compared byte for byte).
        let last = "samples/step-000005.png";
        assert_eq!(read(&split, last), read(&whole, last), "{name}: resumed weights translate differently");
        if name == "cycle-gan" {
            assert_eq!(read(&split, "checkpoint/pool-b.bin"), read(&whole, "checkpoint/pool-b.bin"), "the pools differ");
        }
        // The last grid: 8 examples of three 28×28 cells each, 6 cells a row,
        // at scale 2 with 2-pixel gaps.
        let grid = image::open(split.join("samples/step-000005.png")).unwrap();
        assert_eq!((grid.width(), grid.height()), (6 * 56 + 7 * 2, 4 * 56 + 5 * 2), "{name}");
        let config = String::from_utf8(read(&split, "config.toml")).unwrap();
        assert!(config.contains(&format!("method = \"{name}\"")), "{config}");
    }
}

#[test]
fn translator_runs_refuse_what_they_cannot_do() {
    let dir = tempfile::tempdir().unwrap();
    fails_with(&train(&dir.path().join("a"), &["--data", "printed-digits", "--method", "pix2pix"]), "--method cycle-gan");
    fails_with(&train(&dir.path().join("b"), &["--data", "skeletons", "--unpaired"]), "folder");
    fails_with(&train(&dir.path().join("c"), &["--data", "no-such-thing"]), "unknown translation data");
    fails_with(&train(&dir.path().join("d"), &["--data", "skeletons", "--l1-weight=-1"]), "--l1-weight");
    // A translator run is neither resumed nor exported as a generator.
    let run = dir.path().join("run");
    succeeds(&train(&run, &["--data", "skeletons", "--steps", "1"]));
    fails_with(&pocketgan(&["train", "--resume", arg(&run)]), "train-translator --resume");
    fails_with(&train(&run, &["--data", "skeletons", "--steps", "1"]), "already holds a training run");
    fails_with(&pocketgan(&["train-translator", "--resume", arg(&run), "--lr", "1e-3"]), "--lr cannot change");
}
