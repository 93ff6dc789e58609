//! One CycleGAN step (Zhu et al. 2017): both translators learn to fool
//! their domain's discriminator (least squares), to come back to where
//! they started (cycle), and to leave an image of their target domain
//! alone (identity); then both discriminators learn from real images and
//! the image pools' fakes.

use super::image_pool::ImagePool;
use super::losses::{cycle_critic, l1, least_squares};
use super::{StepLosses, sample_images};
use crate::nets::seeded::tensor_images;
use crate::nets::patch_gan::PatchGan;
use crate::nets::unet::UNet;
use burn::module::Module;
use burn::optim::{GradientsParams, ModuleOptimizer};
use burn::tensor::Tensor;

/// The two translators (one Adam trains both, as in the reference code).
#[derive(Module, Debug)]
pub struct TranslatorPair {
    /// A → B: the translator that is exported.
    pub a_to_b: UNet,
    /// B → A: closes the cycle.
    pub b_to_a: UNet,
}

/// The two discriminators.
#[derive(Module, Debug)]
pub struct CriticPair {
    /// Judges A images (real A against B → A fakes).
    pub a: PatchGan,
    /// Judges B images (real B against A → B fakes).
    pub b: PatchGan,
}

/// Translators, discriminators, optimizers, weights and image pools.
pub struct CycleGan {
    /// Both translators.
    pub generators: TranslatorPair,
    /// Both discriminators.
    pub critics: CriticPair,
    /// The translators' Adam.
    pub opt_g: ModuleOptimizer,
    /// The discriminators' Adam.
    pub opt_d: ModuleOptimizer,
    /// λ of each cycle's L1.
    pub cycle_weight: f32,
    /// Identity weight as a fraction of λ.
    pub identity_weight: f32,
    /// Past A fakes (for `critics.a`).
    pub pool_a: ImagePool,
    /// Past B fakes (for `critics.b`).
    pub pool_b: ImagePool,
}

impl CycleGan {
    /// One translator update, then one update of both discriminators, on
    /// unpaired batches `a` and `b`; `seed` drives this step's pool draws.
    pub fn step(&mut self, learning_rate: f64, a: Tensor<4>, b: Tensor<4>, seed: u64) -> StepLosses {
        let g = &self.generators;
        let fake_b = g.a_to_b.forward(a.clone());
        let fake_a = g.b_to_a.forward(b.clone());
        let adversarial =
            least_squares(self.critics.b.forward(fake_b.clone()), true) + least_squares(self.critics.a.forward(fake_a.clone()), true);
        let cycle = l1(g.b_to_a.forward(fake_b.clone()), a.clone()) + l1(g.a_to_b.forward(fake_a.clone()), b.clone());
        let mut g_loss = adversarial.clone() + cycle.clone().mul_scalar(self.cycle_weight);
        if self.identity_weight > 0.0 {
            let identity = l1(g.a_to_b.forward(b.clone()), b.clone()) + l1(g.b_to_a.forward(a.clone()), a.clone());
            g_loss = g_loss + identity.mul_scalar(self.cycle_weight * self.identity_weight);
        }
        let grads = GradientsParams::from_grads(g_loss.backward(), &self.generators);
        self.generators = self.opt_g.step(learning_rate, self.generators.clone(), grads);

        let pooled_b = self.pool_b.query(fake_b.detach(), seed);
        let pooled_a = self.pool_a.query(fake_a.detach(), seed ^ 0xA5A5_A5A5_A5A5_A5A5);
        let d_loss = cycle_critic(self.critics.b.forward(b), self.critics.b.forward(pooled_b))
            + cycle_critic(self.critics.a.forward(a), self.critics.a.forward(pooled_a));
        let grads = GradientsParams::from_grads(d_loss.backward(), &self.critics);
        self.critics = self.opt_d.step(learning_rate, self.critics.clone(), grads);
        StepLosses {
            d_loss: d_loss.into_scalar::<f32>(),
            g_loss: g_loss.into_scalar::<f32>(),
            adversarial: adversarial.into_scalar::<f32>(),
            reconstruction: cycle.into_scalar::<f32>(),
        }
    }

    /// `a` translated to B, and that back to A (inference mode), as 8-bit
    /// HWC images.
    pub fn round_trip(&self, a: Tensor<4>) -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
        let there = self.generators.a_to_b.valid().forward(a.without_autodiff());
        let back = self.generators.b_to_a.valid().forward(there.clone());
        (tensor_images(there), tensor_images(back))
    }

    /// A → B translations (inference mode).
    pub fn translate(&self, a: Tensor<4>) -> Vec<Vec<u8>> {
        sample_images(&self.generators.a_to_b, a)
    }
}
