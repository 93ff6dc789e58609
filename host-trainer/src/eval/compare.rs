//! `pocketgan compare`: the rows of [`recipes`] (each objective with its
//! paper's settings, each technique alone, each objective with the
//! recommended recipe), the same budget and several seeds each, on the
//! toys (ring and grid) and on image sets; markdown tables, and with
//! `--dump` every evaluated sample as files ([`super::dump`]).

use super::dump;
use super::recipes::{Recipe, RowSet, recipes};
use crate::data::{DataSource, FolderOptions, ToyDistribution};
use crate::eval::report::{parse_exported, score_both, score_generator};
use crate::export;
use crate::metrics::images::{Evaluator, splits};
use crate::metrics::modes::EVAL_SAMPLES;
use crate::training::device::DeviceChoice;
use crate::training::image_config::{Preset, TrainConfig};
use crate::training::images::train;
use crate::training::objectives::Objective;
use crate::training::run_dir::RunDir;
use crate::training::toy::{ToyConfig, generated_points, train_toy};
use anyhow::Result;
use burn::tensor::Device;
use std::path::PathBuf;
use std::time::Instant;

/// What `pocketgan compare` runs.
#[derive(clap::Args, Debug, Clone)]
pub struct CompareArgs {
    /// Objectives of the paper and recommended rows (default: all six).
    #[arg(long, value_enum, value_delimiter = ',')]
    objectives: Vec<Objective>,
    /// Which rows: paper (each objective alone), techniques (each technique
    /// on non-saturating), recommended (each objective with the recommended recipe).
    #[arg(long, value_enum, value_delimiter = ',', default_value = "paper,techniques,recommended")]
    rows: Vec<RowSet>,
    /// The toy distributions, comma-separated ('none': skip toys).
    #[arg(long, value_delimiter = ',', default_value = "ring,grid", value_parser = parse_toy)]
    toys: Vec<Option<ToyDistribution>>,
    /// Generator steps per toy run.
    #[arg(long, default_value_t = 20_000)]
    toy_steps: usize,
    /// Seeds per row on the toys (1, 2, …).
    #[arg(long, default_value_t = 3)]
    toy_seeds: u64,
    /// Image data sets, comma-separated ('digits', 'fashion-mnist').
    #[arg(long, value_delimiter = ',', default_value = "digits,fashion-mnist")]
    image_data: Vec<String>,
    /// Generator steps per image run (0: skip images).
    #[arg(long, default_value_t = 3000)]
    image_steps: usize,
    /// Seeds per row on images.
    #[arg(long, default_value_t = 2)]
    image_seeds: u64,
    /// Generated images per Fréchet distance.
    #[arg(long, default_value_t = 1000)]
    eval_images: usize,
    /// Folder for the image runs (default: a temporary folder, deleted after).
    #[arg(long)]
    keep_runs: Option<PathBuf>,
    /// Write every evaluated sample here: toy points as CSV, image grids
    /// (float and int8) as PNG.
    #[arg(long)]
    dump: Option<PathBuf>,
}

/// A toy distribution's name, or `none` (no toy tables).
fn parse_toy(name: &str) -> Result<Option<ToyDistribution>, String> {
    if name == "none" {
        return Ok(None);
    }
    <ToyDistribution as clap::ValueEnum>::from_str(name, false).map(Some).map_err(|_| {
        let names: Vec<String> = <ToyDistribution as clap::ValueEnum>::value_variants().iter().filter_map(|d| clap::ValueEnum::to_possible_value(d)).map(|v| v.get_name().to_string()).collect();
        format!("unknown toy '{name}': choose from {}, or none", names.join(", "))
    })
}

fn mean_sd(v: &[f64]) -> (f64, f64) {
    let n = v.len().max(1) as f64;
    let m = v.iter().sum::<f64>() / n;
    let sd = (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0).max(1.0)).sqrt();
    (m, sd)
}

fn list(v: &[f64], decimals: usize) -> String {
    v.iter().map(|x| format!("{x:.decimals$}")).collect::<Vec<_>>().join(", ")
}

/// Runs the comparison and prints its tables (markdown).
pub fn run(args: &CompareArgs) -> Result<()> {
    let objectives = if args.objectives.is_empty() { Objective::ALL.to_vec() } else { args.objectives.clone() };
    if args.toy_seeds == 0 || args.image_seeds == 0 {
        anyhow::bail!("--toy-seeds and --image-seeds must be at least 1");
    }
    let device = Device::flex();
    for &toy in args.toys.iter().flatten() {
        toy_table(args, toy, &recipes(&args.rows, &objectives, false), &device)?;
    }
    if args.image_steps == 0 {
        return Ok(());
    }
    let tmp = tempdir()?;
    let root = args.keep_runs.clone().unwrap_or_else(|| tmp.clone());
    for name in &args.image_data {
        image_table(args, name, &recipes(&args.rows, &objectives, true), &root, &device)?;
    }
    if args.keep_runs.is_none() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    Ok(())
}

fn toy_table(args: &CompareArgs, toy: ToyDistribution, rows: &[Recipe], device: &Device) -> Result<()> {
    let base = ToyConfig::default();
    println!(
        "\n## {toy} ({} steps, batch {}, MLP {}×{}, latent {}, {} seeds)\n",
        args.toy_steps, base.batch_size, base.layers, base.neurons, base.latent_dim, args.toy_seeds
    );
    println!("| row | modes covered (of {}) | high-quality samples | wall time / run |", toy.modes());
    println!("|---|---|---|---|");
    for row in rows {
        let (mut modes, mut hq, mut secs) = (Vec::new(), Vec::new(), Vec::new());
        for seed in 1..=args.toy_seeds {
            let config = ToyConfig {
                data: toy,
                objective: row.objective,
                steps: args.toy_steps,
                seed,
                eval_every: 0,
                techniques: row.techniques.clone(),
                ..ToyConfig::default()
            };
            let t = Instant::now();
            let run = train_toy(&config, device, |_, _| Ok(()))?;
            secs.push(t.elapsed().as_secs_f64());
            let last = run.history.last().expect("a final snapshot").modes;
            modes.push(last.modes_covered as f64);
            hq.push(last.high_quality * 100.0);
            if let Some(dir) = &args.dump {
                let points = generated_points(&run.gan.sampling_generator(), config.latent, EVAL_SAMPLES, device);
                dump::write_points(&dir.join(toy.name()).join(format!("{}-seed{seed}.csv", row.slug())), &points)?;
            }
            eprintln!("  {toy}, {}, seed {seed}: {}/{} modes, {:.1}% high quality", row.label, last.modes_covered, toy.modes(), last.high_quality * 100.0);
        }
        let ((m, msd), (h, hsd), (s, _)) = (mean_sd(&modes), mean_sd(&hq), mean_sd(&secs));
        println!("| {} | {m:.1} ± {msd:.1} ({}) | {h:.1} ± {hsd:.1} % ({}) | {s:.1} s |", row.label, list(&modes, 0), list(&hq, 1));
    }
    Ok(())
}

fn image_table(args: &CompareArgs, name: &str, rows: &[Recipe], root: &std::path::Path, device: &Device) -> Result<()> {
    let data = DataSource::parse(name, FolderOptions { size: 28, ..FolderOptions::default() })?;
    let (train_set, test_set) = splits(&data)?;
    let evaluator = Evaluator::new(&train_set, &test_set, device, true)?;
    let base = TrainConfig::default();
    println!(
        "\n## {name} ({} steps, batch {}, DCGAN G {} / D {}, latent {}, {} seed(s); Fréchet distance on {} samples, classifier {:.1}% on real test images)\n",
        args.image_steps,
        base.batch_size,
        base.generator_channels,
        base.discriminator_channels,
        base.latent_dim,
        args.image_seeds,
        args.eval_images,
        evaluator.real_accuracy * 100.0
    );
    println!("| row | Fréchet distance, float | Fréchet distance, int8 | class spread | wall time / run |");
    println!("|---|---|---|---|---|");
    let untrained = {
        let g = crate::nets::GeneratorConfig::new().with_latent_dim(base.latent_dim).with_base_channels(base.generator_channels).init(device)?;
        score_generator(&evaluator, &g, args.eval_images, device)?
    };
    println!("| (untrained) | {:.2} | {:.2} | {:.3} | - |", untrained.float.frechet, untrained.int8.frechet, untrained.float.spread);
    let real = evaluator.score_real(&train_set, args.eval_images);
    println!("| (real training images: the floor) | {:.2} | - | {:.3} | - |", real.frechet, real.spread);
    for row in rows {
        let (mut fd, mut fd8, mut spread, mut secs) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for seed in 1..=args.image_seeds {
            let run = RunDir::new(root.join(format!("{name}-{}-{seed}", row.slug())));
            let _ = std::fs::remove_dir_all(&run.root);
            let config = TrainConfig {
                data: data.clone(),
                objective: row.objective,
                steps: args.image_steps,
                seed,
                sample_every: 0,
                checkpoint_every: 0,
                batch_norm: row.batch_norm,
                preset: if row.recommended { Preset::Recommended } else { Preset::Paper },
                techniques: (!row.recommended).then(|| row.techniques.clone()),
                ..TrainConfig::default()
            };
            let t = Instant::now();
            train(&config, &run, DeviceChoice::Cpu, false)?;
            secs.push(t.elapsed().as_secs_f64());
            let (generator, _, _) = run.load_generator(device)?;
            let exported = export::export(&generator, "compare", device)?;
            let model = parse_exported(&exported.bytes)?;
            let s = score_both(&evaluator, &generator, &model, args.eval_images)?;
            if let Some(dir) = &args.dump {
                dump::write_image_grids(&dir.join(name).join(format!("{}-seed{seed}", row.slug())), &generator, &model, device)?;
            }
            eprintln!("  {name}, {}, seed {seed}: Fréchet {:.2} (int8 {:.2}), spread {:.3}", row.label, s.float.frechet, s.int8.frechet, s.float.spread);
            fd.push(s.float.frechet);
            fd8.push(s.int8.frechet);
            spread.push(s.float.spread);
        }
        let ((f, fsd), (f8, f8sd), (sp, _), (s, _)) = (mean_sd(&fd), mean_sd(&fd8), mean_sd(&spread), mean_sd(&secs));
        println!("| {} | {f:.2} ± {fsd:.2} ({}) | {f8:.2} ± {f8sd:.2} | {sp:.3} | {s:.0} s |", row.label, list(&fd, 1));
    }
    Ok(())
}

fn tempdir() -> Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("pocketgan-compare-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
