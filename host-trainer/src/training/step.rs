//! One GAN training step for any objective: `d_steps` critic updates (with
//! weight clipping, gradient penalty or spectral norm as the objective
//! asks), then one generator update. The same code trains the image DCGAN
//! and the 2-D toy networks, with any of the [`Techniques`]: what the
//! critic sees is augmented, then packed ([`GanStep::critic_view`]); R1 and
//! R2 join the critic's loss; the generator's average follows each
//! generator update.

use crate::nets::{CriticNet, GeneratorNet};
use crate::training::objectives::settings::StepSettings;
use crate::training::augment::augment;
use crate::training::ema::{start_average, update_average, warmed_up_decay};
use crate::training::objectives::{clip_weights, gradient_penalty, zero_centered_penalty};
use crate::training::techniques::Techniques;
use anyhow::Result;
use burn::optim::{GradientsParams, ModuleOptimizer};
use burn::tensor::{Device, Distribution, Int, Tensor};

/// burn's random stream for `step`: reseeding before every step makes the
/// random state a function of (seed, step), so a checkpoint needs no RNG
/// dump to be resumed exactly. SplitMix64's finalizer keeps nearby steps'
/// seeds unrelated.
pub(crate) fn step_seed(seed: u64, step: usize) -> u64 {
    let mut z = seed ^ (step as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The losses of one step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepLosses {
    /// The last critic update's loss (penalty included).
    pub d_loss: f32,
    /// The generator's loss.
    pub g_loss: f32,
}

/// Both networks of a GAN, their optimizers and the step settings.
pub struct GanStep<G, C, const D: usize> {
    /// The generator.
    pub generator: G,
    /// The discriminator (critic).
    pub critic: C,
    /// The generator's optimizer.
    pub opt_g: ModuleOptimizer,
    /// The critic's optimizer.
    pub opt_d: ModuleOptimizer,
    /// Hyperparameters.
    pub settings: StepSettings,
    /// How latents are drawn (normal unless changed).
    pub latent: LatentDistribution,
    /// The stabilizing techniques in use (none unless set by [`GanStep::with_techniques`]).
    pub techniques: Techniques,
    /// The generator's moving average, when `techniques.ema` is set.
    pub average: Option<G>,
    /// Generator updates so far (the average's warm-up counts them; a
    /// resumed run sets it from its checkpoint).
    pub generator_updates: u64,
    /// The generator update draws the last critic batch's conditions (a
    /// text model's captions: their distribution is the data's) instead of
    /// uniformly random classes.
    pub conditions_from_batch: bool,
    /// The last critic batch's conditions, for [`Self::conditions_from_batch`].
    last_conditions: Option<Tensor<2>>,
}

/// `[n, a, …]` → `[n / m, m·a, …]`: each group of `m` consecutive samples
/// becomes one sample with their features (or channels) side by side.
pub fn pack<const D: usize>(x: Tensor<D>, m: usize) -> Tensor<D> {
    if m <= 1 {
        return x;
    }
    let mut dims = x.dims();
    dims[0] /= m;
    dims[1] *= m;
    x.reshape(dims)
}

/// One-hot rows of uniformly random classes.
pub fn random_classes(n: usize, classes: usize, device: &Device) -> Tensor<2> {
    let picks = Tensor::<2>::random([n, 1], Distribution::Uniform(0.0, classes as f64), device).floor();
    let range = Tensor::<1, Int>::arange(0..classes as i64, device).float().reshape([1, classes]);
    picks.equal(range).float()
}

/// How latent vectors are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LatentDistribution {
    /// Standard normal.
    #[default]
    Normal,
    /// Uniform in [−1, 1].
    Uniform,
}

impl LatentDistribution {
    /// burn's distribution.
    pub fn distribution(self) -> Distribution {
        match self {
            LatentDistribution::Normal => Distribution::Normal(0.0, 1.0),
            LatentDistribution::Uniform => Distribution::Uniform(-1.0, 1.0),
        }
    }
}

/// One critic update: its loss, and the batch it saw.
pub struct CriticUpdate {
    /// The loss (penalty included), not yet read back from the device.
    pub loss: Tensor<1>,
    /// Samples in the batch.
    pub batch: usize,
    /// The batch's device.
    pub device: Device,
}

impl<G: GeneratorNet<D>, C: CriticNet<D>, const D: usize> GanStep<G, C, D> {
    /// Both networks (on an autodiff device) with fresh optimizers.
    pub fn new(generator: G, critic: C, settings: StepSettings) -> Self {
        GanStep {
            generator,
            critic,
            opt_g: settings.optimizer(),
            opt_d: settings.optimizer(),
            settings,
            latent: LatentDistribution::Normal,
            techniques: Techniques::default(),
            average: None,
            generator_updates: 0,
            conditions_from_batch: false,
            last_conditions: None,
        }
    }

    /// The step with the generator drawing the critic batch's conditions
    /// (see [`Self::conditions_from_batch`]).
    pub fn with_conditions_from_batch(mut self, yes: bool) -> Self {
        self.conditions_from_batch = yes;
        self
    }

    /// The step with `techniques` in use; an average, if asked for, starts
    /// from the generator as it is now.
    pub fn with_techniques(mut self, techniques: Techniques) -> Self {
        self.average = techniques.ema.map(|_| start_average(&self.generator));
        self.techniques = techniques;
        self
    }

    /// What the critic judges of a batch: augmented, then packed.
    pub fn critic_view(&self, x: Tensor<D>) -> Tensor<D> {
        pack(augment(x, &self.techniques.augment), self.techniques.pack())
    }

    /// The generator that samples, pictures and export use: the average
    /// (batch norm measured again for it) when there is one.
    pub fn sampling_generator(&self) -> G {
        match &self.average {
            Some(average) => average.clone().recalibrate(),
            None => self.generator.clone(),
        }
    }

    /// Generator input for `n` samples: latents of [`Self::latent`],
    /// followed by `classes` (one-hot) for a conditional generator.
    pub fn generator_input(&self, n: usize, classes: Option<Tensor<2>>, device: &Device) -> Tensor<2> {
        let z = Tensor::<2>::random([n, self.generator.latent_dim()], self.latent.distribution(), device);
        match classes {
            Some(y) => Tensor::cat(vec![z, y], 1),
            None => z,
        }
    }

    /// One critic update at `learning_rate` on `real` (samples and, for
    /// conditional models, their one-hot classes), against fakes of the
    /// same classes; clipping and penalty as the settings say.
    pub fn critic_update(&mut self, learning_rate: f64, real: (Tensor<D>, Option<Tensor<2>>)) -> Result<CriticUpdate> {
        let s = self.settings;
        let conditional = self.generator.classes() > 0;
        self.critic.power_iteration();
        let (x, y) = real;
        let y = if conditional { y } else { None };
        if self.conditions_from_batch {
            self.last_conditions.clone_from(&y);
        }
        let n = x.dims()[0];
        let dev = x.device();
        // Fakes of the real batch's classes, detached from the generator.
        let fake = self.generator.generate(self.generator_input(n, y.clone(), &dev)).detach();
        let (x, fake) = (self.critic_view(x), self.critic_view(fake));
        let mut loss = s.objective.critic_loss(
            self.critic.logits(x.clone(), y.clone()),
            self.critic.logits(fake.clone(), y.clone()),
        );
        for (gamma, at) in [(self.techniques.r1_gamma, &x), (self.techniques.r2_gamma, &fake)] {
            if let Some(gamma) = gamma
                && gamma > 0.0
            {
                loss = loss + zero_centered_penalty(&self.critic, at.clone(), y.clone())?.mul_scalar(gamma / 2.0);
            }
        }
        if let Some(lambda) = s.gp_weight
            && lambda > 0.0
        {
            loss = loss + gradient_penalty(&self.critic, x, fake, y)?.mul_scalar(lambda);
        }
        let grads = GradientsParams::from_grads(loss.backward(), &self.critic);
        self.critic = self.opt_d.step(learning_rate, self.critic.clone(), grads);
        if let Some(c) = s.clip {
            self.critic = clip_weights(self.critic.clone(), c);
        }
        Ok(CriticUpdate { loss, batch: n, device: dev })
    }

    /// One generator update at `learning_rate` on `n` fresh latents (random
    /// classes for a conditional generator); returns its loss.
    pub fn generator_update(&mut self, learning_rate: f64, n: usize, device: &Device) -> Tensor<1> {
        let conditional = self.generator.classes() > 0;
        let y = match self.last_conditions.take() {
            Some(y) if self.conditions_from_batch => Some(y),
            _ => conditional.then(|| random_classes(n, self.generator.classes(), device)),
        };
        let input = self.generator_input(n, y.clone(), device);
        let fake = self.generator.generate(input.clone());
        let mut g_loss = self.settings.objective.generator_loss(self.critic.logits(self.critic_view(fake), y));
        if let Some(own) = self.generator.own_loss(input) {
            g_loss = g_loss + own;
        }
        let grads = GradientsParams::from_grads(g_loss.backward(), &self.generator);
        self.generator = self.opt_g.step(learning_rate, self.generator.clone(), grads);
        if let (Some(decay), Some(average)) = (self.techniques.ema, self.average.take()) {
            self.average = Some(update_average(average, &self.generator, warmed_up_decay(decay, self.generator_updates)));
        }
        self.generator_updates += 1;
        g_loss
    }

    /// One step: `d_steps` critic updates at the settings' learning rate,
    /// each on a fresh batch from `real`, then one generator update at
    /// `g_learning_rate`.
    pub fn step(&mut self, g_learning_rate: f64, mut real: impl FnMut() -> (Tensor<D>, Option<Tensor<2>>)) -> Result<StepLosses> {
        let lr = self.settings.learning_rate;
        let mut last = None;
        for _ in 0..self.settings.d_steps {
            last = Some(self.critic_update(lr, real())?);
        }
        let critic = last.expect("d_steps ≥ 1");
        let g_loss = self.generator_update(g_learning_rate, critic.batch, &critic.device);
        Ok(StepLosses {
            d_loss: critic.loss.into_scalar::<f32>(),
            g_loss: g_loss.into_scalar::<f32>(),
        })
    }
}
