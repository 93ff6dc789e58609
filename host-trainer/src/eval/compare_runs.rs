//! One run of a comparison row (a toy or an image run: train, score) and
//! the table rows made of a row's runs. `pocketgan compare` runs them one
//! after another in its process; `pocketgan sweep` runs each in its own
//! (a local job or a Slurm array task) and makes the same tables from the
//! results they leave.

use super::dump;
use super::recipes::Recipe;
use crate::data::{DataSource, ToyDistribution};
use crate::eval::report::{parse_exported, score_both};
use crate::export;
use crate::metrics::images::Evaluator;
use crate::metrics::modes::EVAL_SAMPLES;
use crate::training::device::DeviceChoice;
use crate::training::image_config::{Preset, TrainConfig};
use crate::training::images::train;
use crate::training::run_dir::RunDir;
use crate::training::toy::{ToyConfig, generated_points, train_toy};
use anyhow::Result;
use burn::tensor::Device;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::time::Instant;

/// What a toy run scored.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ToyScore {
    /// Modes covered at the end.
    pub modes: usize,
    /// Share of samples near a mode, in %.
    pub high_quality_percent: f64,
    /// Wall time of the training, seconds.
    pub seconds: f64,
}

/// What an image run scored.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ImageScore {
    /// Fréchet distance of the float generator.
    pub frechet: f64,
    /// Fréchet distance of the int8 model.
    pub frechet_int8: f64,
    /// Class spread of the float generator.
    pub spread: f64,
    /// Wall time of the training, seconds.
    pub seconds: f64,
}

/// Trains `row` on `toy` for `steps` with `seed` and scores it; with
/// `dump`, writes the final points there as CSV.
pub fn run_toy(row: &Recipe, toy: ToyDistribution, steps: usize, seed: u64, dump: Option<&Path>, device: &Device) -> Result<ToyScore> {
    let config = ToyConfig {
        data: toy,
        objective: row.objective,
        steps,
        seed,
        eval_every: 0,
        techniques: row.techniques.clone(),
        ..ToyConfig::default()
    };
    let t = Instant::now();
    let run = train_toy(&config, device, |_, _| Ok(()))?;
    let seconds = t.elapsed().as_secs_f64();
    let last = run.history.last().expect("a final snapshot").modes;
    if let Some(dir) = dump {
        let points = generated_points(&run.gan.sampling_generator(), config.latent, EVAL_SAMPLES, device);
        dump::write_points(&dir.join(toy.name()).join(format!("{}-seed{seed}.csv", row.slug())), &points)?;
    }
    Ok(ToyScore { modes: last.modes_covered, high_quality_percent: last.high_quality * 100.0, seconds })
}

/// The settings of an image run of `row`.
pub fn image_config(row: &Recipe, data: &DataSource, steps: usize, seed: u64) -> TrainConfig {
    TrainConfig {
        data: data.clone(),
        objective: row.objective,
        steps,
        seed,
        sample_every: 0,
        checkpoint_every: 0,
        batch_norm: row.batch_norm,
        preset: if row.recommended { Preset::Recommended } else { Preset::Paper },
        techniques: (!row.recommended).then(|| row.techniques.clone()),
        ..TrainConfig::default()
    }
}

/// Trains `row` on `data` into `run` (emptied first) and scores the float
/// generator and its int8 export with `evaluator` on `eval_images`
/// images; with `dump` (the data set's folder), writes both's image grids there.
#[allow(clippy::too_many_arguments)]
pub fn run_image(
    row: &Recipe,
    data: &DataSource,
    steps: usize,
    seed: u64,
    run: &RunDir,
    on: &DeviceChoice,
    evaluator: &Evaluator,
    eval_images: usize,
    dump: Option<&Path>,
    device: &Device,
) -> Result<ImageScore> {
    let _ = std::fs::remove_dir_all(&run.root);
    let config = image_config(row, data, steps, seed);
    let t = Instant::now();
    train(&config, run, on, false)?;
    let seconds = t.elapsed().as_secs_f64();
    let (generator, _, _) = run.load_generator(device)?;
    let exported = export::export(&generator, "compare", device)?;
    let model = parse_exported(&exported.bytes)?;
    let s = score_both(evaluator, &generator, &model, eval_images)?;
    if let Some(dir) = dump {
        dump::write_image_grids(&dir.join(format!("{}-seed{seed}", row.slug())), &generator, &model, device)?;
    }
    Ok(ImageScore { frechet: s.float.frechet, frechet_int8: s.int8.frechet, spread: s.float.spread, seconds })
}

/// Mean and sample standard deviation.
pub fn mean_sd(v: &[f64]) -> (f64, f64) {
    let n = v.len().max(1) as f64;
    let m = v.iter().sum::<f64>() / n;
    let sd = (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0).max(1.0)).sqrt();
    (m, sd)
}

fn list(v: &[f64], decimals: usize) -> String {
    v.iter().map(|x| format!("{x:.decimals$}")).collect::<Vec<_>>().join(", ")
}

/// The toy table's header lines (markdown) for a distribution of `modes`.
pub fn toy_table_head(modes: usize) -> String {
    format!("| row | modes covered (of {modes}) | high-quality samples | wall time / run |\n|---|---|---|---|")
}

/// A toy table's row: the mean ± sd of `runs`, each run's value in brackets.
pub fn toy_table_row(label: &str, runs: &[ToyScore]) -> String {
    let modes: Vec<f64> = runs.iter().map(|r| r.modes as f64).collect();
    let hq: Vec<f64> = runs.iter().map(|r| r.high_quality_percent).collect();
    let secs: Vec<f64> = runs.iter().map(|r| r.seconds).collect();
    let ((m, msd), (h, hsd), (s, _)) = (mean_sd(&modes), mean_sd(&hq), mean_sd(&secs));
    format!("| {label} | {m:.1} ± {msd:.1} ({}) | {h:.1} ± {hsd:.1} % ({}) | {s:.1} s |", list(&modes, 0), list(&hq, 1))
}

/// The image table's header lines (markdown).
pub fn image_table_head() -> &'static str {
    "| row | Fréchet distance, float | Fréchet distance, int8 | class spread | wall time / run |\n|---|---|---|---|---|"
}

/// An image table's row: the mean ± sd of `runs`.
pub fn image_table_row(label: &str, runs: &[ImageScore]) -> String {
    let fd: Vec<f64> = runs.iter().map(|r| r.frechet).collect();
    let fd8: Vec<f64> = runs.iter().map(|r| r.frechet_int8).collect();
    let spread: Vec<f64> = runs.iter().map(|r| r.spread).collect();
    let secs: Vec<f64> = runs.iter().map(|r| r.seconds).collect();
    let ((f, fsd), (f8, f8sd), (sp, _), (s, _)) = (mean_sd(&fd), mean_sd(&fd8), mean_sd(&spread), mean_sd(&secs));
    format!("| {label} | {f:.2} ± {fsd:.2} ({}) | {f8:.2} ± {f8sd:.2} | {sp:.3} | {s:.0} s |", list(&fd, 1))
}
