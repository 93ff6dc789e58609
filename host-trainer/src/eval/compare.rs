//! `pocketgan compare`: the rows of [`recipes`] (each objective with its
//! paper's settings, each technique alone, each objective with the
//! recommended recipe), the same budget and several seeds each, on the
//! toys (ring and grid) and on image sets; markdown tables, and with
//! `--dump` every evaluated sample as files ([`super::dump`]).

use super::compare_runs::{image_table_head, image_table_row, run_image, run_toy, toy_table_head, toy_table_row};
use super::recipes::{Recipe, RowSet, recipes};
use crate::data::{DataSource, FolderOptions, ToyDistribution};
use crate::eval::report::score_generator;
use crate::metrics::images::{Evaluator, splits};
use crate::training::device::DeviceChoice;
use crate::training::image_config::TrainConfig;
use crate::training::objectives::Objective;
use crate::training::run_dir::RunDir;
use crate::training::toy::ToyConfig;
use anyhow::Result;
use burn::tensor::Device;
use std::path::PathBuf;

/// Which runs a comparison (or a sweep) has: rows × data × seeds.
#[derive(clap::Args, Debug, Clone)]
pub struct Grid {
    /// Objectives of the paper and recommended rows (default: all six).
    #[arg(long, value_enum, value_delimiter = ',')]
    pub objectives: Vec<Objective>,
    /// Which rows: paper (each objective alone), techniques (each technique
    /// on non-saturating), recommended (each objective with the recommended recipe).
    #[arg(long, value_enum, value_delimiter = ',', default_value = "paper,techniques,recommended")]
    pub rows: Vec<RowSet>,
    /// The toy distributions, comma-separated ('none': skip toys).
    #[arg(long, value_delimiter = ',', default_value = "ring,grid", value_parser = parse_toy)]
    pub toys: Vec<Option<ToyDistribution>>,
    /// Generator steps per toy run.
    #[arg(long, default_value_t = 20_000)]
    pub toy_steps: usize,
    /// Seeds per row on the toys (1, 2, …).
    #[arg(long, default_value_t = 3)]
    pub toy_seeds: u64,
    /// Image data sets, comma-separated ('digits', 'fashion-mnist').
    #[arg(long, value_delimiter = ',', default_value = "digits,fashion-mnist")]
    pub image_data: Vec<String>,
    /// Generator steps per image run (0: skip images).
    #[arg(long, default_value_t = 3000)]
    pub image_steps: usize,
    /// Seeds per row on images.
    #[arg(long, default_value_t = 2)]
    pub image_seeds: u64,
    /// Generated images per Fréchet distance.
    #[arg(long, default_value_t = 1000)]
    pub eval_images: usize,
}

/// What `pocketgan compare` runs.
#[derive(clap::Args, Debug, Clone)]
pub struct CompareArgs {
    /// The rows, data and seeds.
    #[command(flatten)]
    pub grid: Grid,
    /// Folder for the image runs (default: a temporary folder, deleted after).
    #[arg(long)]
    keep_runs: Option<PathBuf>,
    /// Write every evaluated sample here: toy points as CSV, image grids
    /// (float and int8) as PNG.
    #[arg(long)]
    dump: Option<PathBuf>,
}

/// A toy distribution's name, or `none` (no toy tables).
pub fn parse_toy(name: &str) -> Result<Option<ToyDistribution>, String> {
    if name == "none" {
        return Ok(None);
    }
    <ToyDistribution as clap::ValueEnum>::from_str(name, false).map(Some).map_err(|_| {
        let names: Vec<String> = <ToyDistribution as clap::ValueEnum>::value_variants().iter().filter_map(|d| clap::ValueEnum::to_possible_value(d)).map(|v| v.get_name().to_string()).collect();
        format!("unknown toy '{name}': choose from {}, or none", names.join(", "))
    })
}

/// Runs the comparison and prints its tables (markdown).
pub fn run(args: &CompareArgs) -> Result<()> {
    let objectives = if args.grid.objectives.is_empty() { Objective::ALL.to_vec() } else { args.grid.objectives.clone() };
    if args.grid.toy_seeds == 0 || args.grid.image_seeds == 0 {
        anyhow::bail!("--toy-seeds and --image-seeds must be at least 1");
    }
    let device = Device::flex();
    for &toy in args.grid.toys.iter().flatten() {
        toy_table(args, toy, &recipes(&args.grid.rows, &objectives, false), &device)?;
    }
    if args.grid.image_steps == 0 {
        return Ok(());
    }
    let tmp = tempdir()?;
    let root = args.keep_runs.clone().unwrap_or_else(|| tmp.clone());
    for name in &args.grid.image_data {
        image_table(args, name, &recipes(&args.grid.rows, &objectives, true), &root, &device)?;
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
        args.grid.toy_steps, base.batch_size, base.layers, base.neurons, base.latent_dim, args.grid.toy_seeds
    );
    println!("{}", toy_table_head(toy.modes()));
    for row in rows {
        let mut runs = Vec::new();
        for seed in 1..=args.grid.toy_seeds {
            let score = run_toy(row, toy, args.grid.toy_steps, seed, args.dump.as_deref(), device)?;
            eprintln!("  {toy}, {}, seed {seed}: {}/{} modes, {:.1}% high quality", row.label, score.modes, toy.modes(), score.high_quality_percent);
            runs.push(score);
        }
        println!("{}", toy_table_row(&row.label, &runs));
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
        args.grid.image_steps,
        base.batch_size,
        base.generator_channels,
        base.discriminator_channels,
        base.latent_dim,
        args.grid.image_seeds,
        args.grid.eval_images,
        evaluator.real_accuracy * 100.0
    );
    println!("{}", image_table_head());
    let untrained = {
        let g = crate::nets::GeneratorConfig::new().with_latent_dim(base.latent_dim).with_base_channels(base.generator_channels).init(device)?;
        score_generator(&evaluator, &g, args.grid.eval_images, device)?
    };
    println!("| (untrained) | {:.2} | {:.2} | {:.3} | - |", untrained.float.frechet, untrained.int8.frechet, untrained.float.spread);
    let real = evaluator.score_real(&train_set, args.grid.eval_images);
    println!("| (real training images: the floor) | {:.2} | - | {:.3} | - |", real.frechet, real.spread);
    let dump = args.dump.as_ref().map(|d| d.join(name));
    for row in rows {
        let mut runs = Vec::new();
        for seed in 1..=args.grid.image_seeds {
            let run = RunDir::new(root.join(format!("{name}-{}-{seed}", row.slug())));
            let s = run_image(row, &data, args.grid.image_steps, seed, &run, &DeviceChoice::Cpu, &evaluator, args.grid.eval_images, dump.as_deref(), device)?;
            eprintln!("  {name}, {}, seed {seed}: Fréchet {:.2} (int8 {:.2}), spread {:.3}", row.label, s.frechet, s.frechet_int8, s.spread);
            runs.push(s);
        }
        println!("{}", image_table_row(&row.label, &runs));
    }
    Ok(())
}

fn tempdir() -> Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("pocketgan-compare-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
