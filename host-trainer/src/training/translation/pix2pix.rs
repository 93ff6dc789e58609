//! One pix2pix step (Isola et al. 2017): the PatchGAN learns to tell
//! (input, target) from (input, translation), then the U-Net learns to
//! fool it while staying within L1 of the target.

use super::losses::{bce_with_logits, l1, pix2pix_critic};
use super::{StepLosses, sample_images};
use crate::nets::patch_gan::PatchGan;
use crate::nets::unet::UNet;
use burn::optim::{GradientsParams, ModuleOptimizer};
use burn::tensor::Tensor;

/// The translator, its discriminator, their optimizers.
pub struct Pix2Pix {
    /// A → B.
    pub generator: UNet,
    /// Judges (A, B) pairs.
    pub critic: PatchGan,
    /// The generator's Adam.
    pub opt_g: ModuleOptimizer,
    /// The discriminator's Adam.
    pub opt_d: ModuleOptimizer,
    /// λ of the L1 term.
    pub l1_weight: f32,
}

impl Pix2Pix {
    /// One discriminator update, then one generator update, on paired
    /// batches `a` → `b` (`[n, C, H, W]`, on an autodiff device).
    pub fn step(&mut self, learning_rate: f64, a: Tensor<4>, b: Tensor<4>) -> StepLosses {
        let fake = self.generator.forward(a.clone());
        let d_loss = pix2pix_critic(
            self.critic.forward_pair(a.clone(), b.clone()),
            self.critic.forward_pair(a.clone(), fake.clone().detach()),
        );
        let grads = GradientsParams::from_grads(d_loss.backward(), &self.critic);
        self.critic = self.opt_d.step(learning_rate, self.critic.clone(), grads);

        // The paper's order: the generator is judged by the updated discriminator.
        let adversarial = bce_with_logits(self.critic.forward_pair(a, fake.clone()), true);
        let distance = l1(fake, b);
        let g_loss = adversarial.clone() + distance.clone().mul_scalar(self.l1_weight);
        let grads = GradientsParams::from_grads(g_loss.backward(), &self.generator);
        self.generator = self.opt_g.step(learning_rate, self.generator.clone(), grads);
        StepLosses {
            d_loss: d_loss.into_scalar::<f32>(),
            g_loss: g_loss.into_scalar::<f32>(),
            adversarial: adversarial.into_scalar::<f32>(),
            reconstruction: distance.into_scalar::<f32>(),
        }
    }

    /// The translations of `a` (inference mode: batch norm's running
    /// statistics), as 8-bit HWC images.
    pub fn translate(&self, a: Tensor<4>) -> Vec<Vec<u8>> {
        sample_images(&self.generator, a)
    }
}
