//! The inner loops: dot products of int8 weights with zero-point-shifted
//! int8 inputs, for four output channels at once or for one.

/// Output channels accumulated together.
pub const BLOCK: usize = 4;

/// Adds `Σ_c w[k][c] · (x[c] − zp)` to `sums[k]` for the four weight rows
/// `w` (each at least `x.len()` long).
#[inline(always)]
pub fn accumulate_block(w: [&[i8]; BLOCK], x: &[i8], zp: i32, sums: &mut [i32; BLOCK]) {
    let n = x.len();
    let (w0, w1, w2, w3) = (&w[0][..n], &w[1][..n], &w[2][..n], &w[3][..n]);
    let [mut s0, mut s1, mut s2, mut s3] = *sums;
    for c in 0..n {
        let xv = x[c] as i32 - zp;
        s0 = s0.wrapping_add(w0[c] as i32 * xv);
        s1 = s1.wrapping_add(w1[c] as i32 * xv);
        s2 = s2.wrapping_add(w2[c] as i32 * xv);
        s3 = s3.wrapping_add(w3[c] as i32 * xv);
    }
    *sums = [s0, s1, s2, s3];
}

/// `sum + Σ_c w[c] · (x[c] − zp)` for one weight row.
#[inline(always)]
pub fn accumulate_one(w: &[i8], x: &[i8], zp: i32, sum: i32) -> i32 {
    w[..x.len()].iter().zip(x).fold(sum, |s, (&wi, &xi)| s.wrapping_add(wi as i32 * (xi as i32 - zp)))
}
