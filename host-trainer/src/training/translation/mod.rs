//! Image-to-image translators: a U-Net that maps an image of one kind (A,
//! an outline, a skeleton, a printed digit) to one of another (B), trained
//! with pix2pix from pairs or with CycleGAN from two unpaired sets.
//!
//! - [`config`]: every hyperparameter, the papers' values as defaults
//! - [`losses`]: both papers' losses at their own scaling
//! - [`pix2pix`], [`cycle_gan`]: one training step of each
//! - [`image_pool`]: CycleGAN's pool of past fakes
//! - [`run`]: the run folder, checkpoints, exact `--resume`, sample grids

pub mod config;
pub mod cycle_gan;
pub mod image_pool;
pub mod losses;
pub mod pix2pix;
pub mod run;

use crate::nets::seeded::tensor_images;
use crate::nets::unet::UNet;
use burn::module::Module;
use burn::tensor::Tensor;

/// What one translator step reports.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepLosses {
    /// The discriminator's loss (both discriminators' for CycleGAN).
    pub d_loss: f32,
    /// The generator's whole loss.
    pub g_loss: f32,
    /// Its adversarial part.
    pub adversarial: f32,
    /// Its L1 part, before weighting: to the target (pix2pix) or both
    /// cycles' (CycleGAN).
    pub reconstruction: f32,
}

/// `translator` applied to `x` in inference mode, as 8-bit HWC images.
pub fn sample_images(translator: &UNet, x: Tensor<4>) -> Vec<Vec<u8>> {
    tensor_images(translator.valid().forward(x.without_autodiff()))
}
