//! End-to-end checks across pocketgan's crates (see `tests/`).
//!
//! The golden files under `golden/` pin the exact bytes the shared
//! fixed-point pipeline (latent sampler → kernels → pixels) produces for the
//! committed default model. The emulated board must reproduce them.

pub mod emulator;

use pocketgan_shared::latent::latent_for_seed;
use pocketgan_shared::pixels::{GeneratedImage, Rendered};
use pocketgan_shared::{Model, ModelError, generate};

/// Gray8 pixels (image size, scale 1) of `seeds` for `model`, concatenated.
pub fn gray_pixels(model: &Model<'_>, seeds: std::ops::Range<u32>) -> Result<Vec<u8>, ModelError> {
    let h = model.header();
    let mut scratch = vec![0i8; model.scratch_len()];
    let mut latent = vec![0i8; h.latent_dim as usize];
    let mut out = Vec::new();
    for seed in seeds {
        latent_for_seed(seed, &mut latent);
        let class = (h.classes > 0).then_some(0);
        let codes = generate(model, &latent, class, &mut scratch)?;
        let img = GeneratedImage::new(codes, h.image.width, h.image.height, h.image.channels).expect("shape from header");
        let r = Rendered::with_scale(img, 1);
        let (w, hh) = r.size();
        let start = out.len();
        out.resize(start + w as usize * hh as usize, 0);
        r.fill_gray8(&mut out[start..]).expect("sized above");
    }
    Ok(out)
}
