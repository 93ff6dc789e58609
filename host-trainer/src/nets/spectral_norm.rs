//! Spectral normalization (Miyato et al., 2018): divide a weight by an
//! estimate of its largest singular value σ, so each layer is (about)
//! 1-Lipschitz.
//!
//! σ comes from power iteration with a persistent vector `u`: one iteration
//! per training step ([`SpectralNorm::power_iteration`]) is enough because
//! the weights move little between steps. In the forward pass `u` and `v`
//! are constants and σ = uᵀ W v is differentiated through W only, as in the
//! paper.

use burn::module::{Module, Param};
use burn::tensor::{Device, Distribution, Tensor};

/// The persistent power-iteration state of one spectrally normalized weight.
#[derive(Module, Debug)]
pub struct SpectralNorm {
    /// Left singular vector estimate, `[1, rows]`; not trained.
    pub u: Param<Tensor<2>>,
}

/// `x / ‖x‖` along the last axis of a `[1, k]` row.
fn normalize(x: Tensor<2>) -> Tensor<2> {
    let norm = x.clone().powi_scalar(2).sum().sqrt().add_scalar(1e-12);
    x / norm.unsqueeze()
}

/// Any weight as the matrix whose spectral norm is meant: rows = the first
/// axis (a Linear's inputs, a conv's output channels).
fn as_matrix<const D: usize>(w: Tensor<D>) -> Tensor<2> {
    let rows = w.dims()[0];
    w.reshape([rows as i32, -1])
}

impl SpectralNorm {
    /// A fresh state for a weight whose first axis has `rows` entries.
    pub fn new(rows: usize, device: &Device) -> Self {
        let u = normalize(Tensor::<2>::random([1, rows], Distribution::Normal(0.0, 1.0), device));
        SpectralNorm { u: Param::from_tensor(u).set_require_grad(false) }
    }

    /// The current σ estimate of `w`, differentiable through `w`.
    pub fn sigma<const D: usize>(&self, w: Tensor<D>) -> Tensor<1> {
        let w = as_matrix(w);
        let u = self.u.val().detach();
        let v = normalize(u.clone().matmul(w.clone().detach()));
        (u.matmul(w) * v).sum()
    }

    /// `w / σ(w)`.
    pub fn normalize_weight<const D: usize>(&self, w: Tensor<D>) -> Tensor<D> {
        let sigma = self.sigma(w.clone());
        let shape = [1usize; D];
        w / sigma.reshape(shape)
    }

    /// One power-iteration step on the current weight `w`.
    pub fn power_iteration<const D: usize>(&mut self, w: Tensor<D>) {
        let w = as_matrix(w).detach();
        let u = self.u.val().detach();
        let v = normalize(u.matmul(w.clone()));
        let u = normalize(v.matmul(w.transpose())).detach();
        self.u = Param::initialized(self.u.id, u).set_require_grad(false);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::TensorData;

    #[test]
    fn power_iteration_finds_the_largest_singular_value() {
        let device = Device::flex();
        // Singular values 3, 1, 0.5 (rotated, so no axis is special).
        let (c, s) = (0.6f32, 0.8f32);
        let w = Tensor::<2>::from_data(
            TensorData::new(vec![3.0 * c, -s, 0.0, 3.0 * s, c, 0.0, 0.0, 0.0, 0.5], [3, 3]),
            &device,
        );
        let mut sn = SpectralNorm::new(3, &device);
        for _ in 0..30 {
            sn.power_iteration(w.clone());
        }
        let sigma = sn.sigma(w.clone()).into_scalar::<f32>();
        assert!((sigma - 3.0).abs() < 1e-3, "σ = {sigma}");
        let normalized = sn.normalize_weight(w.clone());
        let max = normalized.abs().max().into_scalar::<f32>();
        assert!((max - s).abs() < 1e-3, "largest entry after normalizing: {max}"); // 3s / 3
    }

    #[test]
    fn the_vector_is_not_trained() {
        let device = Device::flex().autodiff();
        let sn = SpectralNorm::new(4, &device);
        assert!(!sn.u.val().is_require_grad());
        let mut sn = sn;
        sn.power_iteration(Tensor::<2>::ones([4, 2], &device));
        assert!(!sn.u.val().is_require_grad());
    }
}
