//! A sweep's missing runs as processes on this machine, `jobs` at a time
//! (`pocketgan sweep run DIR --on local --jobs K`): each is `pocketgan
//! sweep worker` with its output in the run's log, and the machine's
//! cores shared out between them.

use super::manifest::{Run, SweepDir};
use crate::training::device::DeviceChoice;
use anyhow::{Context, Result, bail};
use std::ffi::OsString;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The program and arguments of a worker of the sweep in `dir`, all but
/// its `--index I` (a local job and a Slurm task each add their own).
pub fn worker_argv(dir: &SweepDir, on: &DeviceChoice) -> Result<Vec<OsString>> {
    let exe = std::env::current_exe().context("finding the pocketgan executable")?;
    Ok(vec![exe.into(), "sweep".into(), "worker".into(), dir.root.clone().into(), "--device".into(), on.to_string().into()])
}

/// Runs the runs at `missing`, `jobs` at a time, printing each as it ends.
/// Returns the ids of those that failed (their logs say why).
pub fn run_missing(dir: &SweepDir, runs: &[Run], missing: &[usize], jobs: usize, on: &DeviceChoice) -> Result<Vec<String>> {
    if jobs == 0 {
        bail!("--jobs must be at least 1");
    }
    std::fs::create_dir_all(dir.root.join("logs"))?;
    // The cores split between the jobs: burn-flex's thread pool (rayon)
    // otherwise takes every core in every process.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = (cores / jobs.min(missing.len()).max(1)).max(1);
    let argv = worker_argv(dir, on)?;
    let mut queue = missing.iter().copied();
    let mut running: Vec<(usize, Child, Instant)> = Vec::new();
    let (mut done, mut failed) = (0, Vec::new());
    loop {
        while running.len() < jobs {
            let Some(index) = queue.next() else { break };
            let log_path = dir.log(index);
            let log = std::fs::File::create(&log_path).with_context(|| format!("creating {}", log_path.display()))?;
            let child = Command::new(&argv[0])
                .args(&argv[1..])
                .arg("--index")
                .arg(index.to_string())
                .env("RAYON_NUM_THREADS", threads.to_string())
                .stdin(Stdio::null())
                .stdout(log.try_clone()?)
                .stderr(log)
                .spawn()
                .context("starting a sweep worker")?;
            running.push((index, child, Instant::now()));
        }
        if running.is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
        let mut i = 0;
        while i < running.len() {
            let Some(status) = running[i].1.try_wait()? else {
                i += 1;
                continue;
            };
            let (index, _, started) = running.swap_remove(i);
            done += 1;
            let id = &runs[index].spec.id;
            let secs = started.elapsed().as_secs_f64();
            if status.success() {
                eprintln!("[{done}/{}] {id}: done in {secs:.1} s", missing.len());
            } else {
                eprintln!("[{done}/{}] {id}: FAILED ({status}); its log: {}", missing.len(), dir.log(index).display());
                failed.push(id.clone());
            }
        }
    }
    Ok(failed)
}
