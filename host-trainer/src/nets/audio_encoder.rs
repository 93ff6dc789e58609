//! The sound encoder a sound model's generator starts with: a small 1-D
//! convolutional net over the MFCC frames (three stride-2 convolutions
//! along time, kernel 5 then 3, ReLU) and a Linear layer to one logit per
//! label. The logits, clamped to the int8 range of the latent's codes
//! (`[−4, 127/32]`, what the board's encoder can write), are the
//! generator's condition and, through a cross-entropy on the spoken
//! label, a keyword classifier: the board's caption names their largest.
//!
//! Convolutions are burn `Conv2d` layers with `[1, k]` kernels over a
//! `1 × frames` map with the coefficients as channels, so they export as
//! the int8 model's convolutions with nothing new on the board.

use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{Linear, LinearConfig, PaddingConfig2d};
use burn::tensor::activation::relu;
use burn::tensor::{Device, Tensor};
use pocketgan_shared::audio::COEFFICIENTS;
use pocketgan_shared::latent::LATENT_FRAC_BITS;

/// Channels of the encoder's convolutions.
pub const ENCODER_CHANNELS: [usize; 3] = [32, 48, 48];

/// The clamp on the logits: int8 codes of the latent's `1/32`.
pub fn logit_range() -> (f32, f32) {
    let one = (1u32 << LATENT_FRAC_BITS) as f32;
    (-128.0 / one, 127.0 / one)
}

/// The encoder: `[n, frames × coefficients]` feature rows (frame-major,
/// `code / 16`) → `[n, labels]` clamped logits.
#[derive(Module, Debug)]
pub struct AudioEncoder {
    /// The stride-2 convolutions along time.
    pub convs: Vec<Conv2d>,
    /// The last feature map, flattened, to the logits.
    pub head: Linear,
    /// Frames it reads.
    pub frames: usize,
    /// The front end's shift per coefficient (see `data::spoken_features`).
    #[module(skip)]
    pub shifts: Vec<i8>,
    /// The labels' names, in logit order.
    #[module(skip)]
    pub label_names: Vec<String>,
}

/// Frames after a stride-2 convolution with kernel `k` and padding `k / 2`.
fn halved(frames: usize, k: usize) -> usize {
    (frames + 2 * (k / 2) - k) / 2 + 1
}

impl AudioEncoder {
    /// A fresh encoder for `frames` frames, the front end's `shifts` and
    /// the labels `label_names`.
    pub fn new(frames: usize, shifts: &[i8], label_names: &[String], device: &Device) -> AudioEncoder {
        let labels = label_names.len();
        let mut convs = Vec::new();
        let (mut channels, mut width) = (COEFFICIENTS, frames);
        for (i, &out) in ENCODER_CHANNELS.iter().enumerate() {
            let k = if i == 0 { 5 } else { 3 };
            convs.push(
                Conv2dConfig::new([channels, out], [1, k])
                    .with_stride([1, 2])
                    .with_padding(PaddingConfig2d::Explicit(0, k / 2, 0, k / 2))
                    .init(device),
            );
            channels = out;
            width = halved(width, k);
        }
        AudioEncoder {
            convs,
            head: LinearConfig::new(channels * width, labels).init(device),
            frames,
            shifts: shifts.to_vec(),
            label_names: label_names.to_vec(),
        }
    }

    /// Labels it tells apart.
    pub fn labels(&self) -> usize {
        self.head.weight.val().dims()[1]
    }

    /// Feature columns it reads.
    pub fn columns(&self) -> usize {
        self.frames * COEFFICIENTS
    }

    /// Feature rows → clamped logits.
    pub fn forward(&self, features: Tensor<2>) -> Tensor<2> {
        let n = features.dims()[0];
        let last = self.conv_stages(features).pop().expect("an encoder has convolutions");
        let (lo, hi) = logit_range();
        self.head.forward(last.reshape([n as i32, -1])).clamp(lo, hi)
    }

    /// Each convolution's output after its ReLU, `[n, C, 1, W]` (the
    /// tensors the int8 encoder stores; export calibrates on them).
    pub fn conv_stages(&self, features: Tensor<2>) -> Vec<Tensor<4>> {
        let n = features.dims()[0];
        // Frame-major rows are an HWC map of height 1: NCHW is [n, C, 1, W].
        let mut x: Tensor<4> = features.reshape([n, 1, self.frames, COEFFICIENTS]).permute([0, 3, 1, 2]);
        let mut out = Vec::with_capacity(self.convs.len());
        for conv in &self.convs {
            x = relu(conv.forward(x));
            out.push(x.clone());
        }
        out
    }
}
