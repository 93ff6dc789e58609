//! Each integer rule against a plain transcription of what TFLite's C++
//! computes (gemmlowp's fixed-point helpers, `frexp`, and double-precision
//! floating point), on edge cases and many pseudo-random inputs.

extern crate std;
use super::*;
use crate::latent::LatentSampler;
use std::vec::Vec;

/// TFLite's `QuantizeMultiplier`, transcribed with `frexp` and `round`.
fn quantize_multiplier_in_floats(d: f64) -> (i32, i8) {
    if d == 0.0 {
        return (0, 0);
    }
    let (q, mut shift) = libm::frexp(d);
    let mut q_fixed = libm::round(q * (1u64 << 31) as f64) as i64;
    if q_fixed == 1 << 31 {
        q_fixed /= 2;
        shift += 1;
    }
    if shift < -31 {
        return (0, 0);
    }
    (q_fixed as i32, shift as i8)
}

/// gemmlowp, as written in C: the nudge, then truncating division.
fn gemmlowp_high_mul(a: i32, b: i32) -> i32 {
    if a == i32::MIN && b == i32::MIN {
        return i32::MAX;
    }
    let ab = a as i64 * b as i64;
    let nudge = if ab >= 0 { 1i64 << 30 } else { 1 - (1i64 << 30) };
    ((ab + nudge) / (1i64 << 31)) as i32
}

/// Round half away from zero of `x / 2^e`, by exact rational arithmetic.
fn divide_by_pot_exactly(x: i32, e: u32) -> i32 {
    let d = 1i64 << e;
    let (x, neg) = ((x as i64).abs(), x < 0);
    let q = (2 * x + d) / (2 * d);
    (if neg { -q } else { q }) as i32
}

fn random_accumulators(rng: &mut LatentSampler, n: usize) -> Vec<i32> {
    let mut v = [i32::MIN, i32::MIN + 1, -65536, -32769, -32768, -3, -2, -1, 0, 1, 2, 3, 32767, 32768, i32::MAX].to_vec();
    v.extend((0..n).map(|_| rng.next_u32() as i32 >> (rng.next_u32() % 32)));
    v
}

fn random_factor(rng: &mut LatentSampler) -> f64 {
    let mantissa = (rng.next_u32() as u64) << 21 ^ rng.next_u32() as u64;
    let e = (rng.next_u32() % 48) as i32 - 40;
    (1.0 + (mantissa & ((1 << 52) - 1)) as f64 / (1u64 << 52) as f64) * 2f64.powi(e)
}

#[test]
fn quantize_multiplier_is_tflites() {
    let mut rng = LatentSampler::new(11);
    let mut factors = std::vec![0.0, 1.0, 0.5, 0.25, 2f64.powi(-31), 2f64.powi(-32), 2f64.powi(-33), 0.999_999_999_9, 1e-300, 5e-324];
    // Fractions whose 31-bit rounding is exactly a tie, or rounds up to 2^31.
    factors.push((((1u64 << 31) - 1) as f64 + 0.5) / (1u64 << 31) as f64);
    factors.push(1.0 - 2f64.powi(-40));
    factors.extend((0..20_000).map(|_| random_factor(&mut rng)));
    for f in factors {
        let expected = quantize_multiplier_in_floats(f);
        assert_eq!(quantize_multiplier(f), Some(expected), "factor {f:e}");
        let (m, s) = expected;
        assert!(m == 0 || (1 << 30..=i32::MAX).contains(&m), "factor {f:e}: multiplier {m}");
        assert!((-31..=30).contains(&s));
    }
    assert_eq!(quantize_multiplier(f64::NAN), None);
    assert_eq!(quantize_multiplier(-1.0), None);
    assert_eq!(quantize_multiplier(2f64.powi(31)), None);
}

#[test]
fn multiply_by_quantized_multiplier_is_gemmlowps_double_rounding() {
    let mut rng = LatentSampler::new(12);
    let accs = random_accumulators(&mut rng, 1500);
    let mults = [0, 1, 1 << 30, (1 << 30) + 12345, 1_518_500_250, i32::MAX];
    for shift in -31i8..=30 {
        for &m in &mults {
            for &acc in &accs {
                let left = shift.max(0) as u32;
                let expected = divide_by_pot_exactly(gemmlowp_high_mul(acc.wrapping_shl(left), m), (-(shift as i32)).max(0) as u32);
                assert_eq!(multiply_by_quantized_multiplier(acc, m, shift), expected, "acc {acc} m {m} shift {shift}");
            }
        }
    }
    // Double rounding: 0.5 · 3/4 = 0.375 would round to 0, but the first
    // rounding (to 2^-1 units) makes 0.5, and the second rounds away from 0.
    assert_eq!(multiply_by_quantized_multiplier(3, 1 << 30, -1), 1);
    assert_eq!(multiply_by_quantized_multiplier(-3, 1 << 30, -1), -1);
    assert_eq!(multiply_by_quantized_multiplier(i32::MIN, i32::MIN, 0), i32::MAX);
}

/// The formula LiteRT's reference fully connected kernel evaluates.
fn scale_in_doubles(acc: i32, factor: f64) -> i32 {
    // Rust's `as` saturates where C's cast is undefined.
    (acc as f64 * factor).round() as i32
}

#[test]
fn scale_by_factor_equals_the_double_formula() {
    let mut rng = LatentSampler::new(13);
    let accs = random_accumulators(&mut rng, 400);
    let mut factors: Vec<f64> = (0..600).map(|_| random_factor(&mut rng)).collect();
    factors.extend([1.0, 0.5, 0.25, 2f64.powi(-30), 2f64.powi(-60), 1e-200, MAX_FLOAT_FACTOR * (1.0 - 2f64.powi(-52))]);
    for &f in &factors {
        assert!(is_valid_float_factor(f));
        for &acc in &accs {
            assert_eq!(scale_by_factor(acc, f.to_bits()), scale_in_doubles(acc, f), "acc {acc} factor {f:e}");
        }
    }
}

/// Products that land exactly on, or one double rounding away from, a half:
/// where the double multiply's own rounding decides the result.
#[test]
fn scale_by_factor_rounds_ties_like_the_double_multiply() {
    let mut rng = LatentSampler::new(14);
    let (mut checked, mut decided_by_the_double_rounding) = (0, 0);
    for _ in 0..20_000 {
        // acc · factor ≈ n + 1/2 within a few ulps.
        let acc = (rng.next_u32() >> (1 + rng.next_u32() % 30)) as i32 | 1;
        let n = (rng.next_u32() % 300) as f64;
        let target = n + 0.5;
        let base = target / acc as f64;
        for ulps in -3i64..=3 {
            let f = f64::from_bits((base.to_bits() as i64 + ulps) as u64);
            if !is_valid_float_factor(f) {
                continue;
            }
            for a in [acc, -acc] {
                assert_eq!(scale_by_factor(a, f.to_bits()), scale_in_doubles(a, f), "acc {a} factor {f:e}");
                checked += 1;
                // The exact product rounded once, without the double's rounding.
                let (m, e) = (f.to_bits() & ((1 << 52) - 1) | (1 << 52), 1075 - (f.to_bits() >> 52) as u32);
                let once = ((a.unsigned_abs() as u128 * m as u128 + (1 << (e - 1))) >> e) as i32;
                decided_by_the_double_rounding += (once != scale_in_doubles(a, f).abs()) as u32;
            }
        }
    }
    assert!(checked > 200_000);
    // Cases where rounding the exact product once would have been wrong.
    assert!(decided_by_the_double_rounding > 100, "{decided_by_the_double_rounding}");
}

#[test]
fn the_tanh_tables_rounding_is_cs_round() {
    let mut x = -130.0f32;
    while x <= 130.0 {
        assert_eq!(round_half_away_f32(x), x.round() as i32, "{x}");
        x = if x.abs() < 2.0 { x + 1.0 / 4096.0 } else { x + 0.001 };
    }
    for x in [0.5f32, -0.5, 0.49999997, -0.49999997, 1.5, 2.5, -2.5, 127.5, -127.5, 126.49999] {
        assert_eq!(round_half_away_f32(x), x.round() as i32, "{x}");
    }
}

#[test]
fn tanh_table_covers_the_output_range() {
    let table = tanh_table(1.0 / 16.0, 0, f32::tanh);
    assert_eq!(table[0], -128); // tanh(-8) · 128 = -127.9999
    assert_eq!(table[128], 0);
    assert_eq!(table[255], 127); // saturated: 1/128 cannot say +1
    assert!(table.windows(2).all(|w| w[0] <= w[1]));
}

#[test]
fn the_high_word_by_halves_is_the_64_bit_one() {
    let edges = [0u32, 1, 2, 0xffff, 0x1_0000, 0x7fff_ffff, 0x8000_0000, 0xffff_fffe, 0xffff_ffff];
    let mut rng = crate::latent::LatentSampler::new(77);
    let mut cases: Vec<(u32, u32, u32)> = Vec::new();
    for &a in &edges {
        for &b in &edges {
            for &c in &edges {
                cases.push((a, b, c));
            }
        }
    }
    cases.extend((0..200_000).map(|_| (rng.next_u32(), rng.next_u32(), rng.next_u32())));
    for (a, b, c) in cases {
        let expected = ((a as u64 * b as u64 + c as u64) >> 32) as u32;
        assert_eq!(super::mul_add_high_by_halves(a, b, c), expected, "{a:#x} * {b:#x} + {c:#x}");
        assert_eq!(super::mul_add_high(a, b, c), expected);
    }
}
