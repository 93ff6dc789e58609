//! Generators and discriminators, and what the GAN step needs of them.

pub mod audio_encoder;
pub mod critic_layers;
pub mod dcgan;
pub mod minibatch_std;
pub mod patch_gan;
pub mod mlp;
pub mod seeded;
pub mod spectral_norm;
pub mod text_encoder;
pub mod unet;

pub use dcgan::{Discriminator, DiscriminatorConfig, Generator, GeneratorConfig};
pub use mlp::{MlpConfig, MlpCritic, MlpGenerator};

use burn::module::Module;
use burn::tensor::Tensor;

/// A generator the GAN step trains: rows of latent (+ one-hot class) to
/// samples of rank `D` (`[n, C, H, W]` images, `[n, 2]` points).
pub trait GeneratorNet<const D: usize>: Module + Clone {
    /// Generates a batch.
    fn generate(&self, input: Tensor<2>) -> Tensor<D>;
    /// Latent size.
    fn latent_dim(&self) -> usize;
    /// Class count (0: unconditional).
    fn classes(&self) -> usize;
    /// A loss of the generator's own, added to its adversarial loss for
    /// the same `input` (a sound model's encoder's cross-entropy).
    fn own_loss(&self, _input: Tensor<2>) -> Option<Tensor<1>> {
        None
    }
    /// The generator with batch-norm running statistics measured again for
    /// its current weights (an average's weights: see [`crate::training::ema`]).
    fn recalibrate(self) -> Self {
        self
    }
}

/// A discriminator (critic) the GAN step trains.
pub trait CriticNet<const D: usize>: Module + Clone {
    /// Logits `[n, 1]` for samples and, when conditional, one-hot classes.
    fn logits(&self, x: Tensor<D>, classes: Option<Tensor<2>>) -> Tensor<2>;
    /// Per-sample ∂logit/∂x as tracked operations, `None` when the critic
    /// cannot provide it (batch norm).
    fn input_gradient(&self, x: Tensor<D>, classes: Option<Tensor<2>>) -> Option<Tensor<D>>;
    /// One spectral-norm power iteration (no-op without spectral norm).
    fn power_iteration(&mut self);
}

impl GeneratorNet<4> for Generator {
    fn generate(&self, input: Tensor<2>) -> Tensor<4> {
        self.forward(input)
    }
    fn latent_dim(&self) -> usize {
        self.latent_dim
    }
    fn classes(&self) -> usize {
        self.classes
    }
    fn own_loss(&self, input: Tensor<2>) -> Option<Tensor<1>> {
        self.hearing_loss(input)
    }
    fn recalibrate(self) -> Self {
        let device = self.project.weight.val().device();
        let input = if self.audio.is_some() {
            seeded::sound_inputs(dcgan::RECALIBRATION_SEED, dcgan::RECALIBRATION_SAMPLES, self.latent_dim, &self.recalibration_conditions, self.classes, &device)
        } else {
            seeded::seed_inputs(dcgan::RECALIBRATION_SEED, dcgan::RECALIBRATION_SAMPLES, self.latent_dim, self.classes, &device)
        };
        self.recalibrate_batch_norm(input)
    }
}

impl CriticNet<4> for Discriminator {
    fn logits(&self, x: Tensor<4>, classes: Option<Tensor<2>>) -> Tensor<2> {
        self.forward(x, classes)
    }
    fn input_gradient(&self, x: Tensor<4>, classes: Option<Tensor<2>>) -> Option<Tensor<4>> {
        Discriminator::input_gradient(self, x, classes)
    }
    fn power_iteration(&mut self) {
        Discriminator::power_iteration(self)
    }
}

impl GeneratorNet<2> for MlpGenerator {
    fn generate(&self, input: Tensor<2>) -> Tensor<2> {
        self.forward(input)
    }
    fn latent_dim(&self) -> usize {
        self.latent_dim
    }
    fn classes(&self) -> usize {
        0
    }
}

impl CriticNet<2> for MlpCritic {
    fn logits(&self, x: Tensor<2>, _classes: Option<Tensor<2>>) -> Tensor<2> {
        self.forward(x)
    }
    fn input_gradient(&self, x: Tensor<2>, _classes: Option<Tensor<2>>) -> Option<Tensor<2>> {
        Some(MlpCritic::input_gradient(self, x))
    }
    fn power_iteration(&mut self) {
        MlpCritic::power_iteration(self)
    }
}
