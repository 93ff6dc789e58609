//! From a trained float generator to a `.pgan` file: fold batch norm,
//! calibrate activation ranges, quantize, write, and check the result;
//! [`translator`] does the same for a U-Net translator.

pub mod agreement;
mod fold;
mod quantize;
mod report;
pub mod sound;
pub mod translator;
pub mod tflite;

pub use fold::{FloatLayer, fold_generator, fold_unet, text_table_codes, text_table_factor};
pub use quantize::{QuantizedLayer, quantize_layers, quantize_layers_from, value_range};
pub use report::{CALIBRATION_SEEDS, ExportReport};

use crate::export::agreement::int8_vs_float;
use crate::nets::Generator;
use crate::nets::seeded::seed_inputs;
use anyhow::{Context, Result, anyhow};
use burn::module::Module;
use burn::tensor::Device;
use crate::data::captions::vocabulary_text;
use pocketgan_shared::format::{self, Header, I8Array, Model, TextCondition};
use pocketgan_shared::latent::LATENT_FRAC_BITS;

/// Quantizes `generator` into a model file named `name`. The image shape is
/// the last folded layer's output.
pub fn export(generator: &Generator, name: &str, device: &Device) -> Result<ExportReport> {
    if generator.audio.is_some() {
        return sound::export_sound(generator, name, device);
    }
    let generator = generator.valid();
    let layers = fold_generator(&generator)?;
    let image = layers.last().expect("a generator has layers").output;
    // Ranges of every stage's output, from burn's own forward pass (the
    // folded model computes the same tensors).
    let n = CALIBRATION_SEEDS.len();
    let z = seed_inputs(CALIBRATION_SEEDS.start, n, generator.latent_dim, generator.classes, device);
    let ranges: Vec<(f32, f32)> = generator
        .forward_stages(z)
        .into_iter()
        .map(value_range)
        .collect();
    let quantized = quantize_layers(&layers, &ranges)?;
    let table = text_table_codes(&generator);
    let vocabulary = generator.text.as_ref().map(|t| vocabulary_text(&t.words));
    let text = match (&table, &vocabulary, &generator.text) {
        (Some(table), Some(words), Some(encoder)) => Some(TextCondition {
            vocabulary: words,
            dim: u16::try_from(encoder.dim()).context("embedding width above 65535")?,
            embedding: I8Array::new(table),
        }),
        _ => None,
    };
    let classes = if text.is_some() { 0 } else { generator.classes };
    let header = Header {
        name,
        latent_dim: u16::try_from(generator.latent_dim).context("latent size above 65535")?,
        classes: u16::try_from(classes).context("class count above 65535")?,
        latent_frac_bits: LATENT_FRAC_BITS,
        image,
        layer_count: 0,
        input_image: None,
    };
    let views: Vec<_> = quantized.iter().map(QuantizedLayer::layer).collect();
    let text_len = text.as_ref().map_or(0, TextCondition::encoded_len_bound);
    let mut bytes = vec![0u8; format::encoded_len_bound(&header, &views) + text_len];
    let len = format::encode_with_text(&header, text.as_ref(), &views, &mut bytes).map_err(|e| anyhow!("{e}"))?;
    bytes.truncate(len);
    let model = Model::parse(&bytes).map_err(|e| anyhow!("the exporter wrote an invalid model (a bug): {e}"))?;
    let psnr_db = int8_vs_float(&model, &generator, device)?.psnr_db;
    Ok(ExportReport {
        parameters: model.parameters(),
        macs: model.macs(),
        scratch: model.scratch_len(),
        psnr_db,
        bytes,
    })
}
