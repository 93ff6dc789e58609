//! The discriminator's layers, each able to push a gradient back to its
//! input as ordinary tracked tensor operations.
//!
//! burn 0.22's autodiff is first-order only, so the WGAN-GP penalty, which
//! needs the critic's input gradient *inside* the loss, builds that gradient
//! itself: a Linear's input gradient is a matmul with the transposed weight,
//! a convolution's is a transposed convolution with the same weight, and
//! LeakyReLU's is a mask. Ordinary `backward()` then carries the penalty
//! into the weights. Both layers optionally spectrally normalize their
//! weight (see [`SpectralNorm`]).

use super::spectral_norm::SpectralNorm;
use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{Initializer, Linear, LinearConfig, PaddingConfig2d};
use burn::tensor::module::{conv_transpose2d, conv2d, linear};
use burn::tensor::ops::{ConvOptions, ConvTransposeOptions};
use burn::tensor::{Device, Tensor};

/// The slope of the critic's LeakyReLU for negative inputs.
pub const LEAKY_SLOPE: f64 = 0.2;

/// LeakyReLU 0.2.
pub fn leaky(x: Tensor<4>) -> Tensor<4> {
    burn::tensor::activation::leaky_relu(x, LEAKY_SLOPE)
}

/// LeakyReLU's derivative at `pre` (1 or the slope), as a constant.
pub fn leaky_mask<const D: usize>(pre: Tensor<D>) -> Tensor<D> {
    pre.detach().greater_elem(0.0).float().mul_scalar(1.0 - LEAKY_SLOPE).add_scalar(LEAKY_SLOPE)
}

/// A Linear layer of a critic (weight `[inputs, outputs]`).
#[derive(Module, Debug)]
pub struct CriticLinear {
    /// The plain layer holding weight and bias.
    pub inner: Linear,
    /// Spectral normalization of the weight, when enabled.
    pub spectral: Option<SpectralNorm>,
}

impl CriticLinear {
    /// A layer `inputs → outputs` with `init` weights.
    pub fn new(inputs: usize, outputs: usize, bias: bool, spectral: bool, init: Initializer, device: &Device) -> Self {
        let inner = LinearConfig::new(inputs, outputs).with_bias(bias).with_initializer(init).init(device);
        CriticLinear { inner, spectral: spectral.then(|| SpectralNorm::new(inputs, device)) }
    }

    /// The weight the layer computes with (divided by σ under spectral norm).
    pub fn weight(&self) -> Tensor<2> {
        let w = self.inner.weight.val();
        match &self.spectral {
            Some(sn) => sn.normalize_weight(w),
            None => w,
        }
    }

    /// `x · W + b`.
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        linear(x, self.weight(), self.inner.bias.as_ref().map(|b| b.val()))
    }

    /// The gradient with respect to the input, given the gradient `g` with
    /// respect to the output.
    pub fn input_gradient(&self, g: Tensor<2>) -> Tensor<2> {
        g.matmul(self.weight().transpose())
    }

    /// One power-iteration step (no-op without spectral norm).
    pub fn power_iteration(&mut self) {
        let w = self.inner.weight.val();
        if let Some(sn) = &mut self.spectral {
            sn.power_iteration(w);
        }
    }
}

/// A square-kernel, stride-`s` convolution of a critic.
#[derive(Module, Debug)]
pub struct CriticConv {
    /// The plain layer holding weight `[out, in, k, k]` and bias.
    pub inner: Conv2d,
    /// Padding on every side.
    pub padding: usize,
    /// Spectral normalization of the weight, when enabled.
    pub spectral: Option<SpectralNorm>,
}

impl CriticConv {
    /// A `kernel × kernel` convolution `inputs → outputs` with the given stride and padding.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        inputs: usize,
        outputs: usize,
        kernel: usize,
        stride: usize,
        padding: usize,
        spectral: bool,
        init: Initializer,
        device: &Device,
    ) -> Self {
        let inner = Conv2dConfig::new([inputs, outputs], [kernel, kernel])
            .with_stride([stride, stride])
            .with_padding(PaddingConfig2d::Explicit(padding, padding, padding, padding))
            .with_initializer(init)
            .init(device);
        CriticConv { inner, padding, spectral: spectral.then(|| SpectralNorm::new(outputs, device)) }
    }

    /// The weight the layer computes with (divided by σ under spectral norm).
    pub fn weight(&self) -> Tensor<4> {
        let w = self.inner.weight.val();
        match &self.spectral {
            Some(sn) => sn.normalize_weight(w),
            None => w,
        }
    }

    /// The convolution.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let s = self.inner.stride;
        let options = ConvOptions::new(s, [self.padding; 2], [1, 1], 1);
        conv2d(x, self.weight(), self.inner.bias.as_ref().map(|b| b.val()), options)
    }

    /// The gradient with respect to an input of `input_hw`, given the
    /// gradient `g` with respect to the output: the transposed convolution
    /// with the same weight (and the output padding that restores the size).
    pub fn input_gradient(&self, g: Tensor<4>, input_hw: [usize; 2]) -> Tensor<4> {
        let [_, _, oh, ow] = g.dims();
        let [s0, s1] = self.inner.stride;
        let [k0, k1] = self.inner.kernel_size;
        let p = self.padding;
        // (o − 1)·s − 2p + k is where a transposed conv lands; the rest of the
        // input (rows the strided kernel never reached) gets output padding.
        let out_pad = [
            input_hw[0] + 2 * p - ((oh - 1) * s0 + k0),
            input_hw[1] + 2 * p - ((ow - 1) * s1 + k1),
        ];
        let options = ConvTransposeOptions::new([s0, s1], [p, p], out_pad, [1, 1], 1);
        conv_transpose2d(g, self.weight(), None, options)
    }

    /// One power-iteration step (no-op without spectral norm).
    pub fn power_iteration(&mut self) {
        let w = self.inner.weight.val();
        if let Some(sn) = &mut self.spectral {
            sn.power_iteration(w);
        }
    }
}
