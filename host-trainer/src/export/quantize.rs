//! Post-training quantization, TFLite's int8 scheme: symmetric per-channel
//! int8 weights, asymmetric per-tensor int8 activations, int32 biases. The
//! float32 scales chosen here are what the model file (and a `.tflite`)
//! keeps; the requantization and the tanh table are derived from them by
//! `pocketgan_shared::format::owned`.

use super::fold::FloatLayer;
use anyhow::{Result, anyhow, bail};
use pocketgan_shared::format::Activation;
use pocketgan_shared::format::owned::{LayerParts, OwnedLayer};
use pocketgan_shared::latent::LATENT_SCALE;

/// Pre-tanh values past which the int8 `tanh` output (steps of 1/128)
/// saturates: `round(128 · tanh(x))` is 127 from `x ≈ 2.57` and −128 below
/// `x ≈ −3.12`. Codes beyond them would be wasted.
const TANH_INPUT_RANGE: (f64, f64) = (-3.125, 2.57);

/// A quantized layer: its chosen parts and derived arrays.
pub type QuantizedLayer = OwnedLayer;

/// The smallest and largest value of a calibration activation, 0 included
/// (the range [`quantize_layers`] takes for it).
pub fn value_range<const D: usize>(t: burn::tensor::Tensor<D>) -> (f32, f32) {
    let v = t.into_data().try_to_vec::<f32>().expect("f32 activations");
    v.iter().fold((0f32, 0f32), |(lo, hi), &x| (lo.min(x), hi.max(x)))
}

/// Scale and zero point that cover `[lo, hi]` (widened to include 0, as
/// TFLite requires of a zero point) with the 256 int8 codes.
fn activation_quantization(lo: f64, hi: f64) -> (f32, i8) {
    let (lo, hi) = (lo.min(0.0), hi.max(0.0));
    let scale = ((hi - lo) / 255.0).max(1e-8) as f32;
    let zero_point = (-128.0 - lo / scale as f64).round().clamp(-128.0, 127.0) as i8;
    (scale, zero_point)
}

/// Quantizes a generator's `layers` given each layer's output range
/// `(min, max)` measured on calibration latents, after its activation (for
/// the `tanh` layer: of the image, in `(-1, 1)`).
pub fn quantize_layers(layers: &[FloatLayer], ranges: &[(f32, f32)]) -> Result<Vec<QuantizedLayer>> {
    quantize_layers_from(layers, ranges, (LATENT_SCALE, 0))
}

/// Each layer's output range, widened so that outputs joined by a skip
/// connection (the previous layer's and the skipped one's) share one
/// range, and so one scale and zero point: joining is then a copy.
fn tied_ranges(layers: &[FloatLayer], ranges: &[(f32, f32)]) -> Vec<(f64, f64)> {
    let mut group: Vec<usize> = (0..layers.len()).collect();
    fn root(group: &mut [usize], mut i: usize) -> usize {
        while group[i] != i {
            i = group[i];
        }
        i
    }
    for (i, layer) in layers.iter().enumerate() {
        if let (Some(k), Some(previous)) = (layer.skip, i.checked_sub(1)) {
            let (a, b) = (root(&mut group, k), root(&mut group, previous));
            group[a] = b;
        }
    }
    let own = |i: usize| ranges.get(i).map(|&(lo, hi)| (lo as f64, hi as f64)).unwrap_or((-1.0, 1.0));
    let mut widened: Vec<(f64, f64)> = (0..layers.len()).map(own).collect();
    for i in 0..layers.len() {
        let r = root(&mut group, i);
        let (lo, hi) = own(i);
        widened[r] = (widened[r].0.min(lo), widened[r].1.max(hi));
    }
    (0..layers.len()).map(|i| if layers[i].activation == Activation::Tanh { own(i) } else { widened[root(&mut group, i)] }).collect()
}

/// Quantizes `layers` whose input codes have `input` scale and zero point
/// (the latent's, or a translator's input image's), tying the ranges of
/// outputs that skip connections join.
pub fn quantize_layers_from(layers: &[FloatLayer], ranges: &[(f32, f32)], input: (f32, i8)) -> Result<Vec<QuantizedLayer>> {
    let (mut in_scale, mut in_zero_point) = input;
    let ranges = tied_ranges(layers, ranges);
    let mut out = Vec::with_capacity(layers.len());
    for (i, layer) in layers.iter().enumerate() {
        let (lo, hi) = ranges[i];
        if !(lo.is_finite() && hi.is_finite()) {
            bail!("layer {i}'s activations are not finite: the generator has diverged");
        }
        let (output_scale, output_zero_point) = if layer.activation == Activation::Tanh {
            // The table reads pre-tanh codes: the range before the tanh.
            let pre = |v: f64| v.clamp(-0.999_999, 0.999_999).atanh();
            activation_quantization(pre(lo).max(TANH_INPUT_RANGE.0), pre(hi).min(TANH_INPUT_RANGE.1))
        } else {
            activation_quantization(lo, hi)
        };
        let row = layer.row_len();
        let channels = layer.bias.len();
        let mut weights = Vec::with_capacity(layer.weights.len());
        let (mut weight_scales, mut bias) = (Vec::with_capacity(channels), Vec::with_capacity(channels));
        for c in 0..channels {
            let w = &layer.weights[c * row..(c + 1) * row];
            let max = w.iter().fold(0f32, |m, &x| m.max(x.abs()));
            // An all-zero channel keeps the bias's scale of its neighbours'
            // order rather than 1.0, which could make its factor too large.
            let w_scale = if max > 0.0 { max / 127.0 } else { 1e-4 };
            weights.extend(w.iter().map(|&x| (x as f64 / w_scale as f64).round().clamp(-127.0, 127.0) as i8));
            let b = (layer.bias[c] as f64 / (in_scale as f64 * w_scale as f64)).round();
            bias.push(b.clamp(i32::MIN as f64, i32::MAX as f64) as i32);
            weight_scales.push(w_scale);
        }
        let parts = LayerParts {
            op: layer.op,
            input: layer.input,
            output: layer.output,
            skip: layer.skip.map(|k| k as u16),
            activation: layer.activation,
            input_scale: in_scale,
            input_zero_point: in_zero_point,
            output_scale,
            output_zero_point,
            weight_scales,
            weights,
            bias,
        };
        out.push(OwnedLayer::derive(parts, f32::tanh).map_err(|e| anyhow!("layer {i}: {e}"))?);
        (in_scale, in_zero_point) = (output_scale, output_zero_point);
    }
    Ok(out)
}
