//! What `train` and `train-translator` share around a run: refusing
//! settings `--resume` cannot change, and the closing message (the resume
//! command after Ctrl-C, the summary and next step otherwise).

use crate::training::device::DeviceChoice;
use crate::training::images::TrainReport;
use anyhow::{Result, bail};
use std::path::Path;
use std::process::ExitCode;

/// Refuses a `--resume` of `root` that also gives `fixed` (flags the run's
/// config.toml fixes), naming them.
pub fn refuse_fixed_flags(root: &Path, fixed: &[&str]) -> Result<()> {
    if !fixed.is_empty() {
        bail!(
            "--resume continues {} with the settings in its config.toml, so {} cannot change; \
             only --steps, --sample-every, --checkpoint-every and --device can. To train differently, start a new run",
            root.display(),
            fixed.join(", ")
        );
    }
    Ok(())
}

/// Prints how the run in `root` ended: after Ctrl-C, where its checkpoint
/// is and `pocketgan COMMAND --resume ROOT` (with `--device` unless it was
/// the default, the CPU) (exit status 130); otherwise
/// the summary, then `next` (a line naming what the run folder holds and
/// what to do with it, `{root}` replaced).
pub fn finish(report: &TrainReport, root: &Path, command: &str, device: &DeviceChoice, next: &str) -> ExitCode {
    let root = root.display().to_string();
    if report.interrupted {
        let device = if *device == DeviceChoice::Cpu { String::new() } else { format!(" --device {device}") };
        println!("interrupted: checkpoint written at step {}\ncontinue with: pocketgan {command} --resume {root}{device}", report.steps);
        return ExitCode::from(130);
    }
    println!(
        "trained to step {} on {} ({:.0} ms/step), final losses D {:.3} G {:.3}\n{}",
        report.steps,
        report.device,
        report.ms_per_step,
        report.d_loss,
        report.g_loss,
        next.replace("{root}", &root)
    );
    ExitCode::SUCCESS
}
