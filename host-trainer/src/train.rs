//! The training loop: DCGAN with the non-saturating loss and Adam.

use crate::data::{Batches, DataSource};
use crate::device::{self, DeviceChoice};
use crate::nets::{Discriminator, DiscriminatorConfig, Generator, GeneratorConfig};
use crate::objectives::non_saturating;
use crate::preview::{Grid, float_to_u8};
use crate::run::{CheckpointState, RunDir, replace_checkpoint};
use anyhow::{Context, Result, bail};
use burn::config::Config;
use burn::module::Module;
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::tensor::{Device, Distribution, Tensor, TensorData};
use indicatif::{ProgressBar, ProgressStyle};
use pocketgan_shared::latent::{LATENT_FRAC_BITS, latent_for_seed};
use std::io::Write;
use std::time::Instant;

/// Every training hyperparameter; saved as `config.toml` in the run folder.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrainConfig {
    /// The images to learn.
    pub data: DataSource,
    /// Generator updates.
    pub steps: usize,
    /// Images per batch.
    pub batch_size: usize,
    /// Adam learning rate (DCGAN: 2e-4).
    pub learning_rate: f64,
    /// Adam β1 (DCGAN: 0.5).
    pub beta1: f32,
    /// Adam β2.
    pub beta2: f32,
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
            steps: 4000,
            batch_size: 64,
            learning_rate: 2e-4,
            beta1: 0.5,
            beta2: 0.999,
            latent_dim: 32,
            generator_channels: 64,
            discriminator_channels: 64,
            seed: 1,
            sample_every: 250,
            checkpoint_every: 500,
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
    if !(config.learning_rate.is_finite() && config.learning_rate > 0.0) {
        bail!("--lr must be a positive number (got {})", config.learning_rate);
    }
    let data = config.data.load()?;
    let gen_config = GeneratorConfig::new()
        .with_latent_dim(config.latent_dim)
        .with_height(data.height)
        .with_width(data.width)
        .with_channels(data.channels)
        .with_base_channels(config.generator_channels);
    gen_config.stages()?;
    let (device, device_name) = device::resolve(device_choice)?;
    let device = device.autodiff();
    device.seed(config.seed);

    std::fs::create_dir_all(run.samples()).with_context(|| format!("cannot create {}", run.root.display()))?;
    std::fs::write(run.config(), toml::to_string_pretty(config)?)?;
    gen_config.save(run.generator_config()).map_err(|e| anyhow::anyhow!("cannot write generator.json: {e}"))?;

    let disc_config = DiscriminatorConfig::new()
        .with_height(data.height)
        .with_width(data.width)
        .with_channels(data.channels)
        .with_base_channels(config.discriminator_channels);
    let mut gan = DcganStep::new(&gen_config, &disc_config, config, &device)?;
    let mut batches = Batches::new(data.len(), config.batch_size, config.seed as u32)?;
    let fixed_z = seed_latents(0, 64, config.latent_dim, &device);

    let bar = if show_progress { ProgressBar::new(config.steps as u64) } else { ProgressBar::hidden() };
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} steps  {per_sec}  ETA {eta}  {msg}")
            .expect("valid template"),
    );
    bar.println(format!("training on {} ({} images, {}×{}×{}) with {device_name}", data.description, data.len(), data.width, data.height, data.channels));
    let mut losses = std::io::BufWriter::new(std::fs::File::create(run.losses())?);
    writeln!(losses, "step,d_loss,g_loss")?;

    let started = Instant::now();
    let (mut d_loss_v, mut g_loss_v) = (f32::NAN, f32::NAN);
    let mut last_good = 0usize;
    for step in 1..=config.steps {
        let real = data.batch(batches.next_batch(), &device);
        (d_loss_v, g_loss_v) = gan.step(real);
        writeln!(losses, "{step},{d_loss_v},{g_loss_v}")?;
        if !d_loss_v.is_finite() || !g_loss_v.is_finite() {
            bar.abandon();
            losses.flush()?;
            bail!(
                "training diverged at step {step}: discriminator loss {d_loss_v}, generator loss {g_loss_v}. \
                 The last good checkpoint (step {last_good}) is kept in {}; try a lower --lr",
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

fn write_checkpoint(run: &RunDir, gan: &DcganStep, state: &CheckpointState) -> Result<()> {
    let io = |e| anyhow::anyhow!("cannot write checkpoint: {e:?}");
    replace_checkpoint(run, |dir| {
        gan.generator.clone().save_file(dir.join("generator.bpk")).map_err(io)?;
        gan.discriminator.clone().save_file(dir.join("discriminator.bpk")).map_err(io)?;
        gan.opt_g.save(dir.join("optimizer-g.bin")).map_err(io)?;
        gan.opt_d.save(dir.join("optimizer-d.bin")).map_err(io)?;
        std::fs::write(dir.join("state.json"), serde_json::to_string_pretty(state)?)?;
        Ok(())
    })
}

/// One DCGAN training step's state: both networks and their Adam optimizers.
pub struct DcganStep {
    /// The generator.
    pub generator: Generator,
    /// The discriminator.
    pub discriminator: Discriminator,
    opt_g: ModuleOptimizer,
    opt_d: ModuleOptimizer,
    learning_rate: f64,
    latent_dim: usize,
}

impl DcganStep {
    /// Fresh networks and optimizers on `device` (which must have autodiff).
    pub fn new(gen_config: &GeneratorConfig, disc: &DiscriminatorConfig, config: &TrainConfig, device: &Device) -> Result<Self> {
        let adam = AdamConfig::new().with_beta_1(config.beta1).with_beta_2(config.beta2);
        Ok(DcganStep {
            generator: gen_config.init(device)?,
            discriminator: disc.init(device)?,
            opt_g: adam.init(),
            opt_d: adam.init(),
            learning_rate: config.learning_rate,
            latent_dim: gen_config.latent_dim,
        })
    }

    /// One discriminator update and one generator update on a batch of real
    /// images; returns the two losses.
    pub fn step(&mut self, real: Tensor<4>) -> (f32, f32) {
        let device = real.device();
        let n = real.dims()[0];

        // Discriminator: real up, fake down (fakes detached from G).
        let z = Tensor::<2>::random([n, self.latent_dim], Distribution::Normal(0.0, 1.0), &device);
        let fake = self.generator.forward(z).detach();
        let d_loss = non_saturating::discriminator_loss(self.discriminator.forward(real), self.discriminator.forward(fake));
        let grads = GradientsParams::from_grads(d_loss.backward(), &self.discriminator);
        self.discriminator = self.opt_d.step(self.learning_rate, self.discriminator.clone(), grads);

        // Generator: make the discriminator call its images real.
        let z = Tensor::<2>::random([n, self.latent_dim], Distribution::Normal(0.0, 1.0), &device);
        let g_loss = non_saturating::generator_loss(self.discriminator.forward(self.generator.forward(z)));
        let grads = GradientsParams::from_grads(g_loss.backward(), &self.generator);
        self.generator = self.opt_g.step(self.learning_rate, self.generator.clone(), grads);

        (d_loss.into_scalar::<f32>(), g_loss.into_scalar::<f32>())
    }
}
