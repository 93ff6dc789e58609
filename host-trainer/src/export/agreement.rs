//! How close the int8 model is to the float generator it came from.

use crate::nets::Generator;
use crate::nets::seeded::seed_inputs;
use anyhow::{Result, anyhow};
use burn::module::Module;
use burn::tensor::{Device, Tensor};
use crate::board::sample::for_each_seed;
use pocketgan_shared::pixels::code_to_u8;
use pocketgan_shared::Model;

/// Seeds the quality check uses: the same 64 a default `pocketgan sample` grid shows.
pub const CHECK_SEEDS: std::ops::Range<u32> = 0..64;

/// Agreement of the int8 model with the float generator.
#[derive(Debug, Clone, Copy)]
pub struct Agreement {
    /// Peak signal-to-noise ratio over all pixels, in dB (8-bit pixels).
    pub psnr_db: f64,
    /// Largest absolute pixel difference (8-bit).
    pub max_abs: f64,
}

/// Runs both models on [`CHECK_SEEDS`] and compares their pixels: the int8
/// output through the shared post-processing, the float output mapped
/// `[-1, 1] → [0, 255]` without rounding. A conditional model draws class
/// `k % classes` for the `k`-th seed, as `pocketgan sample` does; a text
/// model, the one-word prompt of word `k % words`.
pub fn int8_vs_float(model: &Model<'_>, generator: &Generator, device: &Device) -> Result<Agreement> {
    let classes = model.header().classes as usize + model.vocabulary().map_or(0, |v| v.len());
    if classes != generator.classes {
        return Err(anyhow!("the model file has {classes} classes or words, the generator {}", generator.classes));
    }
    let n = CHECK_SEEDS.len();
    let latent_dim = model.header().latent_dim as usize;
    let float = generator.valid().forward(seed_inputs(CHECK_SEEDS.start, n, latent_dim, classes, device));
    let mut int8 = Vec::with_capacity(n);
    for_each_seed(model, CHECK_SEEDS, |_, codes| int8.push(codes.to_vec()))?;
    pixel_agreement(float, &int8)
}

/// Compares float images `[n, C, H, W]` in `[-1, 1]` with the int8
/// model's output codes (HWC) of the same inputs, in 8-bit pixels.
pub fn pixel_agreement(float: Tensor<4>, int8: &[Vec<i8>]) -> Result<Agreement> {
    let [n, c, h, w] = float.dims();
    let float = float.into_data().try_to_vec::<f32>().map_err(|e| anyhow!("{e:?}"))?;
    if int8.len() != n || int8.iter().any(|codes| codes.len() != h * w * c) {
        return Err(anyhow!("the model file and the generator have different image shapes"));
    }
    let (mut sq, mut max_abs, mut count) = (0f64, 0f64, 0usize);
    for (k, codes) in int8.iter().enumerate() {
        for ch in 0..c {
            for p in 0..h * w {
                let f = (float[(k * c + ch) * h * w + p].clamp(-1.0, 1.0) as f64 + 1.0) * 127.5;
                let q = code_to_u8(codes[p * c + ch]) as f64;
                let d = (f - q).abs();
                sq += d * d;
                max_abs = max_abs.max(d);
                count += 1;
            }
        }
    }
    let mse = sq / count.max(1) as f64;
    let psnr_db = if mse == 0.0 { f64::INFINITY } else { 10.0 * (255.0f64 * 255.0 / mse).log10() };
    Ok(Agreement { psnr_db, max_abs })
}
