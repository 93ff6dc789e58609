//! The image training loop: a DCGAN trained with any [`Objective`],
//! optionally class-conditional.

use crate::data::{Batches, DataSource};
use crate::device::{self, DeviceChoice};
use crate::nets::{Discriminator, DiscriminatorConfig, Generator, GeneratorConfig};
use crate::gan_step::{GanStep, StepSettings};
use crate::objectives::{Objective, OptimizerKind};
use crate::preview::{Grid, float_to_u8};
use crate::run::{CheckpointState, RunDir, replace_checkpoint};
use anyhow::{Context, Result, bail};
use burn::config::Config;
use burn::module::Module;
use burn::tensor::{Device, Tensor, TensorData};
use indicatif::{ProgressBar, ProgressStyle};
use pocketgan_shared::latent::{LATENT_FRAC_BITS, latent_for_seed};
use std::io::Write;
use std::time::Instant;

/// Every training hyperparameter; saved, resolved, as `config.toml` in the
/// run folder. Unset optimizer fields take the objective's paper defaults
/// ([`Objective::paper_defaults`]).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrainConfig {
    /// The images to learn.
    pub data: DataSource,
    /// The GAN objective.
    pub objective: Objective,
    /// Train a class-conditional GAN on the data set's labels.
    pub conditional: bool,
    /// Generator updates.
    pub steps: usize,
    /// Images per batch.
    pub batch_size: usize,
    /// Optimizer (default: the objective's).
    pub optimizer: Option<OptimizerKind>,
    /// Learning rate (default: the objective's, e.g. DCGAN's 2e-4).
    pub learning_rate: Option<f64>,
    /// Adam β1 (default: the objective's).
    pub beta1: Option<f32>,
    /// Adam β2 (default: the objective's).
    pub beta2: Option<f32>,
    /// Discriminator updates per generator update (default: the objective's).
    pub d_steps: Option<usize>,
    /// WGAN weight clipping bound (default: 0.01 for wgan, none otherwise).
    pub clip: Option<f32>,
    /// Gradient-penalty weight λ (default: 10 for wgan-gp, none otherwise).
    pub gp_weight: Option<f32>,
    /// Spectral norm in the discriminator (default: on for hinge).
    pub spectral_norm: Option<bool>,
    /// Batch norm in the discriminator (default: on, off for wgan-gp and hinge).
    pub batch_norm: Option<bool>,
    /// Latent size.
    pub latent_dim: usize,
    /// Channels of the generator's first feature map.
    pub generator_channels: usize,
    /// Channels of the discriminator's first convolution.
    pub discriminator_channels: usize,
    /// Seed of weights, latents and batch order.
    pub seed: u64,
    /// Write a sample grid every this many steps (0: only at the end).
    pub sample_every: usize,
    /// Write a checkpoint every this many steps (0: only at the end).
    pub checkpoint_every: usize,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            data: DataSource::Digits,
            objective: Objective::NonSaturating,
            conditional: false,
            steps: 4000,
            batch_size: 64,
            optimizer: None,
            learning_rate: None,
            beta1: None,
            beta2: None,
            d_steps: None,
            clip: None,
            gp_weight: None,
            spectral_norm: None,
            batch_norm: None,
            latent_dim: 32,
            generator_channels: 64,
            discriminator_channels: 64,
            seed: 1,
            sample_every: 250,
            checkpoint_every: 500,
        }
    }
}

impl TrainConfig {
    /// The step settings: the objective's paper defaults with this config's overrides.
    pub fn step_settings(&self) -> StepSettings {
        let paper = self.objective.paper_defaults().step;
        StepSettings {
            objective: self.objective,
            optimizer: self.optimizer.unwrap_or(paper.optimizer),
            learning_rate: self.learning_rate.unwrap_or(paper.learning_rate),
            beta1: self.beta1.unwrap_or(paper.beta1),
            beta2: self.beta2.unwrap_or(paper.beta2),
            d_steps: self.d_steps.unwrap_or(paper.d_steps),
            clip: self.clip.or(paper.clip),
            gp_weight: self.gp_weight.or(paper.gp_weight),
        }
    }

    /// The config with every unset field filled from the objective's paper.
    pub fn resolved(&self) -> TrainConfig {
        let paper = self.objective.paper_defaults();
        let s = self.step_settings();
        TrainConfig {
            optimizer: Some(s.optimizer),
            learning_rate: Some(s.learning_rate),
            beta1: Some(s.beta1),
            beta2: Some(s.beta2),
            d_steps: Some(s.d_steps),
            clip: s.clip,
            gp_weight: s.gp_weight,
            spectral_norm: Some(self.spectral_norm.unwrap_or(paper.spectral_norm)),
            batch_norm: Some(self.batch_norm.unwrap_or(paper.batch_norm)),
            ..self.clone()
        }
    }
}

/// What a finished training run reports.
#[derive(Debug, Clone)]
pub struct TrainReport {
    /// Steps done.
    pub steps: usize,
    /// Final losses.
    pub d_loss: f32,
    /// Final generator loss.
    pub g_loss: f32,
    /// Mean wall time per step.
    pub ms_per_step: f64,
    /// The device used.
    pub device: &'static str,
}

/// The 64 fixed latents (seeds 0..63) the sample grids show, as floats:
/// the same codes `pocketgan sample --seed 0` feeds the int8 model.
pub fn seed_latents(first_seed: u32, n: usize, latent_dim: usize, device: &Device) -> Tensor<2> {
    seed_inputs(first_seed, n, latent_dim, 0, device)
}

/// The generator inputs a board uses for seeds `first_seed..first_seed + n`:
/// each latent, followed for a conditional generator (`classes > 0`) by the
/// one-hot vector of class `k % classes` — the classes `pocketgan sample`
/// cycles through.
pub fn seed_inputs(first_seed: u32, n: usize, latent_dim: usize, classes: usize, device: &Device) -> Tensor<2> {
    let mut values = Vec::with_capacity(n * (latent_dim + classes));
    let mut codes = vec![0i8; latent_dim];
    for k in 0..n {
        latent_for_seed(first_seed + k as u32, &mut codes);
        values.extend(codes.iter().map(|&c| c as f32 / (1u32 << LATENT_FRAC_BITS) as f32));
        values.extend((0..classes).map(|c| if c == k % classes { 1.0 } else { 0.0 }));
    }
    Tensor::from_data(TensorData::new(values, [n, latent_dim + classes]), device)
}

/// Runs `generator` (in inference mode) and returns 8-bit images, HWC.
pub fn float_images(generator: &Generator, z: Tensor<2>) -> Vec<Vec<u8>> {
    let out = generator.valid().forward(z.without_autodiff());
    let [n, c, h, w] = out.dims();
    let v = out.into_data().try_to_vec::<f32>().expect("generator output is f32");
    (0..n)
        .map(|k| {
            let mut img = vec![0u8; h * w * c];
            for ch in 0..c {
                for p in 0..h * w {
                    img[p * c + ch] = float_to_u8(v[((k * c + ch) * h * w) + p]);
                }
            }
            img
        })
        .collect()
}

fn save_grid(generator: &Generator, z: &Tensor<2>, config: &GeneratorConfig, path: &std::path::Path) -> Result<()> {
    let grid = Grid {
        width: config.width,
        height: config.height,
        channels: config.channels,
        images: float_images(generator, z.clone()),
    };
    grid.save_png(path, 8, 2)
}

/// Trains a new run in `run`. Refuses to overwrite an existing run.
pub fn train(config: &TrainConfig, run: &RunDir, device_choice: DeviceChoice, show_progress: bool) -> Result<TrainReport> {
    if run.config().exists() {
        bail!(
            "{} already holds a training run: choose another --run folder (or delete that one)",
            run.root.display()
        );
    }
    if config.steps == 0 || config.batch_size == 0 {
        bail!("--steps and --batch-size must be at least 1");
    }
    let config = &config.resolved();
    let settings = config.step_settings();
    settings.validate()?;
    if settings.gp_weight.is_some() && config.batch_norm == Some(true) {
        bail!("a gradient penalty needs a discriminator without batch norm: drop --batch-norm (or the penalty)");
    }
    let data = config.data.load()?;
    let classes = if config.conditional {
        let Some(classes) = data.classes() else {
            bail!("{} has no class labels, so it cannot train a conditional GAN: drop --conditional", data.description);
        };
        classes
    } else {
        0
    };
    let gen_config = GeneratorConfig::new()
        .with_latent_dim(config.latent_dim)
        .with_classes(classes)
        .with_height(data.height)
        .with_width(data.width)
        .with_channels(data.channels)
        .with_base_channels(config.generator_channels);
    gen_config.stages()?;
    let (device, device_name) = device::resolve(device_choice)?;
    let device = device.autodiff();
    device.seed(config.seed);

    // Everything that can refuse the data comes before the run folder exists.
    let mut batches = Batches::new(data.len(), config.batch_size, config.seed as u32)?;
    std::fs::create_dir_all(run.samples()).with_context(|| format!("cannot create {}", run.root.display()))?;
    std::fs::write(run.config(), toml::to_string_pretty(config)?)?;
    gen_config.save(run.generator_config()).map_err(|e| anyhow::anyhow!("cannot write generator.json: {e}"))?;

    let disc_config = DiscriminatorConfig::new()
        .with_height(data.height)
        .with_width(data.width)
        .with_channels(data.channels)
        .with_base_channels(config.discriminator_channels)
        .with_batch_norm(config.batch_norm == Some(true))
        .with_spectral_norm(config.spectral_norm == Some(true))
        .with_classes(classes);
    let mut gan = GanStep::new(gen_config.init(&device)?, disc_config.init(&device)?, settings);
    let fixed_z = seed_inputs(0, 64, config.latent_dim, classes, &device);

    let bar = if show_progress { ProgressBar::new(config.steps as u64) } else { ProgressBar::hidden() };
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} steps  {per_sec}  ETA {eta}  {msg}")
            .expect("valid template"),
    );
    let conditional = if classes > 0 { format!(", conditional on {classes} classes") } else { String::new() };
    bar.println(format!(
        "training {} on {} ({} images, {}×{}×{}{conditional}) with {device_name}",
        settings.objective, data.description, data.len(), data.width, data.height, data.channels
    ));
    let mut losses = std::io::BufWriter::new(std::fs::File::create(run.losses())?);
    writeln!(losses, "step,d_loss,g_loss")?;

    let started = Instant::now();
    let (mut d_loss_v, mut g_loss_v) = (f32::NAN, f32::NAN);
    let mut last_good = 0usize;
    for step in 1..=config.steps {
        let losses_now = gan.step(|| {
            let indices = batches.next_batch();
            let y = (classes > 0).then(|| data.one_hot(indices, classes, &device));
            (data.batch(indices, &device), y)
        })?;
        (d_loss_v, g_loss_v) = (losses_now.d_loss, losses_now.g_loss);
        writeln!(losses, "{step},{d_loss_v},{g_loss_v}")?;
        if !d_loss_v.is_finite() || !g_loss_v.is_finite() {
            bar.abandon();
            losses.flush()?;
            bail!(
                "training diverged at step {step}: discriminator loss {d_loss_v}, generator loss {g_loss_v}. \
                 The last good checkpoint (step {last_good}) is kept in {}; try a lower --lr or another --objective",
                run.checkpoint().display()
            );
        }
        bar.set_message(format!("D {d_loss_v:.3}  G {g_loss_v:.3}"));
        bar.inc(1);

        let last = step == config.steps;
        if last || (config.sample_every > 0 && step % config.sample_every == 0) {
            save_grid(&gan.generator, &fixed_z, &gen_config, &run.samples().join(format!("step-{step:06}.png")))?;
        }
        if last || (config.checkpoint_every > 0 && step % config.checkpoint_every == 0) {
            losses.flush()?;
            let state = CheckpointState { step, d_loss: d_loss_v, g_loss: g_loss_v };
            write_checkpoint(run, &gan, &state)?;
            last_good = step;
        }
    }
    bar.finish();
    losses.flush()?;
    Ok(TrainReport {
        steps: config.steps,
        d_loss: d_loss_v,
        g_loss: g_loss_v,
        ms_per_step: started.elapsed().as_secs_f64() * 1000.0 / config.steps as f64,
        device: device_name,
    })
}

fn write_checkpoint(run: &RunDir, gan: &ImageGan, state: &CheckpointState) -> Result<()> {
    let io = |e| anyhow::anyhow!("cannot write checkpoint: {e:?}");
    replace_checkpoint(run, |dir| {
        gan.generator.clone().save_file(dir.join("generator.bpk")).map_err(io)?;
        gan.critic.clone().save_file(dir.join("discriminator.bpk")).map_err(io)?;
        gan.opt_g.save(dir.join("optimizer-g.bin")).map_err(io)?;
        gan.opt_d.save(dir.join("optimizer-d.bin")).map_err(io)?;
        std::fs::write(dir.join("state.json"), serde_json::to_string_pretty(state)?)?;
        Ok(())
    })
}

/// The image GAN: DCGAN generator and discriminator.
pub type ImageGan = GanStep<Generator, Discriminator, 4>;
