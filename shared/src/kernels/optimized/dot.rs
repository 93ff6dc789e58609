//! The inner loops: dot products of packed int16 weights with staged int16
//! inputs, for a block of four output channels or for one.
//!
//! Each is given a list of [`Chunk`]s (one per kernel tap that reaches the
//! output pixel) and the number of [`LANES`]-wide steps in every chunk. On a
//! core with the DSP extension the hand-written `SMLAD` loops in
//! [`super::smlad`] run instead; these portable loops are their
//! specification and the path on every other core (the host, Cortex-M0+).

use super::chunk::Chunk;
use crate::format::packed::{BLOCK, LANES};

/// Adds the block's four dot products over `chunks` to `sums`. Each chunk
/// reads `steps · LANES` inputs from `x` and `steps · LANES · BLOCK` weights
/// from `w` (the block's weights), which must be in bounds.
#[inline]
pub fn dot_block(sums: &mut [i32; BLOCK], chunks: &[Chunk], x: &[i16], w: &[i16], steps: usize) {
    #[cfg(all(target_arch = "arm", target_feature = "dsp"))]
    if !chunks.is_empty() && (1..=super::chunk::MAX_STEPS).contains(&steps) {
        // SAFETY: the caller keeps every chunk in bounds (the driver builds
        // them from validated shapes), `x` and `w` are 4-byte aligned (the
        // staging buffer is `u32`s, `PackedWeights::as_i16` checks the
        // weights, and offsets are multiples of LANES), and `steps` is in
        // the unrolled range (checked just above).
        unsafe { super::smlad::dot_block(sums, chunks.as_ptr(), chunks.len(), x.as_ptr(), w.as_ptr(), steps) };
        return;
    }
    let [mut s0, mut s1, mut s2, mut s3] = *sums;
    for c in chunks {
        let xs = &x[c.x as usize..][..steps * LANES];
        let ws = &w[c.w as usize..][..steps * LANES * BLOCK];
        for (xg, wg) in xs.chunks_exact(LANES).zip(ws.chunks_exact(LANES * BLOCK)) {
            for j in 0..LANES {
                let xv = xg[j] as i32;
                s0 = s0.wrapping_add(wg[j] as i32 * xv);
                s1 = s1.wrapping_add(wg[LANES + j] as i32 * xv);
                s2 = s2.wrapping_add(wg[2 * LANES + j] as i32 * xv);
                s3 = s3.wrapping_add(wg[3 * LANES + j] as i32 * xv);
            }
        }
    }
    *sums = [s0, s1, s2, s3];
}

/// `sum` plus one channel's dot product over `chunks` (weights `w` are the
/// channel's own block of one).
#[inline]
pub fn dot_one(sum: i32, chunks: &[Chunk], x: &[i16], w: &[i16], steps: usize) -> i32 {
    #[cfg(all(target_arch = "arm", target_feature = "dsp"))]
    if !chunks.is_empty() && (1..=super::chunk::MAX_STEPS).contains(&steps) {
        let mut sums = [sum];
        // SAFETY: as in `dot_block`.
        unsafe { super::smlad::dot_one(&mut sums, chunks.as_ptr(), chunks.len(), x.as_ptr(), w.as_ptr(), steps) };
        return sums[0];
    }
    let mut s = sum;
    for c in chunks {
        let xs = &x[c.x as usize..][..steps * LANES];
        let ws = &w[c.w as usize..][..steps * LANES];
        for (&xi, &wi) in xs.iter().zip(ws) {
            s = s.wrapping_add(wi as i32 * xi as i32);
        }
    }
    s
}
