//! `pocketgan train`: flags and config file → [`TrainConfig`], a new run or
//! `--resume`, and what to do next.

use super::parse::{parse_size, timestamp};
use super::run_flow::{finish, refuse_fixed_flags};
use crate::config_file::{config_file, override_fields};
use crate::data::{DataSource, FolderOptions, ResizeMode};
use crate::training::device::DeviceChoice;
use crate::training::image_config::{Preset, ResumeChanges, TrainConfig};
use crate::training::images;
use crate::training::objectives::{Objective, OptimizerKind};
use crate::training::run_dir::RunDir;
use crate::training::techniques::TechniqueArgs;
use anyhow::{Result, bail};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct TrainArgs {
    /// TOML file with any TrainConfig fields; flags override it.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Run folder (default: runs/<data>-<time>).
    #[arg(long, conflicts_with = "resume")]
    run: Option<PathBuf>,
    /// Continue this run from its last checkpoint (Ctrl-C, a crash, or more
    /// --steps); only --steps, --sample-every, --checkpoint-every, --device
    /// and --quiet may be given with it.
    #[arg(long, value_name = "RUN")]
    resume: Option<PathBuf>,
    /// 'digits' (bundled), 'fashion-mnist' ('fashion-mnist:test'), or a folder of PNG/JPEG images.
    #[arg(long)]
    data: Option<String>,
    /// Side of folder images after resizing (multiple of 4) [default: 32, or from --display].
    #[arg(long)]
    image_size: Option<usize>,
    /// Size folder images for this display, e.g. 128x64: the largest square
    /// the board app shows pixel for pixel (64 here).
    #[arg(long, value_parser = parse_size, conflicts_with = "image_size")]
    display: Option<(u16, u16)>,
    /// Channels of folder images: 1 (grayscale) or 3 (RGB) [default: 1].
    #[arg(long)]
    channels: Option<usize>,
    /// How folder images become square [default: crop].
    #[arg(long, value_enum)]
    resize: Option<ResizeMode>,
    /// Leave out unreadable or too-small folder images instead of stopping.
    #[arg(long)]
    skip_bad_images: bool,
    /// Generator updates [default: 4000].
    #[arg(long)]
    steps: Option<usize>,
    /// Batch size [default: 64].
    #[arg(long)]
    batch_size: Option<usize>,
    /// GAN objective; the preset gives its optimizer settings.
    #[arg(long, value_enum)]
    objective: Option<Objective>,
    /// Where unset settings come from: `recommended` (non-saturating: R1 γ 10, no D batch norm,
    /// Adam 1e-3 β (0, 0.99); every objective: pack 2 and a 0.995 average) or `paper`
    /// (the objective's paper settings, no technique) [default: recommended].
    #[arg(long, value_enum)]
    preset: Option<Preset>,
    /// Train a class-conditional GAN on the data set's labels.
    #[arg(long)]
    conditional: bool,
    /// Train a text-conditioned GAN ("a thick seven") on captions measured
    /// on the images: digits (class, thickness, slant, width) or
    /// fashion-mnist (class, dark/light, plain/patterned). `pocketgan data
    /// captions` shows them; `pocketgan sample --prompt` draws from the model.
    #[arg(long, conflicts_with = "conditional")]
    captions: bool,
    /// Width of the word embeddings of a --captions model [default: 16].
    #[arg(long, requires = "captions")]
    text_dim: Option<usize>,
    /// Train a sound model: the generator draws the digit it hears. Each
    /// digit image is paired with a recording of the same digit from the
    /// bundled Free Spoken Digit Dataset; a small encoder over the
    /// recording's MFCCs is trained with it. Needs --data digits.
    /// `pocketgan sample --audio FILE.wav` draws from the model.
    #[arg(long, conflicts_with_all = ["conditional", "captions"])]
    spoken_digits: bool,
    /// Train the sound model on every speaker but this one (the held-out
    /// speaker split, e.g. `theo`) [default: FSDD's official split].
    #[arg(long, value_name = "NAME", requires = "spoken_digits")]
    held_out_speaker: Option<String>,
    /// Frames (16 ms each) the sound encoder stretches the speech to [default: 32].
    #[arg(long, value_name = "N", requires = "spoken_digits")]
    audio_frames: Option<usize>,
    /// Your own recordings too: a folder of WAV files (any rate and
    /// channels), each in a folder named for its digit (seven/ or 7/) or
    /// named starting with it (7_me_1.wav), trained on beside FSDD's.
    #[arg(long, value_name = "DIR", requires = "spoken_digits")]
    recordings: Option<std::path::PathBuf>,
    /// Also hear every training recording at 0.9, 0.95, 1.05 and 1.1 times
    /// its speed (pitch and formants move with it): more voices to learn from.
    #[arg(long, requires = "spoken_digits")]
    speed_perturbation: bool,
    /// Optimizer [default: the objective's: rmsprop for wgan, adam otherwise].
    #[arg(long, value_enum)]
    optimizer: Option<OptimizerKind>,
    /// Learning rate [default: 1e-3 for the recommended non-saturating GAN; the paper's otherwise: 2e-4, 5e-5 for wgan, 1e-4 for wgan-gp].
    #[arg(long)]
    lr: Option<f64>,
    /// Generator learning rate (two time scales) [default: --lr].
    #[arg(long)]
    g_lr: Option<f64>,
    /// Adam beta1 [default: 0 for the recommended non-saturating GAN; the paper's otherwise: 0.5, 0.0 for wgan-gp].
    #[arg(long)]
    beta1: Option<f32>,
    /// Adam beta2 [default: 0.99 for the recommended non-saturating GAN; the paper's otherwise: 0.999, 0.9 for wgan-gp].
    #[arg(long)]
    beta2: Option<f32>,
    /// Discriminator steps per generator step (k, n_critic) [default: 1, 5 for wgan and wgan-gp].
    #[arg(long)]
    d_steps: Option<usize>,
    /// Clip critic weights to [-C, C] after each update [default: 0.01 for wgan].
    #[arg(long)]
    clip: Option<f32>,
    /// Gradient-penalty weight lambda [default: 10 for wgan-gp].
    #[arg(long)]
    gp_weight: Option<f32>,
    /// Spectral norm in the discriminator [default: true for hinge].
    #[arg(long)]
    spectral_norm: Option<bool>,
    /// Batch norm in the discriminator [default: false for wgan-gp, hinge and the recommended non-saturating GAN].
    #[arg(long)]
    batch_norm: Option<bool>,
    /// Latent size [default: 32].
    #[arg(long)]
    latent_dim: Option<usize>,
    /// Channels of the generator's first feature map [default: 64].
    #[arg(long)]
    generator_channels: Option<usize>,
    /// Channels of the discriminator's first layer [default: 64].
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
    #[command(flatten)]
    techniques: TechniqueArgs,
    /// Compute device: cpu, wgpu, auto (wgpu if it answers, else cpu) or remote:ws://HOST:PORT
    /// (a `pocketgan serve-device` on another machine; builds with --features remote).
    #[arg(long, default_value = "cpu")]
    device: DeviceChoice,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
}

fn train_config(args: &TrainArgs) -> Result<TrainConfig> {
    let mut c: TrainConfig = config_file(args.config.as_deref(), "training")?;
    let folder_flags = args.image_size.is_some()
        || args.display.is_some()
        || args.channels.is_some()
        || args.resize.is_some()
        || args.skip_bad_images;
    if let Some(d) = &args.data {
        let defaults = FolderOptions::default();
        let options = FolderOptions {
            size: args.image_size.or(args.display.map(|(w, h)| FolderOptions::size_for_display(w, h))).unwrap_or(defaults.size),
            channels: args.channels.unwrap_or(defaults.channels),
            resize: args.resize.unwrap_or(defaults.resize),
            skip_bad: args.skip_bad_images,
        };
        c.data = DataSource::parse(d, options)?;
    }
    if folder_flags && !matches!(c.data, DataSource::Folder { .. }) {
        bail!(
            "--image-size, --display, --channels, --resize and --skip-bad-images apply to a folder of images: \
             add --data path/to/folder (the built-in data sets have a fixed size)"
        );
    }
    override_fields!(c, args; steps = steps, batch_size = batch_size, latent_dim = latent_dim, objective = objective, preset = preset,
                     generator_channels = generator_channels, discriminator_channels = discriminator_channels,
                     seed = seed, sample_every = sample_every, checkpoint_every = checkpoint_every);
    override_fields!(c, args; some optimizer = optimizer, learning_rate = lr, g_learning_rate = g_lr, beta1 = beta1, beta2 = beta2,
                     d_steps = d_steps, clip = clip, gp_weight = gp_weight, spectral_norm = spectral_norm,
                     batch_norm = batch_norm);
    c.conditional |= args.conditional;
    c.captions |= args.captions;
    if let Some(d) = args.text_dim {
        c.text_dim = d;
    }
    c.spoken_digits |= args.spoken_digits;
    if args.held_out_speaker.is_some() {
        c.held_out_speaker.clone_from(&args.held_out_speaker);
    }
    if let Some(f) = args.audio_frames {
        c.audio_frames = f;
    }
    if args.recordings.is_some() {
        c.recordings.clone_from(&args.recordings);
    }
    c.speed_perturbation |= args.speed_perturbation;
    c.techniques = Some(args.techniques.apply(c.techniques()));
    Ok(c)
}

/// The flags `--resume` cannot take: the run's config.toml fixes them.
fn fixed_by_the_run(args: &TrainArgs) -> Vec<&'static str> {
    let given = [
        ("--config", args.config.is_some()),
        ("--data", args.data.is_some()),
        ("--image-size", args.image_size.is_some()),
        ("--display", args.display.is_some()),
        ("--channels", args.channels.is_some()),
        ("--resize", args.resize.is_some()),
        ("--skip-bad-images", args.skip_bad_images),
        ("--batch-size", args.batch_size.is_some()),
        ("--objective", args.objective.is_some()),
        ("--preset", args.preset.is_some()),
        ("--conditional", args.conditional),
        ("--captions", args.captions),
        ("--text-dim", args.text_dim.is_some()),
        ("--spoken-digits", args.spoken_digits),
        ("--held-out-speaker", args.held_out_speaker.is_some()),
        ("--audio-frames", args.audio_frames.is_some()),
        ("--recordings", args.recordings.is_some()),
        ("--speed-perturbation", args.speed_perturbation),
        ("--optimizer", args.optimizer.is_some()),
        ("--lr", args.lr.is_some()),
        ("--g-lr", args.g_lr.is_some()),
        ("--beta1", args.beta1.is_some()),
        ("--beta2", args.beta2.is_some()),
        ("--d-steps", args.d_steps.is_some()),
        ("--clip", args.clip.is_some()),
        ("--gp-weight", args.gp_weight.is_some()),
        ("--spectral-norm", args.spectral_norm.is_some()),
        ("--batch-norm", args.batch_norm.is_some()),
        ("--latent-dim", args.latent_dim.is_some()),
        ("--generator-channels", args.generator_channels.is_some()),
        ("--discriminator-channels", args.discriminator_channels.is_some()),
        ("--seed", args.seed.is_some()),
    ];
    let mut fixed: Vec<&'static str> = given.into_iter().filter(|(_, g)| *g).map(|(name, _)| name).collect();
    fixed.extend(args.techniques.given());
    fixed
}

/// Runs `pocketgan train`: 130 when Ctrl-C stopped it (checkpoint written).
pub fn run(args: &TrainArgs) -> Result<ExitCode> {
    crate::training::interrupt::install();
    let (report, run) = if let Some(root) = &args.resume {
        refuse_fixed_flags(root, &fixed_by_the_run(args))?;
        let run = RunDir::new(root.clone());
        let changes =
            ResumeChanges { steps: args.steps, sample_every: args.sample_every, checkpoint_every: args.checkpoint_every };
        (images::resume(&run, &changes, &args.device, !args.quiet)?, run)
    } else {
        let config = train_config(args)?;
        let run = RunDir::new(args.run.clone().unwrap_or_else(|| {
            PathBuf::from(format!("runs/{}-{}", config.data.short_name(), timestamp()))
        }));
        (images::train(&config, &run, &args.device, !args.quiet)?, run)
    };
    Ok(finish(&report, &run.root, "train", &args.device, "run folder: {root} (loss curves: {root}/losses.png)\nnext: pocketgan export {root} -o model.pgan"))
}

