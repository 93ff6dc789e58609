//! Fixed-point layer kernels.
//!
//! [`reference`](mod@reference) holds the plain kernels: one output element at a time,
//! written to be obviously right. They are the correctness baseline every
//! faster kernel must equal bit for bit.
//!
//! All kernels share the output stage in [`OutputStage`]: add the bias,
//! requantize with TFLite's rule for the op ([`crate::quant`]), add the zero
//! point, clamp (which is where ReLU happens), and for the last layer look
//! up TFLite's `TANH` table.

pub mod optimized;
pub mod reference;
#[cfg(test)]
mod test_cases;

use crate::format::{Activation, I8Array, I32Array, Layer, PackedWeights, Packing, Requantization};
use crate::quant::{mul_add_high, multiply_by_quantized_multiplier, one_step_rounding, scale_by_factor, scaled_magnitude_fast};

/// The generator's output codes: `tanh` values in steps of 1/128 (TFLite's
/// int8 `TANH` output, zero point 0), so code `c` stands for `c / 128` and
/// `-128..=127` covers `-1.0..=0.992`.
pub const OUTPUT_CODE_SCALE: f32 = 1.0 / 128.0;

/// The per-channel tail of every kernel: bias, requantization, zero point,
/// clamp, and `tanh`.
#[derive(Debug, Clone, Copy)]
pub struct OutputStage<'a> {
    bias: I32Array<'a>,
    requantization: Requantization<'a>,
    zero_point: i32,
    low: i32,
    tanh: Option<I8Array<'a>>,
    /// Every channel's fixed-point multiplier is non-negative with a right
    /// shift of at least 2: [`multiply_by_quantized_multiplier`]'s one-step
    /// case, which a [`ChannelRun`] then computes directly.
    one_step: bool,
}

impl<'a> OutputStage<'a> {
    /// The output stage of `layer`.
    pub fn of(layer: &Layer<'a>) -> Self {
        let zero_point = layer.output_zero_point as i32;
        let one_step = match layer.requantization {
            Requantization::Fixed { multiplier, shift } => {
                (0..multiplier.len()).all(|c| multiplier.get(c) >= 0) && shift.as_slice().iter().all(|&s| s <= -2)
            }
            Requantization::Float { .. } => false,
        };
        OutputStage {
            one_step,
            bias: layer.bias,
            requantization: layer.requantization,
            zero_point,
            // TFLite's fused ReLU: the activation range starts at the zero point.
            low: if layer.activation == Activation::Relu { zero_point } else { -128 },
            tanh: (layer.activation == Activation::Tanh).then_some(layer.tanh_table),
        }
    }

    /// Turns the dot product `sum` of output channel `channel` into an
    /// output code.
    #[inline]
    pub fn finish(&self, channel: usize, sum: i32) -> i8 {
        let acc = sum.wrapping_add(self.bias.get(channel));
        // Where the clamp starts at the zero point (ReLU, or a zero point
        // of -128), a non-positive accumulator scales to a non-positive
        // value (the factor is positive) and so clamps there: skip the
        // requantization. Not before a tanh table, nor with a left shift,
        // which wraps in int32.
        let relu_clamps = self.low == self.zero_point && acc <= 0 && self.tanh.is_none();
        let scaled = match self.requantization {
            Requantization::Fixed { multiplier, shift } => {
                let shift = shift.as_slice()[channel];
                if relu_clamps && shift <= 0 {
                    return self.low as i8;
                }
                multiply_by_quantized_multiplier(acc, multiplier.get(channel), shift)
            }
            Requantization::Float { factor } => {
                if relu_clamps {
                    return self.low as i8;
                }
                scale_by_factor(acc, factor.bits(channel))
            }
        };
        let code = scaled.saturating_add(self.zero_point).clamp(self.low, 127);
        match self.tanh {
            Some(table) => table.as_slice()[(code + 128) as usize],
            None => code as i8,
        }
    }
}

impl<'a> OutputStage<'a> {
    /// The output stage of the channels `first..first + len`, with the
    /// requantization's kind decided and each per-channel array cut to
    /// those channels once, for [`ChannelRun::finish`] to apply to many
    /// pixels.
    pub fn channels(&self, first: usize, len: usize) -> ChannelRun<'a> {
        let cut = |bytes: &'a [u8], size: usize| &bytes[size * first..][..size * len];
        let kind = match self.requantization {
            Requantization::Fixed { multiplier, shift } if self.one_step => {
                RunKind::OneStep { multipliers: cut(multiplier.as_bytes(), 4), shifts: &shift.as_slice()[first..][..len] }
            }
            Requantization::Float { factor } if self.tanh.is_none() => RunKind::Float { factors: cut(factor.as_bytes(), 8) },
            _ => RunKind::General { stage: *self, first },
        };
        ChannelRun {
            bias: cut(self.bias.as_bytes(), 4),
            zero_point: self.zero_point,
            low: self.low,
            relu: self.low == self.zero_point && self.tanh.is_none(),
            tanh: self.tanh.map(|t| t.as_slice()),
            kind,
        }
    }

    /// [`Self::finish`] for the channels `first..first + sums.len()`, into
    /// `out` (as long as `sums`).
    pub fn finish_run(&self, first: usize, sums: &[i32], out: &mut [i8]) {
        self.channels(first, sums.len().min(out.len())).finish(sums, out);
    }
}

/// The output stage of a run of channels ([`OutputStage::channels`]).
#[derive(Debug, Clone, Copy)]
pub struct ChannelRun<'a> {
    bias: &'a [u8],
    zero_point: i32,
    low: i32,
    /// The clamp starts at the zero point and no table follows: a
    /// non-positive accumulator gives `low` (see [`OutputStage::finish`]).
    relu: bool,
    /// The `TANH` table the clamped code indexes, if any.
    tanh: Option<&'a [i8]>,
    kind: RunKind<'a>,
}

#[derive(Debug, Clone, Copy)]
enum RunKind<'a> {
    /// Fixed-point requantization in [`one_step_rounding`]'s range (then
    /// the table, if there is one).
    OneStep { multipliers: &'a [u8], shifts: &'a [i8] },
    /// `Linear`'s double-precision factors.
    Float { factors: &'a [u8] },
    /// Anything else, one channel at a time.
    General { stage: OutputStage<'a>, first: usize },
}

impl ChannelRun<'_> {
    /// The codes of the run's channels for their dot products `sums`, into
    /// `out`: exactly [`OutputStage::finish`]'s, channel by channel.
    #[inline]
    pub fn finish(&self, sums: &[i32], out: &mut [i8]) {
        let (zero_point, low, relu) = (self.zero_point, self.low, self.relu);
        let n = sums.len().min(out.len()).min(self.bias.len() / 4);
        let (sums, out, bias) = (&sums[..n], &mut out[..n], &self.bias[..4 * n]);
        match self.kind {
            RunKind::OneStep { multipliers, shifts } => {
                let (multipliers, shifts) = (&multipliers[..4 * n], &shifts[..n]);
                let scaled = |k: usize, acc: i32| {
                    let right = (-(shifts[k] as i32)) as u32;
                    one_step_rounding(acc, le_i32(multipliers, k), right).saturating_add(zero_point).clamp(low, 127)
                };
                if let Some(table) = self.tanh {
                    for k in 0..n {
                        out[k] = table[(scaled(k, sums[k].wrapping_add(le_i32(bias, k))) + 128) as usize & 255];
                    }
                } else if relu {
                    relu_one_step_codes(sums, bias, multipliers, shifts, zero_point, out);
                } else {
                    for k in 0..n {
                        out[k] = scaled(k, sums[k].wrapping_add(le_i32(bias, k))) as i8;
                    }
                }
            }
            RunKind::Float { factors } if relu => relu_float_codes(sums, bias, &factors[..8 * n], zero_point, out),
            RunKind::Float { factors } => {
                let factors = &factors[..8 * n];
                for k in 0..n {
                    let acc = sums[k].wrapping_add(le_i32(bias, k));
                    out[k] = scale_by_factor(acc, le_u64(factors, k)).saturating_add(zero_point).clamp(low, 127) as i8;
                }
            }
            RunKind::General { stage, first } => {
                for k in 0..n {
                    out[k] = stage.finish(first + k, sums[k]);
                }
            }
        }
    }

    /// [`ChannelRun::finish`] for `pixels` output pixels of `n` channels:
    /// pixel `j`'s sums are `sums[j · n..][..n]`, its codes go to
    /// `out[first + j · stride..][..n]`.
    #[inline]
    pub fn finish_pixels(&self, sums: &[i32], n: usize, pixels: usize, out: &mut [i8], first: usize, stride: usize) {
        for j in 0..pixels {
            self.finish(&sums[j * n..][..n], &mut out[first + j * stride..][..n]);
        }
    }
}

/// The codes of a ReLU layer's channels with one-step fixed-point
/// requantization: the hot loop of the convolutions, kept out of line so
/// that its few values stay in registers.
#[inline(never)]
fn relu_one_step_codes(sums: &[i32], bias: &[u8], multipliers: &[u8], shifts: &[i8], zero_point: i32, out: &mut [i8]) {
    let n = sums.len().min(out.len()).min(shifts.len()).min(bias.len() / 4).min(multipliers.len() / 4);
    for k in 0..n {
        let acc = sums[k].wrapping_add(le_i32(bias, k));
        out[k] = if acc <= 0 {
            zero_point as i8
        } else {
            positive_one_step_code(acc, le_i32(multipliers, k), (-(shifts[k] as i32)) as u32, zero_point)
        };
    }
}

/// The codes of a ReLU `Linear` layer's outputs (double-precision
/// factors), out of line for the same reason.
#[inline(never)]
fn relu_float_codes(sums: &[i32], bias: &[u8], factors: &[u8], zero_point: i32, out: &mut [i8]) {
    let n = sums.len().min(out.len()).min(bias.len() / 4).min(factors.len() / 8);
    for k in 0..n {
        let acc = sums[k].wrapping_add(le_i32(bias, k));
        if acc <= 0 {
            out[k] = zero_point as i8;
            continue;
        }
        let factor = le_u64(factors, k);
        out[k] = match scaled_magnitude_fast(acc as u32, factor) {
            // The scaled value is ≥ 0, so the code is at least the zero
            // point, and from 255 on it is 127 whatever the zero point.
            Some(scaled) => ((scaled.min(255) as i32) + zero_point).min(127) as i8,
            None => scale_by_factor(acc, factor).saturating_add(zero_point).clamp(zero_point, 127) as i8,
        };
    }
}

/// The output code of a positive accumulator `acc` before a ReLU clamp
/// (which starts at `zero_point`): [`one_step_rounding`], then the zero
/// point and the clamp, in fewer steps. With `acc > 0` and a multiplier
/// `≥ 0` the product and its nudge are non-negative; `⌊(h + 2^(r−2)) /
/// 2^(r−1)⌋ = ⌊(⌊h / 2^(r−2)⌋ + 1) / 2⌋` for any integer `h`; the scaled
/// value is at most `2^30`, so adding the zero point cannot saturate, and it
/// is `≥ 0`, so the clamp's lower end cannot bind.
#[inline(always)]
fn positive_one_step_code(acc: i32, multiplier: i32, right: u32, zero_point: i32) -> i8 {
    let high = mul_add_high(acc as u32, multiplier as u32, 1 << 30) as i32;
    let scaled = ((high >> (right - 2)) + 1) >> 1;
    (scaled + zero_point).min(127) as i8
}

/// Little-endian int32 number `k` of `bytes`.
#[inline(always)]
fn le_i32(bytes: &[u8], k: usize) -> i32 {
    let b = &bytes[4 * k..4 * k + 4];
    i32::from_le_bytes([b[0], b[1], b[2], b[3]])
}

/// Little-endian 64-bit number `k` of `bytes` (a float64's bits).
#[inline(always)]
fn le_u64(bytes: &[u8], k: usize) -> u64 {
    le_i32(bytes, 2 * k) as u32 as u64 | (le_i32(bytes, 2 * k + 1) as u32 as u64) << 32
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
    extern crate std;

    use super::*;
    use crate::format::{ConvGeometry, Op, TensorShape};
    use crate::kernels::test_cases::Case;
    use crate::quant::{multiply_by_quantized_multiplier, scale_by_factor};

    /// A run of channels gets exactly the codes of one call per channel.
    #[test]
    fn a_run_of_channels_finishes_as_each_channel_alone() {
        let g = ConvGeometry { kernel: [1, 1], stride: [1, 1], padding: [0, 0], output_padding: [0, 0] };
        let channels = 9u16;
        let shapes = [
            (Op::Linear, TensorShape::vector(3), TensorShape::vector(channels)),
            (Op::Conv2d(g), TensorShape { height: 1, width: 1, channels: 3 }, TensorShape { height: 1, width: 1, channels }),
        ];
        let mut rng = crate::latent::LatentSampler::new(5);
        for (op, input, output) in shapes {
            for (activation, zp) in [(Activation::Relu, -128), (Activation::Relu, 17), (Activation::Identity, 5), (Activation::Tanh, 0)] {
                let case = Case::random(op, input, output, activation, 0, zp, 7);
                let owned = case.owned();
                let layer = owned.layer();
                let stage = OutputStage::of(&layer);
                for _ in 0..200 {
                    let sums: [i32; 9] = core::array::from_fn(|_| (rng.next_u32() as i32) >> (rng.next_u32() % 24));
                    for first in [0usize, 3] {
                        let n = 9 - first;
                        let mut run = [0i8; 9];
                        stage.finish_run(first, &sums[..n], &mut run[..n]);
                        let alone: std::vec::Vec<i8> = (0..n).map(|k| stage.finish(first + k, sums[k])).collect();
                        assert_eq!(&run[..n], &alone[..], "{op:?} {activation:?} zp {zp} first {first}");
                    }
                }
            }
        }
    }

    /// The output stage, shortcut included, equals requantize-then-clamp on
    /// every accumulator sign, for ReLU and for a -128 zero point.
    #[test]
    fn the_relu_shortcut_changes_nothing() {
        let g = ConvGeometry { kernel: [1, 1], stride: [1, 1], padding: [0, 0], output_padding: [0, 0] };
        let shapes = [
            (Op::Linear, TensorShape::vector(3), TensorShape::vector(5)),
            (Op::Conv2d(g), TensorShape { height: 1, width: 1, channels: 3 }, TensorShape { height: 1, width: 1, channels: 5 }),
        ];
        for (op, input, output) in shapes {
            for (activation, zp) in [(Activation::Relu, -128), (Activation::Relu, 17), (Activation::Identity, -128), (Activation::Identity, 5)] {
                let case = Case::random(op, input, output, activation, 0, zp, 99);
                let owned = case.owned();
                let layer = owned.layer();
                let stage = OutputStage::of(&layer);
                let low = if activation == Activation::Relu { zp as i32 } else { -128 };
                for c in 0..5 {
                    for sum in (-300_000..300_000).step_by(997).chain([i32::MIN, -1, 0, 1, i32::MAX]) {
                        let acc = sum.wrapping_add(case.parts.bias[c]);
                        let scaled = match layer.requantization {
                            Requantization::Fixed { multiplier, shift } => multiply_by_quantized_multiplier(acc, multiplier.get(c), shift.as_slice()[c]),
                            Requantization::Float { factor } => scale_by_factor(acc, factor.bits(c)),
                        };
                        let expected = scaled.saturating_add(zp as i32).clamp(low, 127) as i8;
                        assert_eq!(stage.finish(c, sum), expected, "{op:?} {activation:?} zp {zp} channel {c} sum {sum}");
                    }
                }
            }
        }
    }
}
