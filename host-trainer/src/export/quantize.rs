//! Post-training quantization: symmetric per-channel int8 weights,
//! asymmetric per-tensor int8 activations, int32 biases, and integer
//! requantization factors.

use super::fold::FloatLayer;
use anyhow::{Result, bail};
use pocketgan_shared::format::{Activation, AlignmentPadding, I8Array, I32Array, Layer, PackedWeights};
use pocketgan_shared::kernels::{OUTPUT_CODE_MAX, TANH_INPUT_FRAC_BITS};
use pocketgan_shared::latent::LATENT_FRAC_BITS;

/// A quantized layer with owned arrays.
#[derive(Debug, Clone)]
pub struct QuantizedLayer {
    /// Shapes, op and activation.
    pub float: FloatLayer,
    /// Output zero point.
    pub zero_point: i8,
    /// Output scale.
    pub scale: f32,
    /// int8 weights, `[out][tap][in]`.
    pub weights: Vec<i8>,
    /// The same weights widened and packed as the model file stores them
    /// (see `pocketgan_shared::format::packed`).
    pub packed: Vec<u8>,
    /// int32 biases, little-endian.
    pub bias: Vec<u8>,
    /// Multipliers, little-endian.
    pub multiplier: Vec<u8>,
    /// Shifts.
    pub shift: Vec<i8>,
}

impl QuantizedLayer {
    /// The shared format's view of this layer.
    pub fn view(&self) -> Layer<'_> {
        Layer {
            op: self.float.op,
            input: self.float.input,
            output: self.float.output,
            activation: self.float.activation,
            output_zero_point: self.zero_point,
            output_scale: self.scale,
            bias: I32Array::from_le_bytes(&self.bias),
            multiplier: I32Array::from_le_bytes(&self.multiplier),
            shift: I8Array::new(&self.shift),
            // encode() chooses the padding that aligns the weights.
            align: AlignmentPadding::default(),
            weights: PackedWeights::from_le_bytes(&self.packed),
        }
    }

    /// Fills `packed` from `weights`.
    fn pack(mut self) -> Result<Self> {
        let Some(p) = self.view().packing().filter(|p| p.channels * p.taps * p.depth == self.weights.len()) else {
            bail!("a {:?} layer's weights do not match its shapes", self.float.op);
        };
        let mut packed = vec![0u8; 2 * p.values().unwrap_or(0)];
        p.pack(|o, t, i| self.weights[(o * p.taps + t) * p.depth + i], &mut packed);
        self.packed = packed;
        Ok(self)
    }
}

/// Splits a positive real factor into `(multiplier, shift)` with
/// `factor ≈ multiplier · 2^(shift − 31)`, `multiplier` in `2^30..2^31`
/// (fewer bits for factors below 2^-32, which round towards 0).
pub fn quantize_multiplier(factor: f64) -> Result<(i32, i8)> {
    if !(factor.is_finite() && factor >= 0.0) {
        bail!("requantization factor {factor} is not a finite non-negative number");
    }
    if factor == 0.0 {
        return Ok((0, 0));
    }
    // factor = frac · 2^exp with frac in [0.5, 1).
    let mut exp = factor.log2().floor() as i32 + 1;
    let mut frac = factor / 2f64.powi(exp);
    while frac >= 1.0 {
        frac /= 2.0;
        exp += 1;
    }
    while frac < 0.5 {
        frac *= 2.0;
        exp -= 1;
    }
    let mut mult = (frac * 2f64.powi(31)).round() as i64;
    if mult == 1 << 31 {
        mult /= 2;
        exp += 1;
    }
    if exp > 30 {
        bail!("requantization factor {factor} is too large (activations out of range: is the model diverged?)");
    }
    if exp < -31 {
        // Keep shift at -31 and let the multiplier lose bits.
        let m = (factor * 2f64.powi(62)).round() as i64;
        return Ok((m as i32, -31));
    }
    Ok((mult as i32, exp as i8))
}

/// Quantizes `layers` given each layer's output range `(min, max)` measured
/// on calibration latents (the last, `tanh`, needs none).
pub fn quantize_layers(layers: &[FloatLayer], ranges: &[(f32, f32)]) -> Result<Vec<QuantizedLayer>> {
    let mut in_scale = 1.0 / (1u32 << LATENT_FRAC_BITS) as f64;
    let mut out = Vec::with_capacity(layers.len());
    for (i, layer) in layers.iter().enumerate() {
        let (target_scale, zero_point, stored_scale) = if layer.activation == Activation::Tanh {
            let pre = 1.0 / (1u32 << TANH_INPUT_FRAC_BITS) as f64;
            (pre, 0i8, 1.0 / OUTPUT_CODE_MAX as f32)
        } else {
            let (lo, hi) = ranges[i];
            let (lo, hi) = (lo.min(0.0) as f64, hi.max(0.0) as f64);
            if !(lo.is_finite() && hi.is_finite()) {
                bail!("layer {i}'s activations are not finite: the generator has diverged");
            }
            let scale = ((hi - lo) / 255.0).max(1e-8);
            let zp = (-128.0 - lo / scale).round().clamp(-128.0, 127.0) as i8;
            (scale, zp, scale as f32)
        };
        let row = layer.row_len();
        let channels = layer.bias.len();
        let mut weights = Vec::with_capacity(layer.weights.len());
        let (mut bias, mut multiplier, mut shift) = (Vec::new(), Vec::new(), Vec::new());
        for c in 0..channels {
            let w = &layer.weights[c * row..(c + 1) * row];
            let max = w.iter().fold(0f32, |m, &x| m.max(x.abs())) as f64;
            let w_scale = if max > 0.0 { max / 127.0 } else { 1.0 };
            weights.extend(w.iter().map(|&x| (x as f64 / w_scale).round().clamp(-127.0, 127.0) as i8));
            let b = (layer.bias[c] as f64 / (in_scale * w_scale)).round().clamp(i32::MIN as f64, i32::MAX as f64) as i32;
            bias.extend_from_slice(&b.to_le_bytes());
            let (m, s) = quantize_multiplier(in_scale * w_scale / target_scale)?;
            multiplier.extend_from_slice(&m.to_le_bytes());
            shift.push(s);
        }
        let packed = Vec::new();
        out.push(QuantizedLayer { float: layer.clone(), zero_point, scale: stored_scale, weights, packed, bias, multiplier, shift }.pack()?);
        in_scale = if layer.activation == Activation::Tanh { stored_scale as f64 } else { target_scale };
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::quantize_multiplier;

    #[test]
    fn multipliers_round_trip() {
        for f in [1e-12, 3.7e-9, 1e-4, 0.001953125, 0.3, 0.5, 0.999999999, 1.0, 3.5, 1000.0] {
            let (m, s) = quantize_multiplier(f).unwrap();
            let back = m as f64 * 2f64.powi(s as i32 - 31);
            assert!((back - f).abs() <= f * 1e-9 + 2f64.powi(-62), "{f} -> {m}, {s} -> {back}");
            assert!((-31..=30).contains(&s) && m >= 0);
        }
        assert!(quantize_multiplier(f64::NAN).is_err());
    }
}
