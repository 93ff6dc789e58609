//! `pocketgan compare`: every objective, the same budget, several seeds, on
//! the 8-Gaussian ring and (shorter) on an image set; one table.

use crate::data::{DataSource, FolderOptions, ToyDistribution};
use crate::training::device::DeviceChoice;
use crate::metrics::images::{Evaluator, splits};
use crate::eval::report::score_generator;
use crate::training::objectives::Objective;
use crate::training::run_dir::RunDir;
use crate::training::toy::{ToyConfig, train_toy};
use crate::training::image_config::TrainConfig;
use crate::training::images::train;
use anyhow::Result;
use burn::tensor::Device;
use std::time::Instant;

/// What `pocketgan compare` runs.
#[derive(clap::Args, Debug, Clone)]
pub struct CompareArgs {
    /// Objectives to compare (default: all five).
    #[arg(long, value_enum, value_delimiter = ',')]
    objectives: Vec<Objective>,
    /// Generator steps per toy run.
    #[arg(long, default_value_t = 5000)]
    toy_steps: usize,
    /// Seeds per objective on the toy data (1, 2, …).
    #[arg(long, default_value_t = 3)]
    toy_seeds: u64,
    /// The toy distribution.
    #[arg(long, value_enum, default_value_t = ToyDistribution::Ring)]
    toy: ToyDistribution,
    /// Generator steps per image run (0: skip images).
    #[arg(long, default_value_t = 300)]
    image_steps: usize,
    /// Seeds per objective on images.
    #[arg(long, default_value_t = 1)]
    image_seeds: u64,
    /// Image data set ('digits' or 'fashion-mnist').
    #[arg(long, default_value = "fashion-mnist")]
    image_data: String,
    /// Generated images per Fréchet distance.
    #[arg(long, default_value_t = 1000)]
    eval_images: usize,
    /// Folder for the image runs (default: a temporary folder, deleted after).
    #[arg(long)]
    keep_runs: Option<std::path::PathBuf>,
}

fn mean_sd(v: &[f64]) -> (f64, f64) {
    let n = v.len().max(1) as f64;
    let m = v.iter().sum::<f64>() / n;
    let sd = (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0).max(1.0)).sqrt();
    (m, sd)
}

/// Runs the comparison and prints its tables (markdown).
pub fn run(args: &CompareArgs) -> Result<()> {
    let objectives = if args.objectives.is_empty() { Objective::ALL.to_vec() } else { args.objectives.clone() };
    let device = Device::flex();
    println!("## {} ({} steps, batch 256, MLP 2×128, {} seeds, paper settings per objective)\n", args.toy, args.toy_steps, args.toy_seeds);
    println!("| objective | modes covered (of {}) | high-quality samples | wall time / run |", args.toy.modes());
    println!("|---|---|---|---|");
    for &objective in &objectives {
        let (mut modes, mut hq, mut secs) = (Vec::new(), Vec::new(), Vec::new());
        for seed in 1..=args.toy_seeds {
            let config = ToyConfig { data: args.toy, objective, steps: args.toy_steps, seed, eval_every: 0, ..ToyConfig::default() };
            let t = Instant::now();
            let run = train_toy(&config, &device, |_, _| Ok(()))?;
            secs.push(t.elapsed().as_secs_f64());
            let last = run.history.last().expect("a final snapshot").modes;
            modes.push(last.modes_covered as f64);
            hq.push(last.high_quality * 100.0);
        }
        let ((m, msd), (h, hsd), (s, _)) = (mean_sd(&modes), mean_sd(&hq), mean_sd(&secs));
        let each: Vec<String> = modes.iter().map(|m| format!("{m:.0}")).collect();
        println!("| {objective} | {m:.1} ± {msd:.1} ({}) | {h:.1} ± {hsd:.1} % | {s:.1} s |", each.join(", "));
    }
    if args.image_steps == 0 {
        return Ok(());
    }
    let data = DataSource::parse(&args.image_data, FolderOptions { size: 28, ..FolderOptions::default() })?;
    let (train_set, test_set) = splits(&data)?;
    let evaluator = Evaluator::new(&train_set, &test_set, &device, true)?;
    let tmp = tempdir()?;
    let root = args.keep_runs.clone().unwrap_or_else(|| tmp.clone());
    println!(
        "\n## {} ({} steps, batch 64, DCGAN G 64 / D 64, {} seed(s); Fréchet distance on {} samples, classifier {:.1}% on real test images)\n",
        args.image_data, args.image_steps, args.image_seeds, args.eval_images, evaluator.real_accuracy * 100.0
    );
    println!("| objective | Fréchet distance, float | Fréchet distance, int8 | class spread | wall time / run |");
    println!("|---|---|---|---|---|");
    let untrained = {
        let g = crate::nets::GeneratorConfig::new().with_latent_dim(32).with_base_channels(64).init(&device)?;
        score_generator(&evaluator, &g, args.eval_images, &device)?
    };
    println!("| (untrained) | {:.2} | {:.2} | {:.3} | - |", untrained.float.frechet, untrained.int8.frechet, untrained.float.spread);
    for &objective in &objectives {
        let (mut fd, mut fd8, mut spread, mut secs) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for seed in 1..=args.image_seeds {
            let run = RunDir::new(root.join(format!("{}-{objective}-{seed}", args.image_data)));
            let _ = std::fs::remove_dir_all(&run.root);
            let config = TrainConfig {
                data: data.clone(),
                objective,
                steps: args.image_steps,
                seed,
                sample_every: 0,
                checkpoint_every: 0,
                ..TrainConfig::default()
            };
            let t = Instant::now();
            train(&config, &run, DeviceChoice::Cpu, false)?;
            secs.push(t.elapsed().as_secs_f64());
            let (generator, _, _) = run.load_generator(&device)?;
            let s = score_generator(&evaluator, &generator, args.eval_images, &device)?;
            fd.push(s.float.frechet);
            fd8.push(s.int8.frechet);
            spread.push(s.float.spread);
        }
        let ((f, fsd), (f8, f8sd), (sp, _), (s, _)) = (mean_sd(&fd), mean_sd(&fd8), mean_sd(&spread), mean_sd(&secs));
        println!("| {objective} | {f:.2} ± {fsd:.2} | {f8:.2} ± {f8sd:.2} | {sp:.3} | {s:.0} s |");
    }
    if args.keep_runs.is_none() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    Ok(())
}

fn tempdir() -> Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("pocketgan-compare-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
