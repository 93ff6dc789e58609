//! Training on 2-D toy distributions (GAN Lab's setting): MLP generator and
//! critic, any objective, mode metrics as training goes, and the critic's
//! field. [`super::toy_run`] trains into a run folder and draws the pictures.

use crate::data::toy::{Normalization, normal_pair, open_unit};
use crate::data::{ToyData, ToyDistribution};
use crate::metrics::modes::{EVAL_SAMPLES, ModeReport, mode_coverage};
use crate::training::objectives::settings::{StepSettings, check_generator_learning_rate};
use crate::training::step::{GanStep, LatentDistribution, StepLosses};
use crate::nets::{MlpConfig, MlpCritic, MlpGenerator};
use crate::training::objectives::{Objective, OptimizerKind};
use crate::training::techniques::Techniques;
use anyhow::{Result, bail};
use burn::module::Module;
use burn::tensor::activation::sigmoid;
use burn::tensor::{Device, Tensor, TensorData};
use pocketgan_shared::LatentSampler;
use std::time::Instant;

/// A toy run's hyperparameters; unset optimizer fields take the objective's
/// paper defaults.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ToyConfig {
    /// The distribution to learn.
    pub data: ToyDistribution,
    /// The objective.
    pub objective: Objective,
    /// Generator updates.
    pub steps: usize,
    /// Points per batch.
    pub batch_size: usize,
    /// Learning rate of the critic, and of the generator unless
    /// `g_learning_rate` is set (default: the objective's).
    pub learning_rate: Option<f64>,
    /// Learning rate of the generator (default: `learning_rate`).
    pub g_learning_rate: Option<f64>,
    /// Optimizer of both networks (default: the objective's).
    pub optimizer: Option<OptimizerKind>,
    /// Critic updates per step (default: the objective's).
    pub d_steps: Option<usize>,
    /// Generator updates per step.
    pub g_steps: usize,
    /// Latent size.
    pub latent_dim: usize,
    /// How latents are drawn.
    pub latent: LatentDistribution,
    /// Hidden layers of both networks.
    pub layers: usize,
    /// Neurons per hidden layer.
    pub neurons: usize,
    /// Seed of weights, latents and data.
    pub seed: u64,
    /// Evaluate (and draw) every this many steps (0: only at the end).
    pub eval_every: usize,
    /// Stabilizing techniques (EMA, packing, R1/R2, minibatch std).
    pub techniques: Techniques,
    /// Let the networks work on the data standardized to its centre and
    /// spread ([`ToyData::normalization`]); runs from before 2026-12-02 did not.
    pub normalize: bool,
}

impl Default for ToyConfig {
    fn default() -> Self {
        ToyConfig {
            data: ToyDistribution::Ring,
            objective: Objective::NonSaturating,
            steps: 10_000,
            batch_size: 256,
            learning_rate: None,
            g_learning_rate: None,
            optimizer: None,
            d_steps: None,
            g_steps: 1,
            latent_dim: 8,
            latent: LatentDistribution::Normal,
            layers: 2,
            neurons: 128,
            seed: 1,
            eval_every: 250,
            techniques: Techniques::recommended(),
            normalize: true,
        }
    }
}

impl ToyConfig {
    /// Step settings: the objective's paper defaults with this config's overrides.
    pub fn step_settings(&self) -> StepSettings {
        let paper = StepSettings::paper(self.objective);
        StepSettings {
            learning_rate: self.learning_rate.unwrap_or(paper.learning_rate),
            optimizer: self.optimizer.unwrap_or(paper.optimizer),
            d_steps: self.d_steps.unwrap_or(paper.d_steps),
            ..paper
        }
    }

    /// The generator's learning rate.
    pub fn generator_learning_rate(&self) -> f64 {
        self.g_learning_rate.unwrap_or(self.step_settings().learning_rate)
    }

    /// Refuses settings that cannot train, saying which and why.
    pub fn validate(&self) -> Result<()> {
        self.step_settings().validate()?;
        self.networks(&ToyData::Preset(self.data)).validate()?;
        check_generator_learning_rate(self.generator_learning_rate())?;
        if self.steps == 0 || !(1..=65_536).contains(&self.batch_size) {
            bail!("--steps must be at least 1 and the batch size (--batch-size) 1-65536 (got {} and {})", self.steps, self.batch_size);
        }
        if !(1..=100).contains(&self.g_steps) {
            bail!("generator steps per step (--g-steps) must be 1-100 (got {})", self.g_steps);
        }
        self.techniques.validate(self.batch_size)?;
        if !self.techniques.augment.is_empty() {
            bail!("--augment shifts, cuts and brightens images; a toy's points have no pixels: drop --augment");
        }
        Ok(())
    }

    /// The network shapes, for learning `data`.
    pub fn networks(&self, data: &ToyData) -> MlpConfig {
        let n = if self.normalize { data.normalization() } else { Normalization::IDENTITY };
        MlpConfig::new()
            .with_centre_x(n.centre[0])
            .with_centre_y(n.centre[1])
            .with_scale(n.scale)
            .with_latent_dim(self.latent_dim)
            .with_layers(self.layers)
            .with_neurons(self.neurons)
            .with_spectral_norm(self.objective.paper_defaults().spectral_norm)
            .with_pack(self.techniques.pack())
            .with_minibatch_std(self.techniques.minibatch_std)
    }

    /// The config with the defaults it resolved to written in.
    pub fn resolved(&self) -> ToyConfig {
        let s = self.step_settings();
        ToyConfig {
            learning_rate: Some(s.learning_rate),
            g_learning_rate: Some(self.generator_learning_rate()),
            optimizer: Some(s.optimizer),
            d_steps: Some(s.d_steps),
            ..self.clone()
        }
    }
}

/// The toy GAN.
pub type ToyGan = GanStep<MlpGenerator, MlpCritic, 2>;

/// Metrics at one point of training.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct ToySnapshot {
    /// Generator steps done.
    pub step: usize,
    /// Critic loss.
    pub d_loss: f32,
    /// Generator loss.
    pub g_loss: f32,
    /// Mode metrics of [`EVAL_SAMPLES`] generated points.
    pub modes: ModeReport,
}

/// A finished toy run.
pub struct ToyRun {
    /// The trained networks.
    pub gan: ToyGan,
    /// Snapshots at every evaluation, the untrained one (step 0) first.
    pub history: Vec<ToySnapshot>,
    /// Mean wall time per generator step.
    pub ms_per_step: f64,
}

/// Latents from a seed, on the host (the same for any device).
pub fn fixed_latents(n: usize, latent_dim: usize, latent: LatentDistribution, seed: u32, device: &Device) -> Tensor<2> {
    let mut rng = LatentSampler::new(seed);
    let values: Vec<f32> = (0..n * latent_dim)
        .map(|_| match latent {
            // One normal per pair of uniforms (the pair's second is not used).
            LatentDistribution::Normal => normal_pair(&mut rng).0 as f32,
            LatentDistribution::Uniform => (open_unit(&mut rng) * 2.0 - 1.0) as f32,
        })
        .collect();
    Tensor::from_data(TensorData::new(values, [n, latent_dim]), device)
}

/// Points of a tensor `[n, 2]`.
pub fn points(t: Tensor<2>) -> Vec<[f32; 2]> {
    t.into_data().try_to_vec::<f32>().expect("points are f32").chunks_exact(2).map(|p| [p[0], p[1]]).collect()
}

/// Seed of the evaluation latents.
pub const EVAL_SEED: u32 = 12345;

/// The generator's points for the evaluation latents ([`EVAL_SEED`]).
pub fn generated_points(generator: &MlpGenerator, latent: LatentDistribution, n: usize, device: &Device) -> Vec<[f32; 2]> {
    points(generator.valid().forward(fixed_latents(n, generator.latent_dim, latent, EVAL_SEED, device)))
}

/// Mode metrics of a generator on `data`.
pub fn evaluate(generator: &MlpGenerator, latent: LatentDistribution, data: &ToyData, device: &Device) -> ModeReport {
    mode_coverage(data, &generated_points(generator, latent, EVAL_SAMPLES, device))
}

/// A toy GAN being trained, one step (or one network's updates) at a time:
/// `pocketgan toy` and `pocketgan lab` both drive it, so the same seed and
/// settings give the same networks in either.
pub struct ToyTrainer {
    /// The networks and their optimizers.
    pub gan: ToyGan,
    /// The settings (changes apply from the next update).
    pub config: ToyConfig,
    /// The data.
    pub data: ToyData,
    /// Completed steps (critic then generator updates).
    pub step: usize,
    /// The last losses (NaN before the first update).
    pub losses: StepLosses,
    /// Seed of the last real batch.
    pub batch_seed: u32,
    /// The autodiff device.
    device: Device,
}

impl ToyTrainer {
    /// Fresh networks from `config.seed`: the same seed gives the same
    /// weights, whatever ran before.
    pub fn new(config: &ToyConfig, data: ToyData, device: &Device) -> Result<Self> {
        config.validate()?;
        let device = device.clone().autodiff();
        device.seed(config.seed);
        let nets = config.networks(&data);
        let mut gan = GanStep::new(nets.init_generator(&device), nets.init_critic(&device), config.step_settings());
        gan.latent = config.latent;
        // burn initializes a parameter when it is first read, drawing from
        // the global RNG then. Reading them all here, generator first, makes
        // the weights a function of the seed alone, whatever reads them
        // next (a picture, a lab view, or the first update).
        let _ = gan.generator.forward(Tensor::zeros([1, config.latent_dim], &device));
        let _ = gan.critic.forward_points(Tensor::zeros([1, 2], &device));
        let gan = gan.with_techniques(config.techniques.clone());
        Ok(ToyTrainer {
            gan,
            config: config.clone(),
            data,
            step: 0,
            losses: StepLosses { d_loss: f32::NAN, g_loss: f32::NAN },
            batch_seed: (config.seed as u32).wrapping_mul(0x9E37_79B9),
            device,
        })
    }

    /// The autodiff device the networks live on.
    pub fn device(&self) -> &Device {
        &self.device
    }

    fn real_batch(&mut self) -> Tensor<2> {
        self.batch_seed = self.batch_seed.wrapping_add(1);
        let n = self.config.batch_size;
        let p: Vec<f32> = self.data.sample(n, self.batch_seed).into_iter().flatten().collect();
        Tensor::from_data(TensorData::new(p, [n, 2]), &self.device)
    }

    fn check(&self, what: &str, loss: f32) -> Result<f32> {
        if !loss.is_finite() {
            bail!("training diverged at step {} ({what} loss {loss}): lower the learning rate, then reset", self.step);
        }
        Ok(loss)
    }

    /// The critic's updates of one step (`d_steps` of them); returns the last loss.
    pub fn critic_updates(&mut self) -> Result<f32> {
        let lr = self.gan.settings.learning_rate;
        let mut last = None;
        for _ in 0..self.gan.settings.d_steps {
            let batch = self.real_batch();
            last = Some(self.gan.critic_update(lr, (batch, None))?);
        }
        let loss = last.expect("d_steps ≥ 1").loss.into_scalar::<f32>();
        self.losses.d_loss = self.check("critic", loss)?;
        Ok(loss)
    }

    /// The generator's updates of one step (`g_steps` of them); returns the last loss.
    pub fn generator_updates(&mut self) -> Result<f32> {
        let lr = self.config.generator_learning_rate();
        let mut loss = None;
        for _ in 0..self.config.g_steps {
            loss = Some(self.gan.generator_update(lr, self.config.batch_size, &self.device));
        }
        let loss = loss.expect("g_steps ≥ 1").into_scalar::<f32>();
        self.losses.g_loss = self.check("generator", loss)?;
        Ok(loss)
    }

    /// One step: the critic's updates, then the generator's.
    pub fn step(&mut self) -> Result<StepLosses> {
        self.critic_updates()?;
        self.generator_updates()?;
        self.step += 1;
        Ok(self.losses)
    }

    /// Mode metrics of the generator now.
    pub fn evaluate(&self) -> ModeReport {
        evaluate(&self.gan.sampling_generator(), self.config.latent, &self.data, &self.device)
    }
}

/// Trains a toy GAN; `on_eval` sees every snapshot and the networks then.
pub fn train_toy(config: &ToyConfig, device: &Device, mut on_eval: impl FnMut(&ToySnapshot, &ToyGan) -> Result<()>) -> Result<ToyRun> {
    let mut trainer = ToyTrainer::new(config, config.data.into(), device)?;
    let mut history = Vec::new();
    let mut snapshot = |trainer: &ToyTrainer, history: &mut Vec<ToySnapshot>| -> Result<()> {
        let s = ToySnapshot { step: trainer.step, d_loss: trainer.losses.d_loss, g_loss: trainer.losses.g_loss, modes: trainer.evaluate() };
        on_eval(&s, &trainer.gan)?;
        history.push(s);
        Ok(())
    };
    snapshot(&trainer, &mut history)?;
    let started = Instant::now();
    for step in 1..=config.steps {
        trainer.step()?;
        if step == config.steps || (config.eval_every > 0 && step % config.eval_every == 0) {
            snapshot(&trainer, &mut history)?;
        }
    }
    Ok(ToyRun { gan: trainer.gan, history, ms_per_step: started.elapsed().as_secs_f64() * 1000.0 / config.steps as f64 })
}

/// Whether [`field_value`] is a probability of "real" (the log-loss
/// objectives) rather than a raw critic score.
pub fn field_is_probability(objective: Objective) -> bool {
    matches!(objective, Objective::Minimax | Objective::NonSaturating)
}

/// Sigmoid of the logits for the log-loss objectives, the raw critic value otherwise.
pub fn field_value(objective: Objective, logits: Tensor<2>) -> Tensor<2> {
    if field_is_probability(objective) { sigmoid(logits) } else { logits }
}

/// [`field_value`] of `gan`'s critic at the centres of a `cells × cells`
/// grid over the square of half-side `extent`, row-major, top row first.
pub fn field_grid(gan: &ToyGan, extent: f32, cells: usize) -> Vec<f32> {
    let device = gan.critic.devices().into_iter().next().unwrap_or_else(Device::flex).inner();
    let to = |i: usize| ((i as f32 + 0.5) / cells as f32 * 2.0 - 1.0) * extent;
    let centres: Vec<f32> = (0..cells * cells).flat_map(|i| [to(i % cells), -to(i / cells)]).collect();
    let grid = Tensor::<2>::from_data(TensorData::new(centres, [cells * cells, 2]), &device);
    field_value(gan.settings.objective, gan.critic.valid().forward_points(grid)).into_data().try_to_vec::<f32>().unwrap_or_default()
}
