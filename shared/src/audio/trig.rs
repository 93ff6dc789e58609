//! Sines and cosines as Q15 integers, computed at compile time from an
//! integer Taylor series, so every table is the same bits on every target
//! (and no float is ever evaluated on a board).

/// 1.0 in the series' Q60 fixed point.
const ONE: i128 = 1 << 60;
/// π in Q60 (3.14159265358979323846… × 2^60, rounded).
const PI: i128 = 3_622_009_729_038_561_421;

/// sin(x) for `x` in [0, π/2], both in Q60: the Taylor series to the
/// 29th power, whose remainder there is below 2^-60.
const fn sin_q60(x: i128) -> i128 {
    let x2 = (x * x) >> 60;
    let (mut term, mut sum, mut n) = (x, x, 1i128);
    while n < 29 {
        term = -((term * x2) >> 60) / ((n + 1) * (n + 2));
        sum += term;
        n += 2;
    }
    sum
}

/// sin(2π · k / n) with `frac_bits` fractional bits (at most 62), rounded
/// and kept within ±(2^frac_bits − 1), so 1.0 fits the integer it goes in.
pub const fn sin_turn_bits(k: u32, n: u32, frac_bits: u32) -> i64 {
    let r = (k % n) as i128;
    // The angle in Q60, then folded into [0, π/2].
    let theta = (2 * PI * r + n as i128 / 2) / n as i128;
    let half_pi = PI / 2;
    let s = if theta <= half_pi {
        sin_q60(theta)
    } else if theta <= PI {
        sin_q60(PI - theta)
    } else if theta <= PI + half_pi {
        -sin_q60(theta - PI)
    } else {
        -sin_q60(2 * PI - theta)
    };
    let q = ((s << frac_bits) + ONE / 2) >> 60;
    let most = (1i128 << frac_bits) - 1;
    if q > most {
        most as i64
    } else if q < -most {
        -most as i64
    } else {
        q as i64
    }
}

/// sin(2π · k / n), rounded to Q15 (±32767 at most).
pub const fn sin_turn(k: u32, n: u32) -> i32 {
    sin_turn_bits(k, n, 15) as i32
}

/// cos(2π · k / n) with `frac_bits` fractional bits, as [`sin_turn_bits`].
pub const fn cos_turn_bits(k: u32, n: u32, frac_bits: u32) -> i64 {
    sin_turn_bits(4 * (k % n) + n, 4 * n, frac_bits)
}

/// cos(2π · k / n), rounded to Q15.
pub const fn cos_turn(k: u32, n: u32) -> i32 {
    cos_turn_bits(k, n, 15) as i32
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;

    #[test]
    fn integer_sines_round_like_float64() {
        for n in [4u32, 7, 104, 256, 1024] {
            for k in 0..2 * n {
                let angle = 2.0 * core::f64::consts::PI * k as f64 / n as f64;
                let (s, c) = ((angle.sin() * 32768.0).round().clamp(-32767.0, 32767.0), (angle.cos() * 32768.0).round().clamp(-32767.0, 32767.0));
                assert!((sin_turn(k, n) as f64 - s).abs() <= 1.0 && (cos_turn(k, n) as f64 - c).abs() <= 1.0, "k {k} of {n}");
            }
        }
        assert_eq!((sin_turn(0, 256), sin_turn(64, 256), cos_turn(0, 256), cos_turn(128, 256)), (0, 32767, 32767, -32767));
        for k in 0..256 {
            let angle = 2.0 * core::f64::consts::PI * k as f64 / 256.0;
            let most = (1i64 << 31) - 1;
            let (s, c) = ((angle.sin() * 2f64.powi(31)).round() as i64, (angle.cos() * 2f64.powi(31)).round() as i64);
            assert!((sin_turn_bits(k, 256, 31) - s.clamp(-most, most)).abs() <= 1 && (cos_turn_bits(k, 256, 31) - c.clamp(-most, most)).abs() <= 1, "Q31, k {k}");
        }
    }
}
