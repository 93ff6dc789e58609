//! A translator's training run, in the same kind of folder as an image
//! run ([`RunDir`]) with the same guarantees: the config is written
//! resolved, a progress bar shows the losses, checkpoints replace each
//! other atomically, Ctrl-C finishes the step and writes one, a NaN stops
//! the run with the last good checkpoint kept, and `--resume` computes
//! what the uninterrupted run computes (on the CPU).
//!
//! ```text
//! RUN/config.toml        the resolved TranslatorConfig
//! RUN/translator.json    the A → B U-Net's shape (export rebuilds it from this)
//! RUN/checkpoint/        translator.bpk (pix2pix) or translators.bpk (CycleGAN: both ways),
//!                        discriminator.bpk, optimizer-g.bin, optimizer-d.bin,
//!                        pool-a.bin, pool-b.bin (CycleGAN), state.json
//! RUN/samples/step-N.png input | output | target (pix2pix) or A → B → A (CycleGAN), fixed test images
//! RUN/losses.csv         step, discriminator loss, generator loss
//! ```

use super::config::{Method, TranslatorConfig};
use super::cycle_gan::{CriticPair, CycleGan, TranslatorPair};
use super::image_pool::ImagePool;
use super::pix2pix::Pix2Pix;
use super::StepLosses;
use crate::data::translation::{ImagePairs, TranslationSplits};
use crate::data::Batches;
use crate::files::write_atomic;
use crate::nets::patch_gan::PatchGanConfig;
use crate::nets::unet::{UNet, UNetConfig};
use crate::render::grid::Grid;
use crate::training::device::{self, DeviceChoice};
use crate::training::remote;
use crate::training::image_config::ResumeChanges;
use crate::training::images::{TrainReport, all_finite, progress_bar, step_seed, stop_if_diverged, wrap_up};
use crate::training::interrupt;
use crate::training::run_dir::{RunDir, load_module, replace_checkpoint, truncate_losses};
use anyhow::{Context, Result, anyhow, bail};
use burn::config::Config;
use burn::module::Module;
use burn::optim::AdamConfig;
use burn::tensor::{Device, Tensor};
use std::io::Write;
use std::path::Path;
use std::time::Instant;

/// Fixed test examples each sample grid shows.
pub const GRID_EXAMPLES: usize = 8;

/// What a translator checkpoint says about progress.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct TranslatorState {
    /// Steps completed.
    pub step: usize,
    /// Last discriminator loss.
    pub d_loss: f32,
    /// Last generator loss.
    pub g_loss: f32,
    /// Batches of A drawn (of pairs, for paired training).
    pub batches_drawn: u64,
    /// Batches of B drawn (unpaired training only).
    pub batches_drawn_b: Option<u64>,
    /// Training images in A and in B when the checkpoint was written.
    pub training_images: (usize, usize),
}

/// The networks being trained.
enum Model {
    Pix2Pix(Pix2Pix),
    CycleGan(CycleGan),
}

impl Model {
    fn new(config: &TranslatorConfig, setup: &Setup) -> Result<Model> {
        let device = &setup.device;
        let adam = || AdamConfig::new().with_beta_1(config.beta1).with_beta_2(config.beta2).init();
        let patch = |channels| {
            PatchGanConfig::new().with_channels(channels).with_base_channels(config.discriminator_channels).init(device)
        };
        let (a, b) = (&setup.data.train.a, &setup.data.train.b);
        Ok(match config.method() {
            Method::Pix2pix => Model::Pix2Pix(Pix2Pix {
                generator: setup.translator.init(device)?,
                critic: patch(a.channels + b.channels),
                opt_g: adam(),
                opt_d: adam(),
                l1_weight: config.l1_weight,
            }),
            Method::CycleGan => Model::CycleGan(CycleGan {
                generators: TranslatorPair { a_to_b: setup.translator.init(device)?, b_to_a: setup.back()?.init(device)? },
                critics: CriticPair { a: patch(a.channels), b: patch(b.channels) },
                opt_g: adam(),
                opt_d: adam(),
                cycle_weight: config.cycle_weight,
                identity_weight: config.identity_weight,
                pool_a: ImagePool::new(config.pool_size),
                pool_b: ImagePool::new(config.pool_size),
            }),
        })
    }

    fn step(&mut self, learning_rate: f64, a: Tensor<4>, b: Tensor<4>, seed: u64) -> StepLosses {
        match self {
            Model::Pix2Pix(m) => m.step(learning_rate, a, b),
            Model::CycleGan(m) => m.step(learning_rate, a, b, seed),
        }
    }

    fn weights_finite(&self) -> bool {
        match self {
            Model::Pix2Pix(m) => all_finite(&m.generator) && all_finite(&m.critic),
            Model::CycleGan(m) => all_finite(&m.generators) && all_finite(&m.critics),
        }
    }

    fn save(&self, dir: &Path) -> Result<()> {
        let io = |e| anyhow!("cannot write checkpoint: {e:?}");
        match self {
            Model::Pix2Pix(m) => {
                m.generator.clone().save_file(dir.join("translator.bpk")).map_err(io)?;
                m.critic.clone().save_file(dir.join("discriminator.bpk")).map_err(io)?;
                m.opt_g.save(dir.join("optimizer-g.bin")).map_err(io)?;
                m.opt_d.save(dir.join("optimizer-d.bin")).map_err(io)?;
            }
            Model::CycleGan(m) => {
                m.generators.clone().save_file(dir.join("translators.bpk")).map_err(io)?;
                m.critics.clone().save_file(dir.join("discriminator.bpk")).map_err(io)?;
                m.opt_g.save(dir.join("optimizer-g.bin")).map_err(io)?;
                m.opt_d.save(dir.join("optimizer-d.bin")).map_err(io)?;
                m.pool_a.save(&dir.join("pool-a.bin"))?;
                m.pool_b.save(&dir.join("pool-b.bin"))?;
            }
        }
        Ok(())
    }

    fn load(self, dir: &Path) -> Result<Model> {
        let optimizer_error = |e| anyhow!("cannot load the optimizer state in {}: {e:?}", dir.display());
        Ok(match self {
            Model::Pix2Pix(mut m) => {
                m.generator = load_module(m.generator, &dir.join("translator.bpk"))?;
                m.critic = load_module(m.critic, &dir.join("discriminator.bpk"))?;
                m.opt_g = m.opt_g.load(dir.join("optimizer-g.bin")).map_err(optimizer_error)?;
                m.opt_d = m.opt_d.load(dir.join("optimizer-d.bin")).map_err(optimizer_error)?;
                Model::Pix2Pix(m)
            }
            Model::CycleGan(mut m) => {
                m.generators = load_module(m.generators, &dir.join("translators.bpk"))?;
                m.critics = load_module(m.critics, &dir.join("discriminator.bpk"))?;
                m.opt_g = m.opt_g.load(dir.join("optimizer-g.bin")).map_err(optimizer_error)?;
                m.opt_d = m.opt_d.load(dir.join("optimizer-d.bin")).map_err(optimizer_error)?;
                m.pool_a = ImagePool::load(&dir.join("pool-a.bin"))?;
                m.pool_b = ImagePool::load(&dir.join("pool-b.bin"))?;
                Model::CycleGan(m)
            }
        })
    }

    /// The sample grid's cells: input | output | target for paired data,
    /// A → B → A for unpaired, one example per three cells.
    fn grid_cells(&self, fixed: &FixedExamples) -> Vec<Vec<u8>> {
        let (outputs, thirds) = match self {
            Model::Pix2Pix(m) => (m.translate(fixed.a.clone()), fixed.targets.clone()),
            Model::CycleGan(m) => m.round_trip(fixed.a.clone()),
        };
        let mut cells = Vec::with_capacity(3 * outputs.len());
        for ((input, output), third) in fixed.inputs.iter().zip(outputs).zip(thirds) {
            cells.extend([input.clone(), output, third]);
        }
        cells
    }
}

/// The test images every grid shows.
struct FixedExamples {
    a: Tensor<4>,
    inputs: Vec<Vec<u8>>,
    targets: Vec<Vec<u8>>,
}

impl FixedExamples {
    /// [`GRID_EXAMPLES`] test inputs spread over the test split (so the
    /// classes vary), and their targets where there are pairs.
    fn new(test: &ImagePairs, device: &Device) -> FixedExamples {
        let n = test.a.len();
        let picks: Vec<usize> = (0..GRID_EXAMPLES.min(n)).map(|k| k * n / GRID_EXAMPLES.min(n)).collect();
        let targets = if test.paired { picks.iter().map(|&i| test.b.image(i).to_vec()).collect() } else { Vec::new() };
        FixedExamples { a: test.a.batch(&picks, device), inputs: picks.iter().map(|&i| test.a.image(i).to_vec()).collect(), targets }
    }
}

/// The checked data, shapes and device of a run.
struct Setup {
    data: TranslationSplits,
    translator: UNetConfig,
    device: Device,
    device_name: String,
}

impl Setup {
    fn new(config: &TranslatorConfig, device_choice: &DeviceChoice) -> Result<Setup> {
        config.validate()?;
        let data = config.data.load()?;
        let (a, b) = (&data.train.a, &data.train.b);
        if a.width != a.height {
            bail!("translators take square images, and {} are {}×{}: resize them (--image-size)", a.description, a.width, a.height);
        }
        for (side, set) in [("A", &data.test.a), ("B", &data.test.b)] {
            if set.is_empty() {
                bail!("the test split of {side} ({}) is empty: add images, so that a tenth can be held out", set.description);
            }
        }
        let translator = UNetConfig::new()
            .with_in_channels(a.channels)
            .with_out_channels(b.channels)
            .with_size(a.width)
            .with_base_channels(config.generator_channels)
            .with_depth(config.depth);
        translator.validate().map_err(|e| anyhow!("{e:#} (--depth)"))?;
        let (device, device_name) = device::resolve(device_choice)?;
        Ok(Setup { data, translator, device: device.autodiff(), device_name })
    }

    /// CycleGAN's B → A translator: the same U-Net the other way round.
    fn back(&self) -> Result<UNetConfig> {
        let t = &self.translator;
        let back = UNetConfig::new()
            .with_in_channels(t.out_channels)
            .with_out_channels(t.in_channels)
            .with_size(t.size)
            .with_base_channels(t.base_channels)
            .with_depth(t.depth);
        back.validate()?;
        Ok(back)
    }

    /// Batch orders: one over the pairs, or one per side.
    fn batches(&self, config: &TranslatorConfig, drawn: Option<(u64, Option<u64>)>) -> Result<(Batches, Option<Batches>)> {
        let train = &self.data.train;
        let seed = config.seed as u32;
        let (drawn_a, drawn_b) = drawn.unwrap_or((0, Some(0)));
        let a = Batches::resume(train.a.len(), config.batch_size, seed, drawn_a).context("A")?;
        let b = match config.method() {
            Method::Pix2pix => None,
            Method::CycleGan => Some(Batches::resume(train.b.len(), config.batch_size, seed.wrapping_add(1), drawn_b.unwrap_or(0)).context("B")?),
        };
        Ok((a, b))
    }
}

/// Trains a new translator in `run`. Refuses to overwrite an existing run.
pub fn train(config: &TranslatorConfig, run: &RunDir, device_choice: &DeviceChoice, show_progress: bool) -> Result<TrainReport> {
    if run.config().exists() {
        bail!(
            "{} already holds a training run: continue it with `pocketgan train-translator --resume {}`, or choose another --run folder",
            run.root.display(),
            run.root.display()
        );
    }
    let config = config.resolved();
    let setup = Setup::new(&config, device_choice)?;
    let batches = setup.batches(&config, None)?;
    std::fs::create_dir_all(run.samples()).with_context(|| format!("cannot create {}", run.root.display()))?;
    write_atomic(&run.config(), toml::to_string_pretty(&config)?.as_bytes())?;
    setup.translator.save(run.translator_config()).map_err(|e| anyhow!("cannot write translator.json: {e}"))?;
    std::fs::write(run.losses(), "step,d_loss,g_loss\n")?;
    setup.device.seed(config.seed);
    let model = Model::new(&config, &setup)?;
    remote::guard_training(run, device_choice, "train-translator", || train_loop(&config, run, &setup, model, batches, 0, show_progress))
}


/// Continues the translator run in `run` from its last checkpoint (to
/// `steps`, default the run's own).
pub fn resume(run: &RunDir, changes: &ResumeChanges, device_choice: &DeviceChoice, show_progress: bool) -> Result<TrainReport> {
    if run.config().exists() && !run.is_translator() {
        bail!("{0} is an image GAN's run, not a translator's: continue it with `pocketgan train --resume {0}`", run.root.display());
    }
    let mut config = TranslatorConfig::read(run)?;
    let (dir, _) = run.checkpoint_state()?;
    let state: TranslatorState = serde_json::from_str(&std::fs::read_to_string(dir.join("state.json"))?)
        .with_context(|| format!("{} is not a translator checkpoint", dir.join("state.json").display()))?;
    config.steps = changes.steps.unwrap_or(config.steps);
    config.sample_every = changes.sample_every.unwrap_or(config.sample_every);
    config.checkpoint_every = changes.checkpoint_every.unwrap_or(config.checkpoint_every);
    if state.step >= config.steps {
        bail!("{} already finished {} of {} steps: pass a larger --steps to train further", run.root.display(), state.step, config.steps);
    }
    let setup = Setup::new(&config, device_choice)?;
    let now = (setup.data.train.a.len(), setup.data.train.b.len());
    if state.training_images != now {
        eprintln!(
            "warning: the data now has {} A and {} B training images, {} and {} when the checkpoint was written: \
             training goes on, but not exactly as the uninterrupted run would have",
            now.0, now.1, state.training_images.0, state.training_images.1
        );
    }
    let batches = setup.batches(&config, Some((state.batches_drawn, state.batches_drawn_b)))?;
    let model = Model::new(&config, &setup)?.load(&dir)?;
    truncate_losses(&run.losses(), state.step)?;
    write_atomic(&run.config(), toml::to_string_pretty(&config)?.as_bytes())?;
    remote::guard_training(run, device_choice, "train-translator", || train_loop(&config, run, &setup, model, batches, state.step, show_progress))
}

fn save_grid(model: &Model, fixed: &FixedExamples, data: &ImagePairs, path: &Path) -> Result<()> {
    let (width, height) = (data.a.width, data.a.height);
    let channels = data.a.channels.max(data.b.channels);
    // A gray sketch beside an RGB photo: gray cells are repeated into RGB.
    let images = model
        .grid_cells(fixed)
        .into_iter()
        .map(|cell| if channels == 3 && cell.len() == width * height { cell.iter().flat_map(|&v| [v, v, v]).collect() } else { cell })
        .collect();
    Grid { width, height, channels, images }.save_png(path, 6, 2)
}

fn train_loop(
    config: &TranslatorConfig,
    run: &RunDir,
    setup: &Setup,
    mut model: Model,
    (mut batches_a, mut batches_b): (Batches, Option<Batches>),
    first: usize,
    show_progress: bool,
) -> Result<TrainReport> {
    let (train, device) = (&setup.data.train, &setup.device);
    let fixed = FixedExamples::new(&setup.data.test, device);
    let bar = progress_bar(config.steps, first, show_progress);
    let resuming = if first > 0 { format!(", resuming at step {first}") } else { String::new() };
    bar.println(format!(
        "training a {} translator on {} ({} A and {} B images) with {}{resuming}",
        config.method(),
        train.describe(),
        train.a.len(),
        train.b.len(),
        setup.device_name
    ));
    let file = std::fs::OpenOptions::new().append(true).open(run.losses())
        .with_context(|| format!("cannot open {}", run.losses().display()))?;
    let mut losses = std::io::BufWriter::new(file);
    let reconstruction = match config.method() {
        Method::Pix2pix => "L1",
        Method::CycleGan => "cycle",
    };

    let started = Instant::now();
    let mut last = StepLosses { d_loss: f32::NAN, g_loss: f32::NAN, adversarial: f32::NAN, reconstruction: f32::NAN };
    let mut last_good = (first > 0).then_some(first);
    let mut step = first;
    let mut interrupted = false;
    while step < config.steps {
        step += 1;
        let seed = step_seed(config.seed, step);
        device.seed(seed);
        let indices = batches_a.next_batch().to_vec();
        let a = train.a.batch(&indices, device);
        let b = match &mut batches_b {
            Some(batches) => train.b.batch(batches.next_batch(), device),
            None => train.b.batch(&indices, device),
        };
        last = model.step(config.learning_rate, a, b, seed);
        writeln!(losses, "{step},{},{}", last.d_loss, last.g_loss)?;
        losses.flush()?;
        let finished = step == config.steps;
        interrupted = !finished && interrupt::requested();
        let checkpoint_now = finished || interrupted || (config.checkpoint_every > 0 && step % config.checkpoint_every == 0);
        stop_if_diverged(
            run,
            &bar,
            step,
            (last.d_loss, last.g_loss),
            checkpoint_now,
            || model.weights_finite(),
            last_good,
            "Start a new run with a lower --lr",
        )?;
        bar.set_message(format!("D {:.3}  G {:.3}  {reconstruction} {:.3}", last.d_loss, last.adversarial, last.reconstruction));
        bar.inc(1);
        if finished || interrupted || (config.sample_every > 0 && step % config.sample_every == 0) {
            save_grid(&model, &fixed, &setup.data.test, &run.samples().join(format!("step-{step:06}.png")))?;
        }
        if checkpoint_now {
            let state = TranslatorState {
                step,
                d_loss: last.d_loss,
                g_loss: last.g_loss,
                batches_drawn: batches_a.drawn(),
                batches_drawn_b: batches_b.as_ref().map(Batches::drawn),
                training_images: (train.a.len(), train.b.len()),
            };
            replace_checkpoint(run, |dir| {
                model.save(dir)?;
                std::fs::write(dir.join("state.json"), serde_json::to_string_pretty(&state)?)?;
                Ok(())
            })?;
            last_good = Some(step);
        }
        if interrupted {
            bar.abandon_with_message(format!("D {:.3}  G {:.3}  (interrupted)", last.d_loss, last.g_loss));
            break;
        }
    }
    wrap_up(run, &bar, interrupted, setup.translator.size);
    Ok(TrainReport {
        steps: step,
        d_loss: last.d_loss,
        g_loss: last.g_loss,
        ms_per_step: started.elapsed().as_secs_f64() * 1000.0 / (step - first).max(1) as f64,
        device: setup.device_name.clone(),
        interrupted,
    })
}

/// A trained translator run's networks, for export and eval.
pub struct LoadedTranslator {
    /// A → B.
    pub a_to_b: UNet,
    /// B → A (CycleGAN only).
    pub b_to_a: Option<UNet>,
    /// The A → B U-Net's shape.
    pub shape: UNetConfig,
    /// The run's config.
    pub config: TranslatorConfig,
    /// Steps trained.
    pub step: usize,
}

/// Loads a trained translator from a run.
pub fn load_translator(run: &RunDir, device: &Device) -> Result<LoadedTranslator> {
    if !run.is_translator() {
        bail!("{} is not a translator's run (no translator.json): train one with `pocketgan train-translator`", run.root.display());
    }
    let config = TranslatorConfig::read(run)?;
    let shape = UNetConfig::load(run.translator_config())
        .map_err(|e| anyhow!("{} is unreadable ({e}): restore it, or train again", run.translator_config().display()))?;
    let (dir, state) = run.checkpoint_state()?;
    let (a_to_b, b_to_a) = match config.method() {
        Method::Pix2pix => (load_module(shape.init(device)?, &dir.join("translator.bpk"))?, None),
        Method::CycleGan => {
            let back = UNetConfig { in_channels: shape.out_channels, out_channels: shape.in_channels, ..shape.clone() };
            let pair = TranslatorPair { a_to_b: shape.init(device)?, b_to_a: back.init(device)? };
            let pair = load_module(pair, &dir.join("translators.bpk"))?;
            (pair.a_to_b, Some(pair.b_to_a))
        }
    };
    Ok(LoadedTranslator { a_to_b, b_to_a, shape, config, step: state.step })
}
