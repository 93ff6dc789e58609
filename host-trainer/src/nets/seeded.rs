//! The generator inputs every tool shares: the latents (and classes) a
//! board uses for each seed, as floats, and the float generator's images.

use crate::nets::dcgan::Generator;
use crate::render::grid::float_to_u8;
use burn::module::Module;
use burn::tensor::{Device, Tensor, TensorData};
use pocketgan_shared::latent::{LATENT_FRAC_BITS, latent_for_seed};

/// The 64 fixed latents (seeds 0..63) the sample grids show, as floats:
/// the same codes `pocketgan sample --seed 0` feeds the int8 model.
pub fn seed_latents(first_seed: u32, n: usize, latent_dim: usize, device: &Device) -> Tensor<2> {
    seed_inputs(first_seed, n, latent_dim, 0, device)
}

/// The generator inputs a board uses for seeds `first_seed..first_seed + n`:
/// each latent, followed for a conditional generator (`classes > 0`) by the
/// one-hot vector of class `k % classes` — the classes `pocketgan sample`
/// cycles through.
pub fn seed_inputs(first_seed: u32, n: usize, latent_dim: usize, classes: usize, device: &Device) -> Tensor<2> {
    let mut values = Vec::with_capacity(n * (latent_dim + classes));
    let mut codes = vec![0i8; latent_dim];
    for k in 0..n {
        latent_for_seed(first_seed + k as u32, &mut codes);
        values.extend(codes.iter().map(|&c| c as f32 / (1u32 << LATENT_FRAC_BITS) as f32));
        values.extend((0..classes).map(|c| if c == k % classes { 1.0 } else { 0.0 }));
    }
    Tensor::from_data(TensorData::new(values, [n, latent_dim + classes]), device)
}

/// A sound model's generator inputs for seeds `first_seed..first_seed + n`:
/// each latent followed by condition row `k % rows` of `conditions`
/// (`width` columns each: label one-hot and features).
pub fn sound_inputs(first_seed: u32, n: usize, latent_dim: usize, conditions: &[f32], width: usize, device: &Device) -> Tensor<2> {
    let rows = (conditions.len() / width.max(1)).max(1);
    let mut values = Vec::with_capacity(n * (latent_dim + width));
    let mut codes = vec![0i8; latent_dim];
    for k in 0..n {
        latent_for_seed(first_seed + k as u32, &mut codes);
        values.extend(codes.iter().map(|&c| c as f32 / (1u32 << LATENT_FRAC_BITS) as f32));
        let row = conditions.get((k % rows) * width..(k % rows + 1) * width);
        values.extend(row.map_or_else(|| vec![0.0; width], <[f32]>::to_vec));
    }
    Tensor::from_data(TensorData::new(values, [n, latent_dim + width]), device)
}

/// Runs `generator` (in inference mode) and returns 8-bit images, HWC.
pub fn float_images(generator: &Generator, z: Tensor<2>) -> Vec<Vec<u8>> {
    tensor_images(generator.valid().forward(z.without_autodiff()))
}

/// `[n, C, H, W]` images in `[-1, 1]` as 8-bit HWC images.
pub fn tensor_images(out: Tensor<4>) -> Vec<Vec<u8>> {
    let [n, c, h, w] = out.dims();
    let v = out.into_data().try_to_vec::<f32>().expect("generator output is f32");
    (0..n)
        .map(|k| {
            let mut img = vec![0u8; h * w * c];
            for ch in 0..c {
                for p in 0..h * w {
                    img[p * c + ch] = float_to_u8(v[((k * c + ch) * h * w) + p]);
                }
            }
            img
        })
        .collect()
}
