//! `pocketgan train-translator`: flags and config file → [`TranslatorConfig`],
//! a new translator run or `--resume`, and what to do next.

use super::run_flow::{finish, refuse_fixed_flags};
use super::parse::timestamp;
use crate::config_file::{config_file, override_fields};
use crate::data::translation::TranslationData;
use crate::data::{FolderOptions, ResizeMode};
use crate::training::device::DeviceChoice;
use crate::training::image_config::ResumeChanges;
use crate::training::run_dir::RunDir;
use crate::training::translation::config::{Method, TranslatorConfig};
use crate::training::translation::run;
use anyhow::{Result, bail};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct TranslatorArgs {
    /// TOML file with any TranslatorConfig fields; flags override it.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Run folder (default: runs/<data>-<method>-<time>).
    #[arg(long, conflicts_with = "resume")]
    run: Option<PathBuf>,
    /// Continue this run from its last checkpoint; only --steps, --sample-every,
    /// --checkpoint-every, --device and --quiet may be given with it.
    #[arg(long, value_name = "RUN")]
    resume: Option<PathBuf>,
    /// 'skeletons' (digit skeleton → digit, paired), 'outlines' (Fashion-MNIST outline →
    /// garment, paired), 'printed-digits' (printed ↔ handwritten, unpaired), or a folder
    /// holding A/ and B/ [default: skeletons].
    #[arg(long)]
    data: Option<String>,
    /// A folder's A/ and B/ are not paired by file name (trains CycleGAN).
    #[arg(long)]
    unpaired: bool,
    /// Side of a folder's images after resizing (28 or 32 suit a board) [default: 32].
    #[arg(long)]
    image_size: Option<usize>,
    /// A folder's channels: 1 (gray) or 3 (RGB) [default: 1].
    #[arg(long)]
    channels: Option<usize>,
    /// How a folder's images become square [default: crop].
    #[arg(long, value_enum)]
    resize: Option<ResizeMode>,
    /// pix2pix (paired) or cycle-gan (unpaired) [default: pix2pix for paired data, cycle-gan otherwise].
    #[arg(long, value_enum)]
    method: Option<Method>,
    /// Training steps [default: 3000].
    #[arg(long)]
    steps: Option<usize>,
    /// Pairs (or images of each side) per batch [default: 32].
    #[arg(long)]
    batch_size: Option<usize>,
    /// Adam learning rate of every network [default: 2e-4, both papers'].
    #[arg(long)]
    lr: Option<f64>,
    /// Adam beta1 [default: 0.5].
    #[arg(long)]
    beta1: Option<f32>,
    /// Adam beta2 [default: 0.999].
    #[arg(long)]
    beta2: Option<f32>,
    /// pix2pix: weight of the L1 distance to the target [default: 100, the paper's].
    #[arg(long)]
    l1_weight: Option<f32>,
    /// CycleGAN: weight of each cycle's L1 [default: 10, the paper's].
    #[arg(long)]
    cycle_weight: Option<f32>,
    /// CycleGAN: identity weight as a fraction of --cycle-weight [default: 0.5].
    #[arg(long)]
    identity_weight: Option<f32>,
    /// CycleGAN: past fakes each discriminator keeps (0: none) [default: 50].
    #[arg(long)]
    pool_size: Option<usize>,
    /// The U-Net's channels after its first stage (doubling per stage) [default: 32].
    #[arg(long)]
    generator_channels: Option<usize>,
    /// The U-Net's encoder stages, each halving the image [default: 2].
    #[arg(long)]
    depth: Option<usize>,
    /// The PatchGAN's first layer's channels [default: 32].
    #[arg(long)]
    discriminator_channels: Option<usize>,
    /// Seed [default: 1].
    #[arg(long)]
    seed: Option<u64>,
    /// Sample grid every N steps [default: 250].
    #[arg(long)]
    sample_every: Option<usize>,
    /// Checkpoint every N steps [default: 500].
    #[arg(long)]
    checkpoint_every: Option<usize>,
    /// Compute device: cpu, wgpu, auto (wgpu if it answers, else cpu) or remote:ws://HOST:PORT
    /// (a `pocketgan serve-device` on another machine; builds with --features remote).
    #[arg(long, default_value = "cpu")]
    device: DeviceChoice,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
}

fn translator_config(args: &TranslatorArgs) -> Result<TranslatorConfig> {
    let mut c: TranslatorConfig = config_file(args.config.as_deref(), "translator")?;
    if let Some(spec) = &args.data {
        let defaults = FolderOptions::default();
        let options = FolderOptions {
            size: args.image_size.unwrap_or(defaults.size),
            channels: args.channels.unwrap_or(defaults.channels),
            resize: args.resize.unwrap_or(defaults.resize),
            skip_bad: false,
        };
        c.data = TranslationData::parse(spec, args.unpaired, options)?;
    }
    let folder_flags = args.image_size.is_some() || args.channels.is_some() || args.resize.is_some() || args.unpaired;
    if folder_flags && !matches!(c.data, TranslationData::Folders { .. }) {
        bail!("--image-size, --channels, --resize and --unpaired apply to a folder of A/ and B/: add --data path/to/folder");
    }
    override_fields!(c, args; steps = steps, batch_size = batch_size, learning_rate = lr, beta1 = beta1, beta2 = beta2,
                     l1_weight = l1_weight, cycle_weight = cycle_weight, identity_weight = identity_weight,
                     pool_size = pool_size, generator_channels = generator_channels, depth = depth,
                     discriminator_channels = discriminator_channels, seed = seed, sample_every = sample_every,
                     checkpoint_every = checkpoint_every);
    if args.method.is_some() {
        c.method = args.method;
    }
    Ok(c)
}

/// The flags `--resume` cannot take.
fn fixed_by_the_run(args: &TranslatorArgs) -> Vec<&'static str> {
    [
        ("--config", args.config.is_some()),
        ("--data", args.data.is_some()),
        ("--unpaired", args.unpaired),
        ("--image-size", args.image_size.is_some()),
        ("--channels", args.channels.is_some()),
        ("--resize", args.resize.is_some()),
        ("--method", args.method.is_some()),
        ("--batch-size", args.batch_size.is_some()),
        ("--lr", args.lr.is_some()),
        ("--beta1", args.beta1.is_some()),
        ("--beta2", args.beta2.is_some()),
        ("--l1-weight", args.l1_weight.is_some()),
        ("--cycle-weight", args.cycle_weight.is_some()),
        ("--identity-weight", args.identity_weight.is_some()),
        ("--pool-size", args.pool_size.is_some()),
        ("--generator-channels", args.generator_channels.is_some()),
        ("--depth", args.depth.is_some()),
        ("--discriminator-channels", args.discriminator_channels.is_some()),
        ("--seed", args.seed.is_some()),
    ]
    .into_iter()
    .filter_map(|(name, given)| given.then_some(name))
    .collect()
}

/// Runs `pocketgan train-translator`: 130 when Ctrl-C stopped it (checkpoint written).
pub fn run(args: &TranslatorArgs) -> Result<ExitCode> {
    crate::training::interrupt::install();
    let (report, folder) = if let Some(root) = &args.resume {
        refuse_fixed_flags(root, &fixed_by_the_run(args))?;
        let folder = RunDir::new(root.clone());
        let changes =
            ResumeChanges { steps: args.steps, sample_every: args.sample_every, checkpoint_every: args.checkpoint_every };
        (run::resume(&folder, &changes, &args.device, !args.quiet)?, folder)
    } else {
        let config = translator_config(args)?;
        let folder = RunDir::new(args.run.clone().unwrap_or_else(|| {
            PathBuf::from(format!("runs/{}-{}-{}", config.data.short_name(), config.method(), timestamp()))
        }));
        (run::train(&config, &folder, &args.device, !args.quiet)?, folder)
    };
    Ok(finish(&report, &folder.root, "train-translator", &args.device, "run folder: {root} (samples: {root}/samples, loss curves: {root}/losses.png)\nnext: pocketgan export {root} -o translator.pgan"))
}
