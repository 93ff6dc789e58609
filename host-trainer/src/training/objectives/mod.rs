//! GAN objectives: the losses on the discriminator's logits, and the
//! regularizers (gradient penalty, weight clipping) that go with them.
//!
//! | objective | critic loss | generator loss |
//! |---|---|---|
//! | minimax (Goodfellow 2014) | `softplus(−D(x)) + softplus(D(G(z)))` | `−softplus(D(G(z)))` = `log(1 − σ(D(G(z))))` |
//! | non-saturating (same paper) | as minimax | `softplus(−D(G(z)))` = `−log σ(D(G(z)))` |
//! | wgan, wgan-gp (Arjovsky 2017, Gulrajani 2017) | `D(G(z)) − D(x)` | `−D(G(z))` |
//! | hinge (Lim & Ye 2017; SNGAN, Miyato 2018) | `relu(1 − D(x)) + relu(1 + D(G(z)))` | `−D(G(z))` |
//! | least-squares (LSGAN, Mao et al. 2017; a = 0, b = c = 1) | `½(D(x) − 1)² + ½D(G(z))²` | `½(D(G(z)) − 1)²` |
//!
//! All means over the batch. `softplus` keeps the log-sigmoid losses finite
//! for any logit.

pub mod gradient_penalty;
pub mod settings;
pub mod weight_clipping;

pub use gradient_penalty::{gradient_penalty, zero_centered_penalty};
pub use weight_clipping::clip_weights;

use burn::tensor::Tensor;
use burn::tensor::activation::{relu, softplus};

/// A GAN objective, as named on the command line and in config files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Objective {
    /// Original GAN, saturating generator loss `log(1 − D(G(z)))`.
    Minimax,
    /// Original GAN, non-saturating generator loss `−log D(G(z))`.
    NonSaturating,
    /// Wasserstein GAN with weight clipping and RMSProp.
    Wgan,
    /// Wasserstein GAN with a gradient penalty (λ = 10).
    WganGp,
    /// Hinge loss with a spectrally normalized discriminator (SNGAN).
    Hinge,
    /// Least squares (LSGAN): real scored 1, fake 0, the generator aims at 1.
    LeastSquares,
}

/// The optimizer family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OptimizerKind {
    /// Adam (with the β1, β2 given).
    Adam,
    /// RMSProp without momentum (WGAN's choice).
    Rmsprop,
    /// Plain stochastic gradient descent, no momentum (GAN Lab's default).
    Sgd,
}

impl Objective {
    /// Every objective, in the order tables list them.
    pub const ALL: [Objective; 6] = [
        Objective::Minimax,
        Objective::NonSaturating,
        Objective::Wgan,
        Objective::WganGp,
        Objective::Hinge,
        Objective::LeastSquares,
    ];

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Objective::Minimax => "minimax",
            Objective::NonSaturating => "non-saturating",
            Objective::Wgan => "wgan",
            Objective::WganGp => "wgan-gp",
            Objective::Hinge => "hinge",
            Objective::LeastSquares => "least-squares",
        }
    }

    /// The discriminator's loss from its logits on real and generated samples.
    pub fn critic_loss(self, real: Tensor<2>, fake: Tensor<2>) -> Tensor<1> {
        match self {
            Objective::Minimax | Objective::NonSaturating => softplus(real.neg(), 1.0).mean() + softplus(fake, 1.0).mean(),
            Objective::Wgan | Objective::WganGp => fake.mean() - real.mean(),
            Objective::Hinge => relu(real.neg().add_scalar(1.0)).mean() + relu(fake.add_scalar(1.0)).mean(),
            Objective::LeastSquares => (real.sub_scalar(1.0).powi_scalar(2).mean() + fake.powi_scalar(2).mean()).mul_scalar(0.5),
        }
    }

    /// The generator's loss from the discriminator's logits on its samples.
    pub fn generator_loss(self, fake: Tensor<2>) -> Tensor<1> {
        match self {
            Objective::Minimax => softplus(fake, 1.0).mean().neg(),
            Objective::NonSaturating => softplus(fake.neg(), 1.0).mean(),
            Objective::Wgan | Objective::WganGp | Objective::Hinge => fake.mean().neg(),
            Objective::LeastSquares => fake.sub_scalar(1.0).powi_scalar(2).mean().mul_scalar(0.5),
        }
    }
}

impl std::fmt::Display for Objective {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::{Device, TensorData};

    fn logits(v: &[f32]) -> Tensor<2> {
        Tensor::from_data(TensorData::new(v.to_vec(), [v.len(), 1]), &Device::flex())
    }

    fn value(t: Tensor<1>) -> f64 {
        t.into_scalar::<f32>() as f64
    }

    fn sp(x: f64) -> f64 {
        (1.0 + x.exp()).ln()
    }

    #[test]
    fn losses_match_their_formulas() {
        let (r, f) = ([1.5f32, -0.5], [0.25f32, -2.0]);
        let mean = |a: [f64; 2]| (a[0] + a[1]) / 2.0;
        let (r64, f64_) = (r.map(|x| x as f64), f.map(|x| x as f64));
        let bce = mean(r64.map(|x| sp(-x))) + mean(f64_.map(sp));
        let cases = [
            (Objective::Minimax, bce, -mean(f64_.map(sp))),
            (Objective::NonSaturating, bce, mean(f64_.map(|x| sp(-x)))),
            (Objective::Wgan, mean(f64_) - mean(r64), -mean(f64_)),
            (Objective::WganGp, mean(f64_) - mean(r64), -mean(f64_)),
            (
                Objective::Hinge,
                mean(r64.map(|x| (1.0 - x).max(0.0))) + mean(f64_.map(|x| (1.0 + x).max(0.0))),
                -mean(f64_),
            ),
            (
                Objective::LeastSquares,
                0.5 * mean(r64.map(|x| (x - 1.0).powi(2))) + 0.5 * mean(f64_.map(|x| x * x)),
                0.5 * mean(f64_.map(|x| (x - 1.0).powi(2))),
            ),
        ];
        for (objective, d, g) in cases {
            let got_d = value(objective.critic_loss(logits(&r), logits(&f)));
            let got_g = value(objective.generator_loss(logits(&f)));
            assert!((got_d - d).abs() < 1e-5, "{objective} critic loss {got_d} vs {d}");
            assert!((got_g - g).abs() < 1e-5, "{objective} generator loss {got_g} vs {g}");
        }
    }

    #[test]
    fn log_sigmoid_losses_stay_finite_for_huge_logits() {
        for objective in [Objective::Minimax, Objective::NonSaturating] {
            let d = value(objective.critic_loss(logits(&[-1e4]), logits(&[1e4])));
            let g = value(objective.generator_loss(logits(&[-1e4])));
            assert!(d.is_finite() && g.is_finite(), "{objective}: {d} {g}");
        }
    }
}
