//! Fixed-point layer kernels.
//!
//! [`reference`](mod@reference) holds the plain kernels: one output element at a time,
//! written to be obviously right. They are the correctness baseline every
//! faster kernel must equal bit for bit.
//!
//! All kernels share the output stage in [`OutputStage`]: add the bias,
//! apply a leaky slope, requantize, add the zero point, clamp (which is
//! where ReLU happens), or look up `tanh`.

pub mod optimized;
pub mod reference;
#[cfg(test)]
mod test_cases;

use crate::format::{Activation, I32Array, Layer, PackedWeights, Packing};
use crate::quant::{mul_q15, requantize};

/// Fractional bits of the codes a `Tanh` layer requantizes to before the
/// table lookup: scale 2⁻⁵ covers ±3.97, beyond which `tanh` is within
/// 0.07 % of ±1.
pub const TANH_INPUT_FRAC_BITS: u8 = 5;

/// Real value of one step of the generator's output codes (`tanh` output):
/// codes `-127..=127` stand for `-1.0..=1.0`.
pub const OUTPUT_CODE_MAX: i32 = 127;

/// `round(127 · tanh(i / 32))` for `i` in `-128..=127`, indexed by `i + 128`.
///
/// A committed table rather than a computed one, so host and board cannot
/// disagree through different `tanh` implementations; a test recomputes it.
pub static TANH_TABLE: [i8; 256] = [
    -127, -127, -127, -127, -127, -127, -127, -127, -127, -127, -127, -127, -127, -127, -127, -127,
    -127, -127, -127, -127, -127, -127, -127, -127, -127, -127, -127, -127, -127, -126, -126, -126,
    -126, -126, -126, -126, -126, -126, -126, -126, -126, -126, -126, -126, -126, -126, -125, -125,
    -125, -125, -125, -125, -125, -125, -125, -124, -124, -124, -124, -124, -123, -123, -123, -123,
    -122, -122, -122, -122, -121, -121, -120, -120, -120, -119, -119, -118, -118, -117, -116, -116,
    -115, -114, -113, -113, -112, -111, -110, -109, -108, -107, -105, -104, -103, -101, -100, -98,
    -97, -95, -93, -91, -89, -87, -85, -83, -81, -78, -76, -73, -70, -68, -65, -62,
    -59, -56, -52, -49, -46, -42, -38, -35, -31, -27, -24, -20, -16, -12, -8, -4,
    0, 4, 8, 12, 16, 20, 24, 27, 31, 35, 38, 42, 46, 49, 52, 56,
    59, 62, 65, 68, 70, 73, 76, 78, 81, 83, 85, 87, 89, 91, 93, 95,
    97, 98, 100, 101, 103, 104, 105, 107, 108, 109, 110, 111, 112, 113, 113, 114,
    115, 116, 116, 117, 118, 118, 119, 119, 120, 120, 120, 121, 121, 122, 122, 122,
    122, 123, 123, 123, 123, 124, 124, 124, 124, 124, 125, 125, 125, 125, 125, 125,
    125, 125, 125, 126, 126, 126, 126, 126, 126, 126, 126, 126, 126, 126, 126, 126,
    126, 126, 126, 126, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127,
    127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127,
];

/// The per-channel tail of every kernel: bias, activation, requantization.
#[derive(Debug, Clone, Copy)]
pub struct OutputStage<'a> {
    bias: I32Array<'a>,
    multiplier: I32Array<'a>,
    shift: &'a [i8],
    zero_point: i32,
    activation: Activation,
}

impl<'a> OutputStage<'a> {
    /// The output stage of `layer`.
    pub fn of(layer: &Layer<'a>) -> Self {
        OutputStage {
            bias: layer.bias,
            multiplier: layer.multiplier,
            shift: layer.shift.as_slice(),
            zero_point: layer.output_zero_point as i32,
            activation: layer.activation,
        }
    }

    /// Turns the dot product `sum` of output channel `channel` into an
    /// output code.
    #[inline]
    pub fn finish(&self, channel: usize, sum: i32) -> i8 {
        let mut acc = sum.wrapping_add(self.bias.get(channel));
        if let Activation::LeakyRelu { negative_slope_q15 } = self.activation
            && acc < 0 {
                acc = mul_q15(acc, negative_slope_q15);
            }
        let scaled = requantize(acc, self.multiplier.get(channel), self.shift[channel]);
        match self.activation {
            Activation::Tanh => TANH_TABLE[(scaled.clamp(-128, 127) + 128) as usize],
            Activation::Relu => {
                scaled.saturating_add(self.zero_point).clamp(self.zero_point, 127) as i8
            }
            Activation::Identity | Activation::LeakyRelu { .. } => {
                scaled.saturating_add(self.zero_point).clamp(-128, 127) as i8
            }
        }
    }
}

/// A layer's weights read by `(output channel, tap, input)`, wherever the
/// packing put them: the reference kernels' view.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Weights<'a> {
    packed: PackedWeights<'a>,
    packing: Packing,
}

impl<'a> Weights<'a> {
    /// The weights of a validated layer.
    pub(crate) fn of(layer: &Layer<'a>) -> Self {
        let packing = layer.packing().unwrap_or(Packing { channels: 0, taps: 0, depth: 0 });
        Weights { packed: layer.weights, packing }
    }

    /// Weight of output channel `o`, kernel tap `t` (`ky · kw + kx`), input `i`.
    #[inline]
    pub(crate) fn get(&self, o: usize, t: usize, i: usize) -> i32 {
        self.packed.get(self.packing.index(o, t, i)) as i32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tanh_table_matches_tanh() {
        for i in -128i32..=127 {
            let expected = (127.0 * libm::tanh(i as f64 / 32.0)).round() as i32;
            assert_eq!(TANH_TABLE[(i + 128) as usize] as i32, expected, "entry {i}");
        }
    }
}
