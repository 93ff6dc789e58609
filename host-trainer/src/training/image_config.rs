//! What an image training run is told: every hyperparameter, saved
//! resolved as the run folder's `config.toml`, and what `--resume` may
//! change.

use crate::data::DataSource;
use crate::training::objectives::settings::StepSettings;
use crate::training::objectives::{Objective, OptimizerKind};
use crate::training::run_dir::RunDir;
use crate::training::techniques::Techniques;
use anyhow::{Context, Result};

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
    /// Learning rate of the discriminator, and of the generator unless
    /// `g_learning_rate` is set (default: the objective's, e.g. DCGAN's 2e-4).
    pub learning_rate: Option<f64>,
    /// Learning rate of the generator (two time scales, TTUR; default: `learning_rate`).
    pub g_learning_rate: Option<f64>,
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
    /// Stabilizing techniques (EMA, packing, R1/R2, augmentation, minibatch std).
    pub techniques: Techniques,
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
            g_learning_rate: None,
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
            techniques: Techniques::default(),
        }
    }
}

impl TrainConfig {
    /// The run's training config, as its `config.toml` holds it (resolved).
    pub fn read(run: &RunDir) -> Result<TrainConfig> {
        let text = std::fs::read_to_string(run.config()).with_context(|| {
            format!("{} is not a run folder (no config.toml): train one with `pocketgan train`", run.root.display())
        })?;
        toml::from_str(&text).map_err(|e| anyhow::anyhow!("{} is not a valid training config: {e}", run.config().display()))
    }


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

    /// The generator's learning rate.
    pub fn generator_learning_rate(&self) -> f64 {
        self.g_learning_rate.unwrap_or(self.step_settings().learning_rate)
    }

    /// The config with every unset field filled from the objective's paper.
    pub fn resolved(&self) -> TrainConfig {
        let paper = self.objective.paper_defaults();
        let s = self.step_settings();
        TrainConfig {
            optimizer: Some(s.optimizer),
            learning_rate: Some(s.learning_rate),
            g_learning_rate: Some(self.generator_learning_rate()),
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

/// What `pocketgan train --resume` may change in a run.
#[derive(Debug, Clone, Default)]
pub struct ResumeChanges {
    /// Train to this many steps in total.
    pub steps: Option<usize>,
    /// Sample grid interval.
    pub sample_every: Option<usize>,
    /// Checkpoint interval.
    pub checkpoint_every: Option<usize>,
}

