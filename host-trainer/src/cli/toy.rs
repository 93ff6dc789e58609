//! `pocketgan toy`: a 2-D toy GAN trained into a run folder.

use super::parse::timestamp;
use crate::config_file::{config_file, override_fields};
use crate::data::ToyDistribution;
use crate::training::objectives::{Objective, OptimizerKind};
use crate::training::step::LatentDistribution;
use crate::training::techniques::TechniqueArgs;
use crate::training::toy::ToyConfig;
use crate::training::toy_run;
use anyhow::Result;
use burn::tensor::Device;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct ToyArgs {
    /// TOML file with any ToyConfig fields; flags override it.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Run folder (default: runs/<data>-<objective>-<time>).
    #[arg(long)]
    run: Option<PathBuf>,
    /// The distribution [default: ring].
    #[arg(long, value_enum)]
    data: Option<ToyDistribution>,
    /// GAN objective; its paper's optimizer settings are the defaults [default: non-saturating].
    #[arg(long, value_enum)]
    objective: Option<Objective>,
    /// Generator updates [default: 10000].
    #[arg(long)]
    steps: Option<usize>,
    /// Points per batch [default: 256].
    #[arg(long)]
    batch_size: Option<usize>,
    /// Learning rate [default: the objective's].
    #[arg(long)]
    lr: Option<f64>,
    /// Critic steps per generator step [default: the objective's].
    #[arg(long)]
    d_steps: Option<usize>,
    /// Generator learning rate [default: --lr].
    #[arg(long)]
    g_lr: Option<f64>,
    /// Generator updates per step [default: 1].
    #[arg(long)]
    g_steps: Option<usize>,
    /// Optimizer of both networks [default: the objective's].
    #[arg(long, value_enum)]
    optimizer: Option<OptimizerKind>,
    /// How latents are drawn [default: normal].
    #[arg(long, value_enum)]
    latent: Option<LatentDistribution>,
    /// Hidden layers of both networks [default: 2].
    #[arg(long)]
    layers: Option<usize>,
    /// Neurons per hidden layer [default: 128].
    #[arg(long)]
    neurons: Option<usize>,
    /// Latent size [default: 8].
    #[arg(long)]
    latent_dim: Option<usize>,
    /// Seed [default: 1].
    #[arg(long)]
    seed: Option<u64>,
    /// Evaluate and draw every N steps [default: 250].
    #[arg(long)]
    eval_every: Option<usize>,
    #[command(flatten)]
    techniques: TechniqueArgs,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
}

fn toy_config(args: &ToyArgs) -> Result<ToyConfig> {
    let mut c: ToyConfig = config_file(args.config.as_deref(), "toy")?;
    override_fields!(c, args; data = data, objective = objective, steps = steps, batch_size = batch_size,
                     latent_dim = latent_dim, layers = layers, neurons = neurons, seed = seed, eval_every = eval_every,
                     g_steps = g_steps, latent = latent);
    override_fields!(c, args; some learning_rate = lr, d_steps = d_steps, g_learning_rate = g_lr, optimizer = optimizer);
    c.techniques = args.techniques.apply(c.techniques);
    Ok(c)
}


/// Runs `pocketgan toy` and prints how many modes it covered.
pub fn run(a: &ToyArgs) -> Result<()> {
    let config = toy_config(a)?;
    let run = a.run.clone().unwrap_or_else(|| PathBuf::from(format!("runs/{}-{}-{}", config.data, config.objective, timestamp())));
    let result = toy_run::train_into(&config, &run, &Device::flex(), !a.quiet)?;
    let first = result.history.first().expect("an untrained snapshot").modes;
    let last = result.history.last().expect("a final snapshot").modes;
    println!(
        "trained {} on {} for {} steps ({:.1} ms/step)\n  modes covered {}/{} (untrained {}), high-quality samples {:.1}% (untrained {:.1}%)\n  pictures: {}/samples/, metrics: {}/metrics.csv",
        config.objective, config.data, config.steps, result.ms_per_step, last.modes_covered, last.modes_total,
        first.modes_covered, last.high_quality * 100.0, first.high_quality * 100.0, run.display(), run.display()
    );
    Ok(())
}
