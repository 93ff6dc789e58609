//! The translator: a U-Net (Ronneberger et al. 2015; pix2pix's generator)
//! sized for a microcontroller.
//!
//! Each encoder stage halves the image with a 4 × 4 stride-2 convolution;
//! a 3 × 3 convolution works at the bottom; each decoder stage doubles it
//! with a 4 × 4 stride-2 transposed convolution and then sees the encoder's
//! activation of the same size beside its own (channel concatenation), so
//! fine detail of the input need not squeeze through the bottleneck. Batch
//! norm with running statistics (folded into the convolutions at export)
//! and ReLU follow every layer but the last, which ends in `tanh`.

use super::dcgan::dcgan_init;
use anyhow::{Result, bail};
use burn::config::Config;
use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig, ConvTranspose2d, ConvTranspose2dConfig};
use burn::nn::{BatchNorm, BatchNormConfig, PaddingConfig2d};
use burn::tensor::activation::relu;
use burn::tensor::{Device, Tensor};

/// The U-Net's shape.
#[derive(Config, Debug)]
pub struct UNetConfig {
    /// Input image channels (1 or 3).
    #[config(default = 1)]
    pub in_channels: usize,
    /// Output image channels (1 or 3).
    #[config(default = 1)]
    pub out_channels: usize,
    /// Image side (square).
    #[config(default = 28)]
    pub size: usize,
    /// Channels after the first encoder stage; each further stage doubles them.
    #[config(default = 32)]
    pub base_channels: usize,
    /// Encoder stages (each halves the side; the side must stay even).
    #[config(default = 2)]
    pub depth: usize,
}

impl UNetConfig {
    /// Channels after encoder stage `i` (0-based).
    pub fn stage_channels(&self, i: usize) -> usize {
        self.base_channels << i
    }

    /// Checks the side halves `depth` times into whole pixels.
    pub fn validate(&self) -> Result<()> {
        if self.depth == 0 || self.depth > 4 {
            bail!("the U-Net needs 1 to 4 encoder stages, got {}", self.depth);
        }
        if !self.size.is_multiple_of(1 << self.depth) || self.size >> self.depth < 2 {
            bail!(
                "a {0}×{0} image cannot be halved {1} times into whole pixels: use a side divisible by {2} (28 and 32 take 2 stages, 32 takes 3)",
                self.size,
                self.depth,
                1 << self.depth
            );
        }
        if ![1, 3].contains(&self.in_channels) || ![1, 3].contains(&self.out_channels) {
            bail!("translators take and make 1 (gray) or 3 (RGB) channels");
        }
        Ok(())
    }

    /// The U-Net with DCGAN's initialization.
    pub fn init(&self, device: &Device) -> Result<UNet> {
        self.validate()?;
        let mut down = Vec::new();
        let mut down_norms = Vec::new();
        let mut from = self.in_channels;
        for i in 0..self.depth {
            let to = self.stage_channels(i);
            down.push(
                Conv2dConfig::new([from, to], [4, 4])
                    .with_stride([2, 2])
                    .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
                    .with_initializer(dcgan_init())
                    .init(device),
            );
            down_norms.push(BatchNormConfig::new(to).init(device));
            from = to;
        }
        let bottom = Conv2dConfig::new([from, from], [3, 3])
            .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
            .with_initializer(dcgan_init())
            .init(device);
        let bottom_norm = BatchNormConfig::new(from).init(device);
        // Up stage i doubles the side back to encoder stage i−1's, and its
        // input is the stage below beside encoder stage i's activation
        // (the bottom's output beside the deepest stage for the first).
        let mut up = Vec::new();
        let mut up_norms = Vec::new();
        for i in (0..self.depth).rev() {
            let input = 2 * self.stage_channels(i);
            let to = if i == 0 { self.out_channels } else { self.stage_channels(i - 1) };
            up.push(
                ConvTranspose2dConfig::new([input, to], [4, 4])
                    .with_stride([2, 2])
                    .with_padding([1, 1])
                    .with_initializer(dcgan_init())
                    .init(device),
            );
            if i > 0 {
                up_norms.push(BatchNormConfig::new(to).init(device));
            }
        }
        Ok(UNet { down, down_norms, bottom, bottom_norm, up, up_norms })
    }
}

/// The U-Net translator.
#[derive(Module, Debug)]
pub struct UNet {
    /// The encoder's stride-2 convolutions, largest first.
    pub down: Vec<Conv2d>,
    /// Their batch norms.
    pub down_norms: Vec<BatchNorm>,
    /// The 3 × 3 convolution at the bottom.
    pub bottom: Conv2d,
    /// Its batch norm.
    pub bottom_norm: BatchNorm,
    /// The decoder's stride-2 transposed convolutions, smallest first; each
    /// takes the stage below beside the encoder's activation of its size.
    pub up: Vec<ConvTranspose2d>,
    /// Batch norms of every decoder stage but the last.
    pub up_norms: Vec<BatchNorm>,
}

impl UNet {
    /// Translates `[n, in_channels, size, size]` images in `[-1, 1]` into
    /// `[n, out_channels, size, size]` images in `[-1, 1]`.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        self.forward_stages(x).pop().expect("the U-Net has layers")
    }

    /// Every layer's output after its activation, in the order the int8
    /// model runs them (encoder, bottom, decoder; the last is the image):
    /// export calibrates each layer's output range on these.
    pub fn forward_stages(&self, x: Tensor<4>) -> Vec<Tensor<4>> {
        let mut stages = Vec::with_capacity(2 * self.down.len() + 1);
        let mut skips = Vec::with_capacity(self.down.len());
        let mut x = x;
        for (conv, norm) in self.down.iter().zip(&self.down_norms) {
            x = relu(norm.forward(conv.forward(x)));
            skips.push(x.clone());
            stages.push(x.clone());
        }
        x = relu(self.bottom_norm.forward(self.bottom.forward(x)));
        stages.push(x.clone());
        let last = self.up.len() - 1;
        for (k, conv) in self.up.iter().enumerate() {
            let skip = skips.pop().expect("one skip per stage");
            let joined = Tensor::cat(vec![x, skip], 1);
            let pre = conv.forward(joined);
            x = if k == last { pre.tanh() } else { relu(self.up_norms[k].forward(pre)) };
            stages.push(x.clone());
        }
        stages
    }
}

#[cfg(test)]
mod tests {
    use super::UNetConfig;
    use burn::module::Module;
    use burn::tensor::{Device, Tensor};

    #[test]
    fn shapes_halve_down_double_up_and_the_output_is_the_input_s_size() {
        let device = Device::default();
        for (size, depth, cin, cout) in [(28, 2, 1, 1), (32, 3, 3, 3), (32, 2, 1, 3)] {
            let net = UNetConfig::new().with_size(size).with_depth(depth).with_in_channels(cin).with_out_channels(cout).init(&device).unwrap();
            let y = net.forward(Tensor::zeros([2, cin, size, size], &device));
            assert_eq!(y.dims(), [2, cout, size, size]);
            let v: Vec<f32> = y.into_data().try_to_vec::<f32>().unwrap();
            assert!(v.iter().all(|x| x.abs() <= 1.0));
        }
        // The default for 28 × 28: 1 → 32 → 64, 3 × 3 at 7 × 7, back up with skips.
        let net = UNetConfig::new().init(&device).unwrap();
        assert_eq!(net.num_params(), 16 * 32 + 32 + 16 * 32 * 64 + 64 + 9 * 64 * 64 + 64 + 16 * 128 * 32 + 32 + 16 * 64 + 1 + 4 * (32 + 64 + 64 + 32));
    }

    #[test]
    fn sizes_that_do_not_halve_are_refused() {
        let device = Device::default();
        let err = UNetConfig::new().with_size(28).with_depth(3).init(&device).unwrap_err().to_string();
        assert!(err.contains("cannot be halved 3 times"), "{err}");
        assert!(UNetConfig::new().with_in_channels(2).init(&device).is_err());
    }
}
