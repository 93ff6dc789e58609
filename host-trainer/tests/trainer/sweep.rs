//! `pocketgan sweep`: plan, run as local jobs, collect compare's tables,
//! run only what is missing, and refuse a bad manifest or a failing
//! `sbatch` before anything runs. (A real one-node Slurm runs a sweep in
//! scripts/test.)

use crate::common::{arg, fails_with, pocketgan, succeeds};
use std::process::Command;

fn plan(dir: &std::path::Path) {
    let out = succeeds(&pocketgan(&[
        "sweep", "plan", "--rows", "paper", "--objectives", "non-saturating,least-squares", "--toys", "ring", "--toy-steps", "60",
        "--toy-seeds", "2", "--image-steps", "0", "-o", arg(dir),
    ]));
    assert!(out.contains("4 runs planned"), "{out}");
}

#[test]
fn a_local_sweep_runs_what_is_missing_and_collects_compares_tables() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("sweep");
    plan(&dir);
    let out = pocketgan(&["sweep", "run", arg(&dir), "--on", "local", "--jobs", "2"]);
    let tables = succeeds(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("4 of 4 runs to go") && stderr.contains("[4/4]"), "{stderr}");
    assert!(tables.contains("## ring") && tables.contains("| row | modes covered (of 8)"), "{tables}");
    for row in ["| non-saturating |", "| least-squares |"] {
        let line = tables.lines().find(|l| l.starts_with(row)).unwrap_or_else(|| panic!("no {row} in {tables}"));
        // Two seeds each: "m ± sd (a, b)".
        assert_eq!(line.split('(').nth(1).unwrap().split(')').next().unwrap().split(", ").count(), 2, "{line}");
    }
    let result = dir.join("runs/ring/least-squares/seed-2/result.json");
    let score: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&result).unwrap()).unwrap();
    assert!(score["toy"]["modes"].as_u64().unwrap() <= 8, "{score}");

    // One result gone: only that run runs again; collect says what is missing until then.
    std::fs::remove_file(&result).unwrap();
    let collected = succeeds(&pocketgan(&["sweep", "collect", arg(&dir)]));
    assert!(collected.contains("least-squares (1 of 2 seeds)") && collected.contains("1 of 4 runs not finished: ring/least-squares/seed-2"), "{collected}");
    let again = pocketgan(&["sweep", "run", arg(&dir), "--on", "local", "--jobs", "2"]);
    succeeds(&again);
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(stderr.contains("1 of 4 runs to go") && stderr.contains("[1/1] ring/least-squares/seed-2: done"), "{stderr}");
    assert!(result.exists());
    let done = pocketgan(&["sweep", "run", arg(&dir)]);
    assert!(String::from_utf8_lossy(&done.stderr).contains("nothing to run"));

    // The same folder cannot be planned with other runs.
    fails_with(&pocketgan(&["sweep", "plan", "--rows", "paper", "--objectives", "wgan", "--toys", "ring", "--image-steps", "0", "-o", arg(&dir)]), "already holds a different sweep");
}

#[test]
fn bad_manifests_and_a_refusing_sbatch_stop_before_anything_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("sweep");
    plan(&dir);
    let manifest = dir.join("manifest.toml");
    let good = std::fs::read_to_string(&manifest).unwrap();
    for (edit, needle) in [
        (good.replacen("objective = \"least-squares\"", "objective = \"least-square\"", 1), "least-square"),
        (good.replacen("seed = 1", "seed = 1\nlearning-rate = 0.1", 1), "unknown field `learning-rate`"),
        (good.replacen("row = \"least-squares\"", "row = \"least-squares-pack-7\"", 1), "no row 'least-squares-pack-7'"),
        (good.replacen("data = \"ring\"", "data = \"rings\"", 1), "neither a toy"),
    ] {
        std::fs::write(&manifest, edit).unwrap();
        let out = pocketgan(&["sweep", "run", arg(&dir), "--on", "local"]);
        fails_with(&out, needle);
        assert!(!dir.join("logs").exists() && !dir.join("runs").exists(), "nothing may run before the manifest is whole");
    }
    std::fs::write(&manifest, &good).unwrap();

    // An sbatch that refuses (here a stand-in on PATH): its message, no script left.
    let bin = tmp.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let fake = bin.join("sbatch");
    std::fs::write(&fake, "#!/bin/sh\necho 'sbatch: error: Batch job submission failed: Invalid partition name specified' >&2\nexit 1\n").unwrap();
    Command::new("chmod").arg("+x").arg(&fake).status().unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let out = Command::new(env!("CARGO_BIN_EXE_pocketgan")).args(["sweep", "run", arg(&dir), "--on", "slurm", "--partition", "gpus"]).env("PATH", &path).output().unwrap();
    fails_with(&out, "Invalid partition name specified");
    assert!(!dir.join("slurm/array.sh").exists() && !dir.join("slurm/submitted.tsv").exists());
    // And none at all.
    let empty = tmp.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_pocketgan")).args(["sweep", "run", arg(&dir), "--on", "slurm"]).env("PATH", arg(&empty)).output().unwrap();
    fails_with(&out, "sbatch not found");
}
