//! The original GAN objective (Goodfellow et al., 2014) with the
//! non-saturating generator loss, on logits:
//!
//! - discriminator: `−log σ(D(x)) − log(1 − σ(D(G(z))))` = `softplus(−D(x)) + softplus(D(G(z)))`
//! - generator: `−log σ(D(G(z)))` = `softplus(−D(G(z)))`
//!
//! `softplus` keeps both finite for any logit, where `log(sigmoid)` would
//! underflow to −∞.

use burn::tensor::Tensor;
use burn::tensor::activation::softplus;

/// The discriminator's loss from its logits on real and generated images.
pub fn discriminator_loss(real_logits: Tensor<2>, fake_logits: Tensor<2>) -> Tensor<1> {
    softplus(real_logits.neg(), 1.0).mean() + softplus(fake_logits, 1.0).mean()
}

/// The generator's (non-saturating) loss from the discriminator's logits on
/// its images.
pub fn generator_loss(fake_logits: Tensor<2>) -> Tensor<1> {
    softplus(fake_logits.neg(), 1.0).mean()
}
