//! Integer requantization exactly as TensorFlow Lite's int8 reference
//! kernels do it, so a pocketgan model and its `.tflite` export compute the
//! same bits.
//!
//! The float32 scales of a layer (input, per-channel weight, output) are the
//! source of truth. From them, for output channel `c`, the real factor
//! `f = (s_in · s_w[c]) / s_out` is computed in double precision
//! ([`requantization_factor`]), and then:
//!
//! - **convolutions** (TFLite's `CONV_2D`, `TRANSPOSE_CONV`) split `f` into
//!   an int32 multiplier and a power-of-two shift ([`quantize_multiplier`],
//!   TFLite's `QuantizeMultiplier`) and scale with two roundings
//!   ([`multiply_by_quantized_multiplier`]: a saturating rounding doubling
//!   high multiply, then a rounding divide by a power of two);
//! - **fully connected** layers scale the accumulator by `f` itself, in
//!   double precision, rounding half away from zero
//!   ([`scale_by_factor`]). That is what LiteRT's reference
//!   `FULLY_CONNECTED` does since 2025; it is computed here with integers
//!   only, with the double multiply's own rounding reproduced, so every
//!   target gets the same bits without a floating-point unit.
//!
//! `docs/format.md` explains why the two rules differ and what the other
//! TFLite implementations do.

/// The real factor `(s_in · s_w) / s_out` in double precision, evaluated
/// left to right as TFLite's `PopulateConvolutionQuantizationParams` and
/// its fully connected kernel do.
pub fn requantization_factor(input_scale: f32, weight_scale: f32, output_scale: f32) -> f64 {
    input_scale as f64 * weight_scale as f64 / output_scale as f64
}

/// TFLite's `QuantizeMultiplier`: `factor ≈ multiplier · 2^(shift − 31)`
/// with `multiplier` in `2^30..2^31`, found with `frexp` and rounding the
/// fraction's 31 bits half away from zero. Factors below `2^-32` give
/// `(0, 0)`, as TFLite flushes them. `None` for a factor that is not finite
/// and non-negative, or one of `2^31` or more (the shift would not fit).
pub fn quantize_multiplier(factor: f64) -> Option<(i32, i8)> {
    if !(factor.is_finite() && factor >= 0.0) {
        return None;
    }
    if factor == 0.0 {
        return Some((0, 0));
    }
    let (mantissa, exponent) = frexp_bits(factor);
    // q · 2^31 with q = mantissa / 2^53 in [0.5, 1): mantissa / 2^22,
    // rounded half away from zero (it is positive, so half up).
    let mut q = (mantissa + (1 << 21)) >> 22;
    let mut shift = exponent;
    if q == 1 << 31 {
        q /= 2;
        shift += 1;
    }
    if shift < -31 {
        return Some((0, 0));
    }
    if shift > 30 {
        return None;
    }
    Some((q as i32, shift as i8))
}

/// `factor = mantissa / 2^53 · 2^exponent` with `mantissa` in
/// `2^52..2^53`: `frexp` on the bits, subnormals normalized.
fn frexp_bits(factor: f64) -> (u64, i32) {
    let bits = factor.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1 << 52) - 1);
    if biased == 0 {
        // Subnormal: value = fraction · 2^-1074.
        let lead = fraction.leading_zeros() as i32 - 11;
        return (fraction << lead, -1074 + 53 - lead);
    }
    (fraction | (1 << 52), biased - 1022)
}

/// TFLite's `MultiplyByQuantizedMultiplier` (double rounding, the variant
/// its reference kernels are built with): `x · 2^max(shift, 0)` in
/// wrapping int32, then gemmlowp's `SaturatingRoundingDoublingHighMul`
/// with `multiplier` (round half up of `x · m / 2^31`), then
/// `RoundingDivideByPOT` by `max(−shift, 0)` (round half away from zero).
///
/// `shift` must be in `-31..=30` ([`crate::Model::parse`] checks).
#[inline]
pub fn multiply_by_quantized_multiplier(x: i32, multiplier: i32, shift: i8) -> i32 {
    if multiplier >= 0 && shift <= -2 {
        // The layers' usual case (factors below 1/4), in one rounding
        // step on the 64-bit product, with the same result: see
        // [`one_step_rounding`].
        return one_step_rounding(x, multiplier, (-(shift as i32)) as u32);
    }
    let left = shift.max(0) as u32;
    let right = (-(shift as i32)).clamp(0, 31) as u32;
    let x = x.wrapping_shl(left);
    let high = saturating_rounding_doubling_high_mul(x, multiplier);
    rounding_divide_by_pot(high, right)
}

/// Both of TFLite's roundings at once, for `multiplier ≥ 0` (so the high
/// multiply never saturates) and a right shift `right` in `2..=31`.
///
/// With `P = x · m`, the high multiply gives `h = ⌊(P + 2^30) / 2^31⌋` and
/// the divide `⌊(h + 2^(r−1) − [h < 0]) / 2^r⌋`; nested floors of integer
/// divisions merge, so the result is `⌊(P + 2^30 − [h < 0] · 2^31 + 2^(30+r)) / 2^(31+r)⌋`.
/// `[h < 0]` may be replaced by `[P < 0]`: they differ only for
/// `P ∈ [−2^30, 0)`, where both give 0. And `[P < 0]` by `[x < 0]`, as
/// `m ≥ 0`: they differ only for `m = 0`, where both give 0; the sign is
/// then known before the multiply, so on a Cortex-M this is one `SMLAL`
/// onto the nudge, an add and a shift of the high word.
#[inline]
pub fn one_step_rounding(x: i32, multiplier: i32, right: u32) -> i32 {
    let nudge = if x < 0 { -(1i64 << 30) } else { 1 << 30 };
    let high = ((x as i64 * multiplier as i64 + nudge) >> 32) as i32;
    (high + (1 << (right - 2))) >> (right - 1)
}

/// gemmlowp's `SaturatingRoundingDoublingHighMul`: `round_half_up(a · b / 2^31)`,
/// with the one overflowing case (`a = b = i32::MIN`) saturated.
#[inline]
fn saturating_rounding_doubling_high_mul(a: i32, b: i32) -> i32 {
    if a == i32::MIN && b == i32::MIN {
        return i32::MAX;
    }
    // floor((a·b + 2^30) / 2^31): gemmlowp's nudge-and-truncate, which
    // rounds halves up for either sign. |a·b| ≤ 2^62, so nothing overflows.
    ((a as i64 * b as i64 + (1 << 30)) >> 31) as i32
}

/// gemmlowp's `RoundingDivideByPOT`: `x / 2^exponent` rounded half away
/// from zero, `exponent` in `0..=31`.
#[inline]
fn rounding_divide_by_pot(x: i32, exponent: u32) -> i32 {
    let mask = ((1i64 << exponent) - 1) as i32;
    let remainder = x & mask;
    let threshold = (mask >> 1) + (x < 0) as i32;
    (x >> exponent) + (remainder > threshold) as i32
}

/// Most a fully connected factor may be: below it the integer path of
/// [`scale_by_factor`] is exact (its shift stays above 32 bits).
pub const MAX_FLOAT_FACTOR: f64 = 1048576.0; // 2^20

/// LiteRT's reference fully connected requantization,
/// `(int32) round((double) acc · factor)` (round half away from zero), for a
/// factor that is positive, normal and below [`MAX_FLOAT_FACTOR`]
/// ([`crate::Model::parse`] checks), saturated where the C cast would be
/// undefined.
///
/// Computed with integers: the exact product `|acc| · mantissa` (at most 84
/// bits) is rounded to 53 significant bits, to nearest with ties to even,
/// as the double multiply rounds it, and that value is rounded to an
/// integer. The result equals the floating-point formula for every input
/// (tested against it); no floating point is used, so a board without an
/// FPU computes it in about twenty instructions.
#[inline]
pub fn scale_by_factor(acc: i32, factor_bits: u64) -> i32 {
    let magnitude = acc.unsigned_abs();
    let rounded = match scaled_magnitude_fast(magnitude, factor_bits) {
        Some(rounded) => rounded as u64,
        None => {
            let k = mantissa_shift(factor_bits);
            if k >= 86 {
                // The product is below 2^84: even rounded up, plus 1/2, it is below 1.
                0
            } else {
                exact_scale(magnitude as u64, mantissa_of(factor_bits), k)
            }
        }
    };
    let rounded = rounded.min(i32::MAX as u64 + 1) as i64;
    (if acc < 0 { -rounded } else { rounded }).clamp(i32::MIN as i64, i32::MAX as i64) as i32
}

/// [`scale_by_factor`]'s usual case: `round_half_up(|acc| · factor)` for a
/// factor in [2^-32, 1/2), or `None` where the 53-bit rounding of the
/// product could decide the result (and for other factors).
///
/// One 32 × 32-bit multiply by the mantissa's top 32 bits: the dropped 21
/// bits, and the double multiply's own rounding of the product to 53 bits,
/// can only raise the exact value, by less than 2^32 in units of 2^-(k−21);
/// so unless the product's low e + 32 bits are within that of a carry, the
/// high word alone decides the result.
#[inline(always)]
pub fn scaled_magnitude_fast(magnitude: u32, factor_bits: u64) -> Option<u32> {
    let e = mantissa_shift(factor_bits).wrapping_sub(53);
    if !(1..=31).contains(&e) {
        return None;
    }
    let top = (factor_bits >> 21) as u32 | 1 << 31;
    let half = 1u32 << (e - 1);
    // The high word is below 2^31 + 2^30 (magnitude ≤ 2^31): no overflow.
    let high = mul_add_high(magnitude, top, 0) + half;
    let mask = (half << 1).wrapping_sub(1);
    (high & mask != mask).then_some(high >> e)
}

/// `k` with factor = mantissa · 2^-k ([`mantissa_of`], 53 bits) for a
/// normal f64; below 2^20, k ≥ 33.
#[inline(always)]
fn mantissa_shift(factor_bits: u64) -> u32 {
    1075 - ((factor_bits >> 52) & 0x7ff) as u32
}

/// The 53-bit mantissa of a normal f64, implicit bit included.
fn mantissa_of(factor_bits: u64) -> u64 {
    (factor_bits & ((1 << 52) - 1)) | (1 << 52)
}

/// `round_half_up(fl53(magnitude · mantissa) / 2^k)` in 128-bit integers:
/// the product rounded to 53 significant bits, ties to even, as the double
/// multiply rounds it. The rare cases [`scale_by_factor`] sends here (and
/// factors outside [2^-32, 1/2)).
#[cold]
fn exact_scale(magnitude: u64, mantissa: u64, k: u32) -> u64 {
    let mut product = magnitude as u128 * mantissa as u128;
    let bits = 128 - product.leading_zeros();
    if bits > 53 {
        let dropped = bits - 53;
        let low = product & ((1 << dropped) - 1);
        let half = 1u128 << (dropped - 1);
        let mut kept = product >> dropped;
        if low > half || (low == half && kept & 1 == 1) {
            kept += 1;
        }
        product = kept << dropped;
    }
    ((product + (1 << (k - 1))) >> k) as u64
}

/// Whether `factor` can be used by [`scale_by_factor`].
pub fn is_valid_float_factor(factor: f64) -> bool {
    factor.is_normal() && factor > 0.0 && factor < MAX_FLOAT_FACTOR
}

/// The 256-entry table of TFLite's int8 `TANH` (reference and default
/// kernels): for each input code `v` (indexed by `v + 128`), dequantize with
/// `s_in · (v − zp_in)` in f32, take `tanh` in f32, divide by the output
/// scale 1/128 (multiply by 128, exact), round half away from zero, and
/// saturate to int8.
///
/// `tanh` is passed in so the host can use the same `tanhf` as LiteRT
/// (the C library's); the board never computes the table, it reads it from
/// the model file.
pub fn tanh_table(input_scale: f32, input_zero_point: i8, tanh: impl Fn(f32) -> f32) -> [i8; 256] {
    let mut table = [0i8; 256];
    for (i, entry) in table.iter_mut().enumerate() {
        let v = i as i32 - 128;
        let real = input_scale * (v - input_zero_point as i32) as f32;
        let scaled = tanh(real) * TANH_OUTPUT_INVERSE_SCALE;
        *entry = round_half_away_f32(scaled).clamp(-128, 127) as i8;
    }
    table
}

/// TFLite's int8 `TANH` output scale is 1/128 (zero point 0): its inverse.
pub const TANH_OUTPUT_INVERSE_SCALE: f32 = 128.0;

/// `std::round` on an f32 (half away from zero), without `std`, as an i32
/// (|x| is at most 128 here, so the conversion is exact).
fn round_half_away_f32(x: f32) -> i32 {
    let magnitude = if x < 0.0 { -x } else { x };
    let r = (magnitude + 0.5) as i32;
    // The f32 sum can round up past the true floor (0.49999997 + 0.5 is
    // 1.0 in f32): floor(m + 1/2) = r exactly when r − 1/2 ≤ m, and
    // r − 1/2 is exact.
    let r = if (r as f32) - 0.5 > magnitude { r - 1 } else { r };
    if x < 0.0 { -r } else { r }
}

/// `⌊(a · b + c) / 2^32⌋`, the high word of a 32 × 32-bit product plus a
/// 32-bit value. One `UMULL`/`UMLAL` on cores that have it; on a Cortex-M0+
/// (none, and LLVM would call the 64-bit multiply of the runtime library)
/// four 16 × 16-bit `MULS` instead ([`mul_add_high_by_halves`]).
#[inline(always)]
pub fn mul_add_high(a: u32, b: u32, c: u32) -> u32 {
    if cfg!(all(target_arch = "arm", not(target_feature = "thumb2"))) {
        mul_add_high_by_halves(a, b, c)
    } else {
        ((a as u64 * b as u64 + c as u64) >> 32) as u32
    }
}

/// [`mul_add_high`] from 16-bit halves: with `a = aₕ·2^16 + aₗ` and
/// `b = bₕ·2^16 + bₗ`, `a·b + c = aₕbₕ·2^32 + (aₕbₗ + aₗbₕ)·2^16 + aₗbₗ + c`;
/// each partial product fits 32 bits, and the carries into the high word
/// are gathered in `s` (below 3 · 2^16) and the add's overflow.
#[inline(always)]
pub fn mul_add_high_by_halves(a: u32, b: u32, c: u32) -> u32 {
    let (ah, al, bh, bl) = (a >> 16, a & 0xffff, b >> 16, b & 0xffff);
    let (low, carry) = (al * bl).overflowing_add(c);
    let (m1, m2) = (ah * bl, al * bh);
    let s = (m1 & 0xffff) + (m2 & 0xffff) + (low >> 16);
    ah * bh + (m1 >> 16) + (m2 >> 16) + (s >> 16) + carry as u32
}

#[cfg(test)]
mod tests;
