//! What an image training run is told: every hyperparameter, saved
//! resolved as the run folder's `config.toml`, and what `--resume` may
//! change.

use crate::data::DataSource;
use crate::training::objectives::settings::{PaperDefaults, StepSettings};
use crate::training::objectives::{Objective, OptimizerKind};
use crate::training::run_dir::RunDir;
use crate::training::techniques::Techniques;
use anyhow::{Context, Result};

/// Where a run's unset settings come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Preset {
    /// The recipe measured best in docs/objectives.md: for the
    /// non-saturating objective, Mescheder et al.'s R1 setup (no batch norm
    /// in the discriminator, R1 γ = 10, Adam 1e-3 with β = (0, 0.99)); for
    /// every objective, PacGAN2 packing and a 0.995 generator average
    /// (no packing for conditional runs).
    #[default]
    Recommended,
    /// The objective's paper settings and no technique.
    Paper,
}

impl Preset {
    /// The optimizer and discriminator settings this preset starts from.
    pub fn defaults(self, objective: Objective) -> PaperDefaults {
        let paper = objective.paper_defaults();
        match (self, objective) {
            (Preset::Recommended, Objective::NonSaturating) => PaperDefaults {
                step: StepSettings { learning_rate: 1e-3, beta1: 0.0, beta2: 0.99, ..paper.step },
                batch_norm: false,
                ..paper
            },
            _ => paper,
        }
    }

    /// The techniques this preset starts from.
    pub fn techniques(self, objective: Objective, conditional: bool) -> Techniques {
        match self {
            Preset::Paper => Techniques::default(),
            Preset::Recommended => Techniques {
                ema: Some(0.995),
                pack: if conditional { 1 } else { 2 },
                r1_gamma: (objective == Objective::NonSaturating).then_some(10.0),
                ..Techniques::default()
            },
        }
    }
}

/// Every training hyperparameter; saved, resolved, as `config.toml` in the
/// run folder. Unset fields take the preset's values ([`Preset::defaults`],
/// [`Preset::techniques`]).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrainConfig {
    /// The images to learn.
    pub data: DataSource,
    /// The GAN objective.
    pub objective: Objective,
    /// Train a class-conditional GAN on the data set's labels.
    pub conditional: bool,
    /// Train a text-conditioned GAN on captions measured on the images
    /// (digits or Fashion-MNIST; see `data::captions`).
    pub captions: bool,
    /// Width of a text model's word embeddings.
    pub text_dim: usize,
    /// Train a sound model: the generator draws the digit it hears in a
    /// spoken-digit recording (the bundled FSDD, paired with the digits).
    pub spoken_digits: bool,
    /// Train a sound model on every speaker but this one (the held-out
    /// speaker split); unset: FSDD's official training split.
    pub held_out_speaker: Option<String>,
    /// Frames a sound model's encoder reads.
    pub audio_frames: usize,
    /// A folder of the user's own spoken-digit WAV files, trained on
    /// beside the bundled ones.
    pub recordings: Option<std::path::PathBuf>,
    /// Also hear every training recording at four other speeds.
    pub speed_perturbation: bool,
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
    /// Where unset settings come from.
    pub preset: Preset,
    /// Stabilizing techniques (EMA, packing, R1/R2, augmentation, minibatch
    /// std; default: the preset's).
    pub techniques: Option<Techniques>,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            data: DataSource::Digits,
            objective: Objective::NonSaturating,
            conditional: false,
            captions: false,
            text_dim: 16,
            spoken_digits: false,
            held_out_speaker: None,
            audio_frames: crate::data::spoken_features::DEFAULT_ENCODER_FRAMES,
            recordings: None,
            speed_perturbation: false,
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
            preset: Preset::Recommended,
            techniques: None,
        }
    }
}

impl TrainConfig {
    /// The run's training config, as its `config.toml` holds it (resolved).
    pub fn read(run: &RunDir) -> Result<TrainConfig> {
        let text = std::fs::read_to_string(run.config()).with_context(|| {
            format!("{} is not a run folder (no config.toml): train one with `pocketgan train`", run.root.display())
        })?;
        let mut config: TrainConfig =
            toml::from_str(&text).map_err(|e| anyhow::anyhow!("{} is not a valid training config: {e}", run.config().display()))?;
        // Runs from before techniques existed have no table: they used none.
        config.techniques.get_or_insert_with(Techniques::default);
        Ok(config)
    }

    /// The settings unset fields take: the preset's for the objective.
    pub fn defaults(&self) -> PaperDefaults {
        self.preset.defaults(self.objective)
    }

    /// The techniques in use: the config's, or the preset's.
    pub fn techniques(&self) -> Techniques {
        self.techniques.clone().unwrap_or_else(|| self.preset.techniques(self.objective, self.conditional || self.captions || self.spoken_digits))
    }


    /// The step settings: the preset's defaults with this config's overrides.
    pub fn step_settings(&self) -> StepSettings {
        let paper = self.defaults().step;
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

    /// The config with every unset field filled from the preset.
    pub fn resolved(&self) -> TrainConfig {
        let paper = self.defaults();
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
            techniques: Some(self.techniques()),
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

