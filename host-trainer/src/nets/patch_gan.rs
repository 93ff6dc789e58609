//! The translators' discriminator: a PatchGAN (pix2pix), which scores
//! every patch of an image real or fake instead of the whole image, so it
//! judges texture and stroke locally and leaves global shape to the L1 or
//! cycle loss.
//!
//! Two 4 × 4 stride-2 convolutions (LeakyReLU 0.2; batch norm on the
//! second, as pix2pix) and a 3 × 3 convolution to one logit per position:
//! on 28 × 28 images a 7 × 7 map of logits, each seeing an 18 × 18 patch
//! (pix2pix's 70 × 70 patches on 256 × 256 images cover a similar share
//! of the picture's detail, not of its area).

use super::critic_layers::leaky;
use super::dcgan::dcgan_init;
use burn::config::Config;
use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{BatchNorm, BatchNormConfig, PaddingConfig2d};
use burn::tensor::{Device, Tensor};

/// The PatchGAN's shape.
#[derive(Config, Debug)]
pub struct PatchGanConfig {
    /// Channels it sees: the output's, plus the input's when it judges
    /// pairs (pix2pix) rather than outputs alone (CycleGAN).
    #[config(default = 2)]
    pub channels: usize,
    /// Channels of the first convolution (the second has twice as many).
    #[config(default = 64)]
    pub base_channels: usize,
    /// Batch norm after the second convolution.
    #[config(default = true)]
    pub batch_norm: bool,
}

impl PatchGanConfig {
    /// The PatchGAN with DCGAN's initialization.
    pub fn init(&self, device: &Device) -> PatchGan {
        let conv = |from: usize, to: usize, kernel: usize, stride: usize| {
            Conv2dConfig::new([from, to], [kernel, kernel])
                .with_stride([stride, stride])
                .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
                .with_initializer(dcgan_init())
                .init(device)
        };
        let c = self.base_channels;
        PatchGan {
            first: conv(self.channels, c, 4, 2),
            second: conv(c, 2 * c, 4, 2),
            norm: self.batch_norm.then(|| BatchNormConfig::new(2 * c).init(device)),
            to_logits: conv(2 * c, 1, 3, 1),
        }
    }
}

/// The PatchGAN discriminator.
#[derive(Module, Debug)]
pub struct PatchGan {
    /// 4 × 4, stride 2.
    pub first: Conv2d,
    /// 4 × 4, stride 2.
    pub second: Conv2d,
    /// Batch norm of the second convolution, if any.
    pub norm: Option<BatchNorm>,
    /// 3 × 3 to one logit per patch.
    pub to_logits: Conv2d,
}

impl PatchGan {
    /// Logits `[n, 1, H/4, W/4]`, one per patch, for `[n, channels, H, W]` images.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let x = leaky(self.first.forward(x));
        let mut x = self.second.forward(x);
        if let Some(norm) = &self.norm {
            x = norm.forward(x);
        }
        self.to_logits.forward(leaky(x))
    }

    /// Logits for outputs judged beside their inputs (pix2pix: the
    /// discriminator learns whether B belongs with A).
    pub fn forward_pair(&self, input: Tensor<4>, output: Tensor<4>) -> Tensor<4> {
        self.forward(Tensor::cat(vec![input, output], 1))
    }
}

#[cfg(test)]
mod tests {
    use super::PatchGanConfig;
    use burn::tensor::{Device, Distribution, Tensor};

    #[test]
    fn one_logit_per_patch_and_a_patch_sees_only_its_neighbourhood() {
        let device = Device::default();
        let d = PatchGanConfig::new().with_channels(1).with_batch_norm(false).init(&device);
        let x: Tensor<4> = Tensor::random([1, 1, 28, 28], Distribution::Normal(0.0, 1.0), &device);
        let y = d.forward(x.clone());
        assert_eq!(y.dims(), [1, 1, 7, 7]);
        // Change the bottom-right corner: the top-left patch's logit stays.
        let corner: Tensor<4> = Tensor::ones([1, 1, 6, 6], &device) * 5.0;
        let changed = d.forward(x.slice_assign([0..1, 0..1, 22..28, 22..28], corner));
        let (a, b): (Vec<f32>, Vec<f32>) = (y.into_data().try_to_vec().unwrap(), changed.into_data().try_to_vec().unwrap());
        assert_eq!(a[0], b[0]);
        assert_ne!(a[48], b[48]);
        // Pairs: input and output side by side in channels.
        let pairs = PatchGanConfig::new().init(&device);
        let logits = pairs.forward_pair(Tensor::zeros([3, 1, 28, 28], &device), Tensor::zeros([3, 1, 28, 28], &device));
        assert_eq!(logits.dims(), [3, 1, 7, 7]);
    }
}
