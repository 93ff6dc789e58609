//! `pocketgan eval RUN`: loads a run, scores it, prints the scores.

use crate::metrics::images::{Evaluator, ImageScores, splits};
use crate::metrics::modes::ModeReport;
use crate::export;
use crate::nets::Generator;
use crate::training::image_config::TrainConfig;
use crate::training::run_dir::RunDir;
use crate::training::{toy, toy_run};
use anyhow::{Result, anyhow};
use burn::tensor::Device;
use pocketgan_shared::Model;
use std::path::Path;

/// The scores of an image generator in float and after int8 export.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct GeneratorScores {
    /// The float generator.
    pub float: ImageScores,
    /// The int8 model (shared fixed-point code), same seeds and classes.
    pub int8: ImageScores,
}

/// Exports `generator` in memory and scores both versions on `n` seeds.
pub fn score_generator(evaluator: &Evaluator, generator: &Generator, n: usize, device: &Device) -> Result<GeneratorScores> {
    let exported = export::export(generator, "eval", device)?;
    score_both(evaluator, generator, &parse_exported(&exported.bytes)?, n)
}

/// An exported model's bytes, parsed.
pub fn parse_exported(bytes: &[u8]) -> Result<Model<'_>> {
    Model::parse(bytes).map_err(|e| anyhow!("the exported model does not parse: {e}"))
}

/// Scores `generator` and `model`, its int8 export, on `n` seeds.
pub fn score_both(evaluator: &Evaluator, generator: &Generator, model: &Model<'_>, n: usize) -> Result<GeneratorScores> {
    Ok(GeneratorScores { float: evaluator.score_float(generator, n), int8: evaluator.score_int8(model, n)? })
}

fn print_scores(label: &str, s: &ImageScores) {
    let accuracy = s.class_accuracy.map(|a| format!("{:.1}%", a * 100.0)).unwrap_or_else(|| "-".into());
    println!("| {label} | {:.2} | {accuracy} | {:.3} | {} |", s.frechet, s.spread, s.classes_seen);
}

/// Runs `pocketgan eval`.
pub fn run(path: &Path, n: usize, json: bool) -> Result<()> {
    let device = Device::flex();
    if path.join("toy.toml").exists() {
        let (config, generator) = toy_run::load(path, &device)?;
        let report: ModeReport = toy::evaluate(&generator, config.latent, &config.data.into(), &device);
        if json {
            println!("{}", serde_json::to_string_pretty(&report)?);
        } else {
            println!("{} on {} ({} generated points, within 3σ = high quality, ≥ 20 per mode = covered)", config.objective, config.data, crate::metrics::modes::EVAL_SAMPLES);
            println!("  modes covered: {}/{}", report.modes_covered, report.modes_total);
            println!("  high-quality samples: {:.1}%", report.high_quality * 100.0);
            println!("  mean distance to the data: {:.3}", report.mean_distance);
        }
        return Ok(());
    }
    if n < 2 {
        anyhow::bail!("--n must be at least 2 (a covariance needs two samples)");
    }
    let run = RunDir::new(path);
    if run.is_translator() {
        return crate::eval::translation::run(path, n, json);
    }
    let config = TrainConfig::read(&run)?;
    let (generator, _, state) = run.load_generator(&device)?;
    if config.spoken_digits {
        let exported = export::export(&generator, "eval", &device)?;
        let model = parse_exported(&exported.bytes)?;
        let report = crate::eval::sound::evaluate(&config, &generator, &model, &device, !json)?;
        if json {
            println!("{}", serde_json::to_string_pretty(&report)?);
        } else {
            println!("{} at step {} ({} sound model)", path.display(), state.step, config.objective);
            crate::eval::sound::print(&report);
        }
        return Ok(());
    }
    if config.captions {
        let exported = export::export(&generator, "eval", &device)?;
        let model = parse_exported(&exported.bytes)?;
        let per_prompt = (n / 100).max(2);
        let report = crate::eval::text::evaluate(&config, &generator, &model, per_prompt, &device, !json)?;
        if json {
            println!("{}", serde_json::to_string_pretty(&report)?);
        } else {
            println!(
                "{} at step {} ({} text model, {per_prompt} samples per prompt and class, seeds 0..{per_prompt})",
                path.display(),
                state.step,
                config.objective
            );
            crate::eval::text::print(&report);
        }
        return Ok(());
    }
    let (train, test) = splits(&config.data)?;
    let evaluator = Evaluator::new(&train, &test, &device, !json)?;
    let scores = score_generator(&evaluator, &generator, n, &device)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&scores)?);
        return Ok(());
    }
    println!(
        "{} at step {} ({} {}, {n} samples; classifier: {:.1}% on {} real test images)",
        path.display(),
        state.step,
        config.objective,
        if generator.classes > 0 { "conditional" } else { "unconditional" },
        evaluator.real_accuracy * 100.0,
        test.len().min(n * 5)
    );
    println!("| generator | Fréchet distance | class accuracy | class spread | classes seen |");
    println!("|---|---|---|---|---|");
    print_scores("float", &scores.float);
    print_scores("int8 (board)", &scores.int8);
    print_scores(&format!("{} real training images (the floor)", n.min(train.len())), &evaluator.score_real(&train, n));
    Ok(())
}
