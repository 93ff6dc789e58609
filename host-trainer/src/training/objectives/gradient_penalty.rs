//! Penalties on the critic's input gradient:
//! - WGAN-GP's (Gulrajani et al., 2017): `E[(‖∇ₓ̂ D(x̂)‖₂ − 1)²]` on random
//!   interpolates `x̂ = εx + (1 − ε)x̃` between real and generated samples;
//! - R1 and R2 (Mescheder et al., 2018): `E[‖∇ₓ D(x)‖²]` on real (R1) or
//!   generated (R2) samples, weighted `γ/2` by the caller.
//!
//! burn 0.22 cannot differentiate a gradient, so `∇ₓ̂ D` comes from the
//! critic's own [`CriticNet::input_gradient`], built of tracked operations;
//! `backward()` of the penalty is then an ordinary first-order gradient.
//! `tests/gradient_penalty.rs` checks it against finite differences.

use crate::nets::CriticNet;
use anyhow::{Result, bail};
use burn::tensor::{Distribution, Tensor};

/// The penalty (without λ) for a batch of real and generated samples of
/// the same shape; `classes` are the one-hot labels of a conditional critic.
pub fn gradient_penalty<const D: usize, C: CriticNet<D>>(
    critic: &C,
    real: Tensor<D>,
    fake: Tensor<D>,
    classes: Option<Tensor<2>>,
) -> Result<Tensor<1>> {
    let n = real.dims()[0];
    let mut shape = [1usize; D];
    shape[0] = n;
    let eps = Tensor::<D>::random(shape, Distribution::Uniform(0.0, 1.0), &real.device());
    let interpolates = (real.detach() * eps.clone() + fake.detach() * eps.neg().add_scalar(1.0)).detach();
    penalty_at(critic, interpolates, classes)
}

/// R1 / R2 without `γ/2`: `mean(‖∇ₓ D(x)‖²)` at the given samples.
pub fn zero_centered_penalty<const D: usize, C: CriticNet<D>>(critic: &C, x: Tensor<D>, classes: Option<Tensor<2>>) -> Result<Tensor<1>> {
    let n = x.dims()[0];
    let Some(g) = critic.input_gradient(x.detach(), classes) else {
        bail!("the R1/R2 penalty needs a critic without batch norm (add --batch-norm false)");
    };
    Ok(g.reshape([n as i32, -1]).powi_scalar(2).sum_dim(1).mean())
}

/// `mean((‖∇ₓ D(x)‖₂ − 1)²)` at the given points.
pub fn penalty_at<const D: usize, C: CriticNet<D>>(critic: &C, x: Tensor<D>, classes: Option<Tensor<2>>) -> Result<Tensor<1>> {
    let n = x.dims()[0];
    let Some(g) = critic.input_gradient(x, classes) else {
        bail!("the gradient penalty needs a critic without batch norm (set batch_norm = false)");
    };
    // The small constant keeps sqrt differentiable at a zero gradient.
    let norm = g.reshape([n as i32, -1]).powi_scalar(2).sum_dim(1).add_scalar(1e-12).sqrt();
    Ok(norm.sub_scalar(1.0).powi_scalar(2).mean())
}
