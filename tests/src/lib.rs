//! End-to-end checks across pocketgan's crates (see `tests/`).
//!
//! The golden files under `golden/` pin the exact bytes the shared
//! fixed-point pipeline (latent sampler → kernels → pixels) produces for the
//! committed default model. The emulated board must reproduce them.

pub mod emulator;
pub mod module_graph;

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

/// A conditional model file (3 classes, latent 8, 28×28) for the board
/// tests: a freshly initialized generator whose weights are scaled up so
/// that its images — and the effect of the class input — are larger than
/// one int8 step. It is not trained: the tests compare pixels across
/// implementations, not their looks.
pub fn conditional_test_model() -> Vec<u8> {
    use burn::module::{Module, ModuleMapper, Param};
    use burn::tensor::{Device, Tensor};
    use pocketgan_host_trainer::nets::GeneratorConfig;

    struct Amplify;
    impl ModuleMapper for Amplify {
        fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
            // Weights (rank 2 and up) only: batch-norm statistics stay sane.
            if D >= 2 { param.map(|t| t * 8.0) } else { param }
        }
    }
    let device = Device::flex();
    let generator = GeneratorConfig::new()
        .with_classes(3)
        .with_latent_dim(8)
        .with_base_channels(16)
        .init(&device)
        .expect("a valid generator config")
        .map(&mut Amplify);
    pocketgan_host_trainer::export::export(&generator, "conditional-test", &device).expect("export").bytes
}
