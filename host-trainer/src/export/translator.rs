//! From a trained U-Net translator to a `.pgan` file: batch norm folded
//! into its convolutions, activation ranges calibrated on training inputs
//! (the outputs a skip joins share one range), int8 quantization, and the
//! int8 translator checked against the float one on held-out inputs.

use super::report::ExportReport;
use super::fold::fold_unet;
use super::quantize::{QuantizedLayer, quantize_layers_from, value_range};
use crate::data::ImageSet;
use crate::nets::unet::UNet;
use anyhow::{Result, anyhow, bail};
use burn::module::Module;
use burn::tensor::{Device, Tensor, TensorData};
use pocketgan_shared::format::{self, Header, ImageInput, Model, TensorShape};
use pocketgan_shared::latent::LATENT_FRAC_BITS;
use pocketgan_shared::pixels::{code_of_u8, code_to_u8};

/// Inputs calibration measures ranges on (spread over the training set).
pub const CALIBRATION_IMAGES: usize = 512;
/// Held-out inputs the int8-vs-float check translates.
pub const CHECK_IMAGES: usize = 64;
/// A translator's input codes: `c` stands for `c / 128`, as its outputs.
pub const INPUT_SCALE: f32 = 1.0 / 128.0;

/// Image `i` of `set` as a translator's input codes (HWC).
pub fn input_codes(set: &ImageSet, i: usize) -> Vec<i8> {
    set.image(i).iter().map(|&p| code_of_u8(p)).collect()
}

/// Input codes of several images as the float translator's `[n, C, H, W]`
/// input: exactly the values the codes stand for, so float and int8 see
/// the same image.
pub fn float_input(codes: &[Vec<i8>], shape: TensorShape, device: &Device) -> Tensor<4> {
    let (h, w, c) = (shape.height as usize, shape.width as usize, shape.channels as usize);
    let mut values = Vec::with_capacity(codes.len() * h * w * c);
    for image in codes {
        for ch in 0..c {
            values.extend((0..h * w).map(|p| image[p * c + ch] as f32 * INPUT_SCALE));
        }
    }
    Tensor::from_data(TensorData::new(values, [codes.len(), c, h, w]), device)
}

/// `n` indices spread evenly over `len` items.
fn spread(len: usize, n: usize) -> Vec<usize> {
    let n = n.min(len);
    (0..n).map(|k| k * len / n).collect()
}

/// Quantizes `net` into a model named `name`, calibrated on `calibration`
/// (A images) and checked on `check` (held-out A images).
pub fn export_translator(net: &UNet, name: &str, calibration: &ImageSet, check: &ImageSet, device: &Device) -> Result<ExportReport> {
    let net = net.valid();
    let shape = TensorShape {
        height: u16::try_from(calibration.height)?,
        width: u16::try_from(calibration.width)?,
        channels: u16::try_from(calibration.channels)?,
    };
    if calibration.is_empty() || check.is_empty() {
        bail!("export needs training and held-out input images");
    }
    let layers = fold_unet(&net, shape)?;
    let image = layers.last().expect("a U-Net has layers").output;
    let codes: Vec<Vec<i8>> = spread(calibration.len(), CALIBRATION_IMAGES).into_iter().map(|i| input_codes(calibration, i)).collect();
    let ranges: Vec<(f32, f32)> = net
        .forward_stages(float_input(&codes, shape, device))
        .into_iter()
        .map(value_range)
        .collect();
    let quantized = quantize_layers_from(&layers, &ranges, (INPUT_SCALE, 0))?;
    let header = Header {
        name,
        latent_dim: 0,
        classes: 0,
        latent_frac_bits: LATENT_FRAC_BITS,
        image,
        layer_count: 0,
        input_image: Some(ImageInput { shape, scale: INPUT_SCALE, zero_point: 0 }),
    };
    let views: Vec<_> = quantized.iter().map(QuantizedLayer::layer).collect();
    let mut bytes = vec![0u8; format::encoded_len_bound(&header, &views)];
    let len = format::encode(&header, &views, &mut bytes).map_err(|e| anyhow!("{e}"))?;
    bytes.truncate(len);
    let model = Model::parse(&bytes).map_err(|e| anyhow!("the exporter wrote an invalid translator (a bug): {e}"))?;
    let psnr_db = int8_vs_float(&model, &net, check, device)?;
    Ok(ExportReport { parameters: model.parameters(), macs: model.macs(), scratch: model.scratch_len(), psnr_db, bytes })
}

/// PSNR (dB, 8-bit pixels) of the int8 translator against the float one
/// on [`CHECK_IMAGES`] of `check`.
pub fn int8_vs_float(model: &Model<'_>, net: &UNet, check: &ImageSet, device: &Device) -> Result<f64> {
    let shape = model.header().input_image.ok_or_else(|| anyhow!("the model is not a translator"))?.shape;
    let codes: Vec<Vec<i8>> = spread(check.len(), CHECK_IMAGES).into_iter().map(|i| input_codes(check, i)).collect();
    let float = net.forward(float_input(&codes, shape, device));
    let [_, c, h, w] = float.dims();
    let float = float.into_data().try_to_vec::<f32>().map_err(|e| anyhow!("{e:?}"))?;
    let mut scratch = vec![0i8; model.scratch_len()];
    let mut sq = 0f64;
    for (k, input) in codes.iter().enumerate() {
        let out = pocketgan_shared::translate(model, input, &mut scratch).map_err(|e| anyhow!("{e}"))?;
        for ch in 0..c {
            for p in 0..h * w {
                let f = (float[(k * c + ch) * h * w + p].clamp(-1.0, 1.0) as f64 + 1.0) * 127.5;
                let d = f - code_to_u8(out[p * c + ch]) as f64;
                sq += d * d;
            }
        }
    }
    let mse = sq / (codes.len() * c * h * w) as f64;
    Ok(if mse == 0.0 { f64::INFINITY } else { 10.0 * (255.0f64 * 255.0 / mse).log10() })
}
