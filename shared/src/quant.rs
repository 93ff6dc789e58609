//! Integer requantization: scaling an int32 accumulator by a real factor
//! `M = multiplier · 2^(shift − 31)` with integer arithmetic only.
//!
//! The rounding is defined once, here: round half up (towards +∞) on the
//! exact 64-bit product. Every target computes the same bits.

/// `round_half_up(acc · multiplier / 2^(31 − shift))`, saturated to `i32`.
///
/// `multiplier` is in `0..2^31` and `shift` in `-31..=30` (so the right
/// shift is 1..=62); [`crate::Model::parse`] refuses other values. Outside
/// that range the shift is clamped rather than allowed to panic.
#[inline]
pub fn requantize(acc: i32, multiplier: i32, shift: i8) -> i32 {
    let right = (31 - shift as i32).clamp(1, 62) as u32;
    // |acc · multiplier| < 2^62, so adding 2^(right−1) ≤ 2^61 cannot overflow.
    let product = acc as i64 * multiplier as i64;
    if right >= 32 {
        // The usual case (factors below 1/2), in 32-bit arithmetic: with
        // product = high · 2^32 + low, the bits of `low` cannot carry into
        // the result except through the rounding bit when right = 32, and
        // |high| < 2^30, so nothing overflows or needs saturating. The
        // same bits as the general formula (tested below); on a Cortex-M
        // it is a handful of instructions instead of a 64-bit shift.
        let high = (product >> 32) as i32;
        let r = right - 32;
        return if r == 0 { high + ((product as u32) >> 31) as i32 } else { (high + (1 << (r - 1))) >> r };
    }
    let rounded = (product + (1i64 << (right - 1))) >> right;
    rounded.clamp(i32::MIN as i64, i32::MAX as i64) as i32
}

/// Multiplies `value` by a Q15 fraction (`q15 / 32768`), rounding half up.
#[inline]
pub fn mul_q15(value: i32, q15: i16) -> i32 {
    ((value as i64 * q15 as i64 + (1 << 14)) >> 15) as i32
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::vec::Vec;

    #[test]
    fn unit_factor_is_identity() {
        // multiplier 2^30 with shift 1 is exactly 1.0.
        for acc in [-1000, -1, 0, 1, 12345, i32::MAX, i32::MIN] {
            assert_eq!(requantize(acc, 1 << 30, 1), acc);
        }
    }

    #[test]
    fn rounds_half_up() {
        // factor 0.5
        assert_eq!(requantize(3, 1 << 30, 0), 2); // 1.5 -> 2
        assert_eq!(requantize(-3, 1 << 30, 0), -1); // -1.5 -> -1
        assert_eq!(requantize(5, 1 << 30, 0), 3); // 2.5 -> 3
        assert_eq!(requantize(-5, 1 << 30, 0), -2); // -2.5 -> -2
    }

    #[test]
    fn saturates_instead_of_wrapping() {
        // factor 2^30 / 2^1 ... i.e. huge: (2^31-1) * 2^30 / 2^1
        assert_eq!(requantize(i32::MAX, i32::MAX, 30), i32::MAX);
        assert_eq!(requantize(i32::MIN, i32::MAX, 30), i32::MIN);
    }

    /// The 32-bit path equals the 64-bit formula for every shift, on edge
    /// and pseudo-random accumulators and multipliers.
    #[test]
    fn the_32_bit_path_equals_the_64_bit_formula() {
        fn general(acc: i32, multiplier: i32, shift: i8) -> i32 {
            let right = (31 - shift as i32).clamp(1, 62) as u32;
            let rounded = ((acc as i64 * multiplier as i64) + (1i64 << (right - 1))) >> right;
            rounded.clamp(i32::MIN as i64, i32::MAX as i64) as i32
        }
        let mut rng = crate::latent::LatentSampler::new(5);
        let mut accs = [i32::MIN, i32::MIN + 1, -65536, -32769, -32768, -2, -1, 0, 1, 2, 32767, 32768, i32::MAX].into_iter().collect::<Vec<_>>();
        accs.extend((0..2000).map(|_| rng.next_u32() as i32 >> (rng.next_u32() % 31)));
        let mults = [0, 1, 1 << 29, 1 << 30, (1 << 30) + 12345, i32::MAX];
        for shift in -31i8..=30 {
            for &m in &mults {
                for &acc in &accs {
                    assert_eq!(requantize(acc, m, shift), general(acc, m, shift), "acc {acc} m {m} shift {shift}");
                }
            }
        }
    }

    #[test]
    fn q15_multiplication() {
        assert_eq!(mul_q15(-100, 6554), -20); // 0.2 * -100
        assert_eq!(mul_q15(100, 16384), 50);
    }
}
