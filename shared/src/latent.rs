//! The latent sampler: seeded, integer-only, bit-identical on every target.
//!
//! A latent value is an int8 code of scale 2⁻⁵ ([`LATENT_FRAC_BITS`]):
//! codes `-127..=127` stand for `-3.97..=3.97`. The sampler draws codes
//! from the standard normal distribution rounded to that grid (the tails
//! beyond ±3.95σ, 0.008 % of the mass, fold into the end codes) by
//! comparing one 32-bit uniform draw with a committed table of cumulative
//! probabilities. No floating point is involved, so `libm` differences
//! between targets cannot change a sample.
//!
//! The uniform generator is xoshiro128++ (Blackman & Vigna), seeded from a
//! `u32` through SplitMix32-style mixing.

/// Fractional bits of a latent code.
pub const LATENT_FRAC_BITS: u8 = 5;

/// The code for the real value 1.0 (used for one-hot class inputs).
pub const LATENT_ONE: i8 = 1 << LATENT_FRAC_BITS;
/// Real value of one latent code step (2⁻⁵): the scale of the model's
/// input tensor, also in an exported `.tflite` (zero point 0).
pub const LATENT_SCALE: f32 = 1.0 / LATENT_ONE as f32;

/// `round(Φ((c + 0.5) / 32) · 2³²)` for codes `c` in `-127..=126`: a
/// uniform draw below entry `j` (and not below entry `j − 1`) yields code
/// `j − 127`; a draw at or above the last entry yields 127.
static NORMAL_THRESHOLDS: [u32; 254] = [
    165651, 188683, 214719, 244120, 277290, 314674,
    356768, 404118, 457328, 517066, 584066, 659139,
    743175, 837152, 942144, 1059328, 1189990, 1335539,
    1497514, 1677592, 1877601, 2099530, 2345541, 2617982,
    2919396, 3252540, 3620394, 4026180, 4473370, 4965709,
    5507226, 6102253, 6755437, 7471765, 8256572, 9115567,
    10054845, 11080907, 12200676, 13421519, 14751260, 16198199,
    17771127, 19479347, 21332685, 23341506, 25516730, 27869841,
    30412903, 33158566, 36120079, 39311292, 42746665, 46441270,
    50410789, 54671518, 59240354, 64134798, 69372937, 74973434,
    80955511, 87338932, 94143973, 101391402, 109102446, 117298753,
    126002359, 135235641, 145021275, 155382181, 166341470, 177922387,
    190148249, 203042375, 216628019, 230928298, 245966111, 261764063,
    278344379, 295728821, 313938596, 332994273, 352915683, 373721831,
    395430801, 418059660, 441624367, 466139673, 491619034, 518074515,
    545516701, 573954610, 603395609, 633845333, 665307604, 697784365,
    731275607, 765779313, 801291395, 837805651, 875313718, 913805041,
    953266842, 993684104, 1035039559, 1077313684, 1120484711, 1164528638,
    1209419260, 1255128198, 1301624942, 1348876908, 1396849496, 1445506159,
    1494808486, 1544716286, 1595187688, 1646179238, 1697646017, 1749541754,
    1801818950, 1854429013, 1907322386, 1960448693, 2013756880, 2067195362,
    2120712174, 2174255122, 2227771934, 2281210416, 2334518603, 2387644910,
    2440538283, 2493148346, 2545425542, 2597321279, 2648788058, 2699779608,
    2750251010, 2800158810, 2849461137, 2898117800, 2946090388, 2993342354,
    3039839098, 3085548036, 3130438658, 3174482585, 3217653612, 3259927737,
    3301283192, 3341700454, 3381162255, 3419653578, 3457161645, 3493675901,
    3529187983, 3563691689, 3597182931, 3629659692, 3661121963, 3691571687,
    3721012686, 3749450595, 3776892781, 3803348262, 3828827623, 3853342929,
    3876907636, 3899536495, 3921245465, 3942051613, 3961973023, 3981028700,
    3999238475, 4016622917, 4033203233, 4049001185, 4064038998, 4078339277,
    4091924921, 4104819047, 4117044909, 4128625826, 4139585115, 4149946021,
    4159731655, 4168964937, 4177668543, 4185864850, 4193575894, 4200823323,
    4207628364, 4214011785, 4219993862, 4225594359, 4230832498, 4235726942,
    4240295778, 4244556507, 4248526026, 4252220631, 4255656004, 4258847217,
    4261808730, 4264554393, 4267097455, 4269450566, 4271625790, 4273634611,
    4275487949, 4277196169, 4278769097, 4280216036, 4281545777, 4282766620,
    4283886389, 4284912451, 4285851729, 4286710724, 4287495531, 4288211859,
    4288865043, 4289460070, 4290001587, 4290493926, 4290941116, 4291346902,
    4291714756, 4292047900, 4292349314, 4292621755, 4292867766, 4293089695,
    4293289704, 4293469782, 4293631757, 4293777306, 4293907968, 4294025152,
    4294130144, 4294224121, 4294308157, 4294383230, 4294450230, 4294509968,
    4294563178, 4294610528, 4294652622, 4294690006, 4294723176, 4294752577,
    4294778613, 4294801645,
];

/// A seeded source of latent codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LatentSampler {
    state: [u32; 4],
}

impl LatentSampler {
    /// A sampler for `seed`. Different seeds give unrelated streams.
    pub fn new(seed: u32) -> Self {
        let mut x = seed;
        let mut next = || {
            x = x.wrapping_add(0x9E37_79B9);
            let mut z = x;
            z = (z ^ (z >> 16)).wrapping_mul(0x21F0_AAAD);
            z = (z ^ (z >> 15)).wrapping_mul(0x735A_2D97);
            z ^ (z >> 15)
        };
        let mut state = [next(), next(), next(), next()];
        if state == [0; 4] {
            // xoshiro's one forbidden state; unreachable in practice.
            state[0] = 1;
        }
        LatentSampler { state }
    }

    /// The next uniform 32-bit value.
    pub fn next_u32(&mut self) -> u32 {
        let s = &mut self.state;
        let result = s[0].wrapping_add(s[3]).rotate_left(7).wrapping_add(s[0]);
        let t = s[1] << 9;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(11);
        result
    }

    /// The next standard-normal latent code.
    pub fn next_code(&mut self) -> i8 {
        let u = self.next_u32();
        let below = NORMAL_THRESHOLDS.partition_point(|&t| t <= u);
        (below as i32 - 127) as i8
    }

    /// Fills `out` with latent codes.
    pub fn fill(&mut self, out: &mut [i8]) {
        for v in out {
            *v = self.next_code();
        }
    }
}

/// The latent vector for `seed`: what `pocketgan sample --seed` and a board
/// use for the same seed.
pub fn latent_for_seed(seed: u32, out: &mut [i8]) {
    LatentSampler::new(seed).fill(out);
}

/// Interpolates between latents `a` and `b` at `t / 256` (`t` in
/// `0..=256`; larger values are clamped), writing `out`.
///
/// A straight line between two Gaussian latents passes close to the origin,
/// where generators draw washed-out images, so the result is rescaled to the
/// interpolated length of the endpoints (an integer stand-in for spherical
/// interpolation). `a`, `b` and `out` should have equal lengths; extra
/// elements of the longer ones are ignored.
pub fn interpolate(a: &[i8], b: &[i8], t: u16, out: &mut [i8]) {
    let t = t.min(256) as i64;
    let n = a.len().min(b.len()).min(out.len());
    let (mut norm_a, mut norm_b, mut norm_l) = (0u64, 0u64, 0u64);
    for i in 0..n {
        let (x, y) = (a[i] as i64, b[i] as i64);
        let l = (x * (256 - t) + y * t + 128) >> 8;
        out[i] = l as i8;
        norm_a += (x * x) as u64;
        norm_b += (y * y) as u64;
        norm_l += (l * l) as u64;
    }
    let (na, nb, nl) = (isqrt(norm_a) as i64, isqrt(norm_b) as i64, isqrt(norm_l) as i64);
    let target = (na * (256 - t) + nb * t + 128) >> 8;
    if nl == 0 {
        return;
    }
    for v in &mut out[..n] {
        let scaled = div_round(*v as i64 * target, nl);
        *v = scaled.clamp(-127, 127) as i8;
    }
}

/// Integer square root (floor).
fn isqrt(n: u64) -> u64 {
    if n < 2 {
        return n;
    }
    // Newton's method from an upper bound; converges in a few steps.
    let mut x = 1u64 << ((64 - n.leading_zeros()).div_ceil(2));
    loop {
        let y = (x + n / x) / 2;
        if y >= x {
            return x;
        }
        x = y;
    }
}

/// `n / d` rounded half away from zero, for `d > 0`.
fn div_round(n: i64, d: i64) -> i64 {
    if n >= 0 { (n + d / 2) / d } else { -((-n + d / 2) / d) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_match_the_normal_cdf() {
        for (j, &t) in NORMAL_THRESHOLDS.iter().enumerate() {
            let x = (j as f64 - 127.0 + 0.5) / 32.0;
            let p = 0.5 * libm::erfc(-x / core::f64::consts::SQRT_2);
            let expected = (p * 4_294_967_296.0).round();
            assert!((t as f64 - expected).abs() <= 1.0, "entry {j}: {t} vs {expected}");
        }
        assert!(NORMAL_THRESHOLDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn same_seed_same_stream_known_values() {
        let mut a = [0i8; 16];
        let mut b = [0i8; 16];
        latent_for_seed(7, &mut a);
        latent_for_seed(7, &mut b);
        assert_eq!(a, b);
        latent_for_seed(8, &mut b);
        assert_ne!(a, b);
        // Pinned so that any change to the sampler is a deliberate one: it
        // changes every image every board draws for a given seed.
        let mut s = LatentSampler::new(0);
        let first = [s.next_u32(), s.next_u32()];
        assert_eq!(first, PINNED_FIRST_DRAWS);
    }

    // Computed by this implementation when the format was fixed.
    const PINNED_FIRST_DRAWS: [u32; 2] = [1_775_170_212, 2_308_282_432];

    #[test]
    fn codes_are_standard_normal() {
        let mut s = LatentSampler::new(42);
        let n = 200_000;
        let (mut sum, mut sum2, mut within1) = (0f64, 0f64, 0u32);
        for _ in 0..n {
            let x = s.next_code() as f64 / 32.0;
            sum += x;
            sum2 += x * x;
            within1 += (x.abs() <= 1.0) as u32;
        }
        let mean = sum / n as f64;
        let var = sum2 / n as f64 - mean * mean;
        assert!(mean.abs() < 0.01, "mean {mean}");
        assert!((var - 1.0).abs() < 0.02, "variance {var}");
        let frac = within1 as f64 / n as f64; // P(|Z| <= 1 + 1/64) ≈ 0.6875
        assert!((frac - 0.6875).abs() < 0.01, "within one sigma {frac}");
    }

    #[test]
    fn interpolation_endpoints_and_norm() {
        let mut a = [0i8; 64];
        let mut b = [0i8; 64];
        latent_for_seed(1, &mut a);
        latent_for_seed(2, &mut b);
        let mut out = [0i8; 64];
        interpolate(&a, &b, 0, &mut out);
        assert_eq!(out, a);
        interpolate(&a, &b, 256, &mut out);
        assert_eq!(out, b);
        interpolate(&a, &b, 128, &mut out);
        let norm = |v: &[i8]| libm::sqrt(v.iter().map(|&x| (x as f64).powi(2)).sum::<f64>());
        let expected = (norm(&a) + norm(&b)) / 2.0;
        assert!((norm(&out) - expected).abs() < 0.02 * expected, "{} vs {expected}", norm(&out));
    }

    #[test]
    fn isqrt_is_floor_sqrt() {
        for n in (0..100_000u64).chain([u32::MAX as u64, u64::MAX / 3]) {
            let r = isqrt(n);
            assert!(r * r <= n && (r + 1).checked_mul(r + 1).is_none_or(|s| s > n), "{n}");
        }
    }
}
