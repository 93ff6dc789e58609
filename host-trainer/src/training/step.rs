//! One GAN training step for any objective: `d_steps` critic updates (with
//! weight clipping, gradient penalty or spectral norm as the objective
//! asks), then one generator update. The same code trains the image DCGAN
//! and the 2-D toy networks.

use crate::nets::{CriticNet, GeneratorNet};
use crate::training::objectives::settings::StepSettings;
use crate::training::objectives::{clip_weights, gradient_penalty};
use anyhow::Result;
use burn::optim::{GradientsParams, ModuleOptimizer};
use burn::tensor::{Device, Distribution, Int, Tensor};

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
        let n = x.dims()[0];
        let dev = x.device();
        // Fakes of the real batch's classes, detached from the generator.
        let fake = self.generator.generate(self.generator_input(n, y.clone(), &dev)).detach();
        let mut loss = s.objective.critic_loss(
            self.critic.logits(x.clone(), y.clone()),
            self.critic.logits(fake.clone(), y.clone()),
        );
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
        let y = conditional.then(|| random_classes(n, self.generator.classes(), device));
        let fake = self.generator.generate(self.generator_input(n, y.clone(), device));
        let g_loss = self.settings.objective.generator_loss(self.critic.logits(fake, y));
        let grads = GradientsParams::from_grads(g_loss.backward(), &self.generator);
        self.generator = self.opt_g.step(learning_rate, self.generator.clone(), grads);
        g_loss
    }

    /// One step: `d_steps` critic updates, each on a fresh batch from
    /// `real`, then one generator update, all at the settings' learning rate.
    pub fn step(&mut self, mut real: impl FnMut() -> (Tensor<D>, Option<Tensor<2>>)) -> Result<StepLosses> {
        let lr = self.settings.learning_rate;
        let mut last = None;
        for _ in 0..self.settings.d_steps {
            last = Some(self.critic_update(lr, real())?);
        }
        let critic = last.expect("d_steps ≥ 1");
        let g_loss = self.generator_update(lr, critic.batch, &critic.device);
        Ok(StepLosses {
            d_loss: critic.loss.into_scalar::<f32>(),
            g_loss: g_loss.into_scalar::<f32>(),
        })
    }
}
