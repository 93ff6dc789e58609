//! The power spectrum of one real frame of [`FRAME_LEN`] samples, in
//! 32-bit integers: the even samples as real parts and the odd ones as
//! imaginary parts make a [`HALF`]-point complex FFT (half the butterflies
//! of a real-input FFT of the full length), and a split step takes the
//! real frame's spectrum out of it.
//!
//! Twiddles are Q31, so a product's high word is already the halved term
//! each stage needs (on a Cortex-M4 one `SMMULR` or `SMMLAR`); every stage
//! halves, and the split halves once more, so the spectrum is the DFT
//! divided by [`FRAME_LEN`].

use super::trig::{cos_turn_bits, sin_turn_bits};

/// Real samples per transformed frame (the front end's frame length).
pub const FRAME_LEN: usize = 256;
/// Complex points of the FFT: two real samples each.
pub const HALF: usize = FRAME_LEN / 2;
/// Bins of the real frame's spectrum kept: 0 to the Nyquist bin.
pub const BINS: usize = FRAME_LEN / 2 + 1;
const LOG2_HALF: u32 = HALF.trailing_zeros();
const _: () = assert!(1 << LOG2_HALF == HALF && HALF >= 4);

/// The largest magnitude an input may have (2^28): every value, the
/// complex magnitudes of the butterflies and the split's sums included,
/// then stays below 2^31.
pub const INPUT_BITS: u32 = 28;

/// `cos` and `sin` of `2π k / FRAME_LEN`, Q31: the split uses every `k`
/// below [`HALF`], the FFT's stages every other one.
const TWIDDLES: [(i32, i32); HALF] = {
    let mut t = [(0, 0); HALF];
    let mut k = 0;
    while k < HALF {
        t[k] = (cos_turn_bits(k as u32, FRAME_LEN as u32, 31) as i32, sin_turn_bits(k as u32, FRAME_LEN as u32, 31) as i32);
        k += 1;
    }
    t
};

/// `a · b / 2^32`, rounded half up: the product of a value and a Q31
/// twiddle, halved.
#[inline(always)]
fn half_product(a: i32, b: i32) -> i32 {
    ((a as i64 * b as i64 + (1 << 31)) >> 32) as i32
}

/// Where sample `n` of a frame goes: its slot in the FFT's bit-reversed
/// input, and whether it is the imaginary part (odd samples).
#[inline(always)]
pub fn input_slot(n: usize) -> (usize, bool) {
    (((n as u32 >> 1).reverse_bits() >> (32 - LOG2_HALF)) as usize, n & 1 == 1)
}

/// The power `|X[k]|²` of bins `0..BINS` of the frame whose samples were
/// put into `re`/`im` at their [`input_slot`]s (each below 2^[`INPUT_BITS`]
/// in magnitude); `X` is the DFT divided by [`FRAME_LEN`]. `re` and `im`
/// are used up.
pub fn power_spectrum(re: &mut [i32; HALF], im: &mut [i32; HALF], power: &mut [u64; BINS]) {
    fft_in_place(re, im);
    for k in 0..=HALF / 2 {
        let m = (HALF - k) % HALF;
        let (a, b, c, d) = (re[k], im[k], re[m], im[m]);
        // Z[k] = E[k] + i·O[k], E and O the DFTs of the even and odd
        // samples: E = (Z[k] + conj Z[m]) / 2, O = (Z[k] − conj Z[m]) / 2i.
        // X[k] = (E + T) / 2 and X[HALF − k] = conj(E − T) / 2, with
        // T = e^{−2πik/FRAME_LEN} · O: E is halved twice here, T by its
        // products.
        let (er, ei) = ((a + c) >> 2, (b - d) >> 2);
        let (or, oi) = ((b + d) >> 1, (c - a) >> 1);
        let (cos, sin) = TWIDDLES[k];
        let tr = half_product(cos, or) + half_product(sin, oi);
        let ti = half_product(cos, oi) - half_product(sin, or);
        let square = |x: i32, y: i32| (x as i64 * x as i64 + y as i64 * y as i64) as u64;
        power[k] = square(er + tr, ei + ti);
        power[HALF - k] = square(er - tr, ei - ti);
    }
}

/// A radix-2 decimation-in-time FFT of bit-reversed input, each stage
/// halving, so the output is the DFT divided by [`HALF`].
fn fft_in_place(re: &mut [i32; HALF], im: &mut [i32; HALF]) {
    // The first stage's twiddle is 1: sums and differences only.
    for (r, i) in re.chunks_exact_mut(2).zip(im.chunks_exact_mut(2)) {
        let (ra, rb, ia, ib) = (r[0], r[1], i[0], i[1]);
        r[0] = (ra + rb) >> 1;
        r[1] = (ra - rb) >> 1;
        i[0] = (ia + ib) >> 1;
        i[1] = (ia - ib) >> 1;
    }
    let mut size = 4;
    while size <= HALF {
        let half = size / 2;
        // Twiddle j of this stage is e^{−2πij/size} = TWIDDLES[j·FRAME_LEN/size].
        let step = FRAME_LEN / size;
        // Zipped slices rather than indices: no bounds checks in the
        // butterflies, the front end's inner loop.
        for (re_block, im_block) in re.chunks_exact_mut(size).zip(im.chunks_exact_mut(size)) {
            let (re_a, re_b) = re_block.split_at_mut(half);
            let (im_a, im_b) = im_block.split_at_mut(half);
            let pairs = re_a.iter_mut().zip(re_b.iter_mut()).zip(im_a.iter_mut().zip(im_b.iter_mut()));
            for (((ra, rb), (ia, ib)), &(c, s)) in pairs.zip(TWIDDLES.iter().step_by(step)) {
                // (c − i s)(re + i im), halved: the forward transform's e^{−iθ}.
                let tr = half_product(c, *rb) + half_product(s, *ib);
                let ti = half_product(c, *ib) - half_product(s, *rb);
                let (ar, ai) = (*ra >> 1, *ia >> 1);
                *ra = ar + tr;
                *ia = ai + ti;
                *rb = ar - tr;
                *ib = ai - ti;
            }
        }
        size *= 2;
    }
}

#[cfg(test)]
pub(crate) mod tests {
    extern crate std;
    use super::*;
    use std::vec::Vec;

    /// The float64 DFT of the frame `x`, divided by its length, as the
    /// powers of bins `0..BINS` (the front end's test uses it too).
    pub(crate) fn reference(x: &[f64]) -> Vec<f64> {
        (0..BINS)
            .map(|k| {
                let (mut re, mut im) = (0.0, 0.0);
                for (n, v) in x.iter().enumerate() {
                    let t = 2.0 * core::f64::consts::PI * (k * n) as f64 / FRAME_LEN as f64;
                    re += v * t.cos();
                    im -= v * t.sin();
                }
                (re * re + im * im) / (FRAME_LEN * FRAME_LEN) as f64
            })
            .collect()
    }

    fn spectrum(x: &[i32]) -> [u64; BINS] {
        let (mut re, mut im, mut power) = ([0; HALF], [0; HALF], [0; BINS]);
        for (n, &v) in x.iter().enumerate() {
            let (slot, imaginary) = input_slot(n);
            if imaginary { im[slot] = v } else { re[slot] = v }
        }
        power_spectrum(&mut re, &mut im, &mut power);
        power
    }

    #[test]
    fn every_bin_follows_the_float64_dft() {
        let mut state = 7u64;
        let full = (1i64 << INPUT_BITS) - 1;
        for amplitude in [full, 1 << 20, 1000] {
            for shape in 0..3 {
                let x: Vec<i32> = (0..FRAME_LEN)
                    .map(|n| {
                        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                        let noise = (state >> 33) as i64 % (2 * amplitude + 1) - amplitude;
                        match shape {
                            0 => noise,
                            1 => (amplitude as f64 * (2.0 * core::f64::consts::PI * 37.3 * n as f64 / FRAME_LEN as f64).sin()) as i64,
                            _ => if n % 5 < 2 { amplitude } else { -amplitude },
                        }
                    })
                    .map(|v| v as i32)
                    .collect();
                let want = reference(&x.iter().map(|&v| v as f64).collect::<Vec<_>>());
                let got = spectrum(&x);
                let total: f64 = want.iter().sum();
                for k in 0..BINS {
                    // Magnitudes within a few units of 32-bit rounding per
                    // stage, relative to the frame's loudest bin.
                    let (g, w) = ((got[k] as f64).sqrt(), want[k].sqrt());
                    assert!((g - w).abs() <= 8.0 + 1e-6 * total.sqrt(), "amplitude {amplitude}, shape {shape}, bin {k}: {g} vs {w}");
                }
            }
        }
    }

    #[test]
    fn a_full_scale_frame_does_not_overflow() {
        // All at the limit, alternating: every butterfly at its largest.
        let most = (1 << INPUT_BITS) - 1;
        for x in [[most; FRAME_LEN], core::array::from_fn(|n| if n % 2 == 0 { most } else { -most })] {
            let got = spectrum(&x);
            let want = reference(&x.iter().map(|&v| v as f64).collect::<Vec<_>>());
            let k = if x[1] < 0 { HALF } else { 0 };
            assert!(((got[k] as f64).sqrt() - want[k].sqrt()).abs() < 8.0, "bin {k}: {} vs {}", got[k], want[k]);
        }
    }
}
