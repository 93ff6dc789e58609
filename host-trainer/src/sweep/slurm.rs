//! A sweep's missing runs as one Slurm job array (`sbatch
//! --array=LIST%K`): the batch script runs `pocketgan sweep worker DIR
//! --index $SLURM_ARRAY_TASK_ID`, each task's output in `logs/<index>.log`.
//! What was submitted is appended to `slurm/submitted.tsv`, and a sweep
//! whose earlier tasks are still queued or running is not submitted again.

use super::local::worker_argv;
use super::manifest::SweepDir;
use crate::training::device::DeviceChoice;
use anyhow::{Context, Result, bail};
use std::process::Command;

/// How the array is asked for.
#[derive(Debug, Clone, Default)]
pub struct SlurmOptions {
    /// Tasks running at once (`%K`; 0: as many as Slurm gives).
    pub max_running: usize,
    /// `--gres` (a GPU: `gpu:1`).
    pub gres: Option<String>,
    /// `--partition`.
    pub partition: Option<String>,
    /// `--time` per task.
    pub time: Option<String>,
    /// `--cpus-per-task`.
    pub cpus_per_task: usize,
    /// Wait for every task to end (`sbatch --wait`).
    pub wait: bool,
}

/// `0,1,2,5,7,8` as `0-2,5,7-8`.
pub fn array_list(indices: &[usize]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < indices.len() {
        let start = indices[i];
        let mut end = start;
        while i + 1 < indices.len() && indices[i + 1] == end + 1 {
            i += 1;
            end = indices[i];
        }
        parts.push(if start == end { start.to_string() } else { format!("{start}-{end}") });
        i += 1;
    }
    parts.join(",")
}

/// The batch script (Slurm copies it when the array is submitted).
pub fn batch_script(dir: &SweepDir, options: &SlurmOptions, on: &DeviceChoice) -> Result<String> {
    let quote = |s: &std::ffi::OsStr| format!("'{}'", s.to_string_lossy().replace('\'', "'\\''"));
    let mut line: Vec<String> = worker_argv(dir, on)?.iter().map(|a| quote(a)).collect();
    // The run is the task's.
    line.extend(["--index".into(), "\"$SLURM_ARRAY_TASK_ID\"".into()]);
    let mut s = String::from("#!/bin/sh\n# Written by pocketgan sweep run --on slurm: one array task per missing run.\n");
    s.push_str("#SBATCH --job-name=pocketgan-sweep\n");
    s.push_str(&format!("#SBATCH --output={}/logs/%a.log\n", dir.root.display()));
    if options.cpus_per_task > 0 {
        s.push_str(&format!("#SBATCH --cpus-per-task={}\n", options.cpus_per_task));
    }
    if let Some(gres) = &options.gres {
        s.push_str(&format!("#SBATCH --gres={gres}\n"));
    }
    if let Some(p) = &options.partition {
        s.push_str(&format!("#SBATCH --partition={p}\n"));
    }
    if let Some(t) = &options.time {
        s.push_str(&format!("#SBATCH --time={t}\n"));
    }
    if options.cpus_per_task > 0 {
        s.push_str("export RAYON_NUM_THREADS=\"${SLURM_CPUS_PER_TASK:-1}\"\n");
    }
    s.push_str(&format!("exec {}\n", line.join(" ")));
    Ok(s)
}

/// Tasks of this sweep's earlier submissions that Slurm still has queued
/// or running (none when `squeue` is missing).
fn still_queued(dir: &SweepDir) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(dir.root.join("slurm").join("submitted.tsv")) else { return Vec::new() };
    let jobs: Vec<&str> = text.lines().filter_map(|l| l.split('\t').next()).filter(|j| !j.is_empty()).collect();
    if jobs.is_empty() {
        return Vec::new();
    }
    let Ok(out) = Command::new("squeue").args(["-h", "-r", "-o", "%i", "-j", &jobs.join(",")]).output() else { return Vec::new() };
    String::from_utf8_lossy(&out.stdout).lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect()
}

/// Submits the runs at `missing` as one array; returns Slurm's job id.
pub fn submit(dir: &SweepDir, missing: &[usize], options: &SlurmOptions, on: &DeviceChoice) -> Result<String> {
    let queued = still_queued(dir);
    if !queued.is_empty() {
        bail!(
            "{} task(s) of this sweep are still queued or running ({}): wait for them (squeue), or cancel them (scancel), then run this again",
            queued.len(),
            queued.join(" ")
        );
    }
    let slurm_dir = dir.root.join("slurm");
    std::fs::create_dir_all(&slurm_dir)?;
    std::fs::create_dir_all(dir.root.join("logs"))?;
    let script = slurm_dir.join("array.sh");
    std::fs::write(&script, batch_script(dir, options, on)?)?;
    let mut array = array_list(missing);
    if options.max_running > 0 {
        array.push_str(&format!("%{}", options.max_running));
    }
    let mut sbatch = Command::new("sbatch");
    sbatch.arg("--parsable").arg(format!("--array={array}"));
    if options.wait {
        sbatch.arg("--wait");
    }
    sbatch.arg(&script);
    eprintln!("submitting {} run(s) as a Slurm array: sbatch --array={array} {}", missing.len(), script.display());
    let output = match sbatch.output() {
        Ok(o) => o,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let _ = std::fs::remove_file(&script);
            bail!("sbatch not found: run this on a Slurm login node, start a one-node Slurm here (scripts/slurm-up), or use --on local --jobs K");
        }
        Err(e) => {
            let _ = std::fs::remove_file(&script);
            return Err(e).context("running sbatch");
        }
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    let job = stdout.lines().next().unwrap_or("").split(';').next().unwrap_or("").trim().to_string();
    if job.is_empty() {
        // Nothing was queued: leave no script behind that looks submitted.
        let _ = std::fs::remove_file(&script);
        let stderr = String::from_utf8_lossy(&output.stderr);
        bail!("sbatch refused the array ({}): {}", output.status, stderr.trim());
    }
    use std::io::Write;
    let mut log = std::fs::OpenOptions::new().create(true).append(true).open(slurm_dir.join("submitted.tsv"))?;
    writeln!(log, "{job}\t{array}")?;
    if options.wait && !output.status.success() {
        eprintln!("some tasks of job {job} failed; their logs are in {}", dir.root.join("logs").display());
    }
    Ok(job)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn array_lists_are_ranges() {
        assert_eq!(array_list(&[0, 1, 2, 5, 7, 8]), "0-2,5,7-8");
        assert_eq!(array_list(&[3]), "3");
        assert_eq!(array_list(&[]), "");
    }
}
