//! The translators' losses, scaled as their papers scale them (so that the
//! papers' λ = 100 and λ = 10 mean what they meant there). Each
//! discriminator's output is a map of patch logits `[n, 1, h, w]`; every
//! patch counts once.
//!
//! | | discriminator | generator |
//! |---|---|---|
//! | pix2pix | ½ (BCE(D(x, y), 1) + BCE(D(x, G(x)), 0)) | BCE(D(x, G(x)), 1) + λ·‖y − G(x)‖₁ |
//! | CycleGAN | ½ ((D(b) − 1)² + D(pool fake)²) per side | (D(G(a)) − 1)² + λ·cycle + λ·w_id·identity, both ways |

use burn::tensor::Tensor;
use burn::tensor::activation::softplus;

/// Binary cross-entropy of patch logits against "real" (`true`) or "fake".
pub fn bce_with_logits(logits: Tensor<4>, real: bool) -> Tensor<1> {
    let logits = if real { logits.neg() } else { logits };
    softplus(logits, 1.0).mean()
}

/// Mean squared distance of patch outputs from 1 (real) or 0 (fake).
pub fn least_squares(outputs: Tensor<4>, real: bool) -> Tensor<1> {
    let target = if real { 1.0 } else { 0.0 };
    outputs.sub_scalar(target).powi_scalar(2).mean()
}

/// Mean absolute difference per pixel and channel.
pub fn l1(a: Tensor<4>, b: Tensor<4>) -> Tensor<1> {
    (a - b).abs().mean()
}

/// pix2pix's discriminator loss, halved as in the paper ("we divide the
/// objective by 2 while optimizing D").
pub fn pix2pix_critic(real: Tensor<4>, fake: Tensor<4>) -> Tensor<1> {
    (bce_with_logits(real, true) + bce_with_logits(fake, false)).mul_scalar(0.5)
}

/// One CycleGAN discriminator's loss: least squares, halved (the reference
/// code's `loss_D = (real + fake) * 0.5`).
pub fn cycle_critic(real: Tensor<4>, fake: Tensor<4>) -> Tensor<1> {
    (least_squares(real, true) + least_squares(fake, false)).mul_scalar(0.5)
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::{Device, TensorData};

    fn map(v: &[f32]) -> Tensor<4> {
        Tensor::from_data(TensorData::new(v.to_vec(), [1, 1, 1, v.len()]), &Device::flex())
    }

    fn value(t: Tensor<1>) -> f64 {
        t.into_scalar::<f32>() as f64
    }

    #[test]
    fn losses_match_hand_computed_values() {
        // BCE(0, real) = ln 2; BCE(2, fake) = ln(1 + e²) = 2.126928.
        assert!((value(bce_with_logits(map(&[0.0]), true)) - std::f64::consts::LN_2).abs() < 1e-6);
        assert!((value(bce_with_logits(map(&[2.0]), false)) - 2.126_928).abs() < 1e-5);
        // pix2pix D on real logits {0, 0} and fake logits {2}: ½ (ln 2 + 2.126928).
        let d = value(pix2pix_critic(map(&[0.0, 0.0]), map(&[2.0])));
        assert!((d - 0.5 * (std::f64::consts::LN_2 + 2.126_928)).abs() < 1e-5, "{d}");
        // CycleGAN D on real {0.5, 1.5} (each 0.25 from 1) and fake {0.2}: ½ (0.25 + 0.04).
        let d = value(cycle_critic(map(&[0.5, 1.5]), map(&[0.2])));
        assert!((d - 0.145).abs() < 1e-6, "{d}");
        // L1 of {1, −1} against {0, 0.5}: (1 + 1.5) / 2.
        assert!((value(l1(map(&[1.0, -1.0]), map(&[0.0, 0.5]))) - 1.25).abs() < 1e-6);
        assert!((value(least_squares(map(&[3.0]), true)) - 4.0).abs() < 1e-6);
    }
}
