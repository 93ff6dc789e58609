//! The inner loops: dot products of packed int16 weights with staged int16
//! inputs, for a run of four-channel blocks or for one channel.
//!
//! Each is given a list of [`Chunk`]s (one per kernel tap that reaches the
//! output pixel) and the number of [`LANES`]-wide steps in every chunk. On a
//! core with the DSP extension the hand-written `SMLAD` loops in
//! [`super::smlad`] run instead, on a Cortex-M0+ the `MULS` loops of
//! [`super::v6m`] (where they apply: at least one chunk, at most
//! [`MAX_STEPS`](super::chunk::MAX_STEPS) steps); these portable loops are
//! their specification and the path everywhere else (the host).

use super::chunk::Chunk;
use super::unpack::weight;
use super::walk::RUN;
use crate::format::packed::{BLOCK, LANES};

/// Adds (or, without `accumulate`, writes), for each block `b` of
/// `sums.len() / BLOCK` consecutive four-channel blocks, the block's four
/// dot products over `chunks` to `sums[BLOCK·b..][..BLOCK]`. Block `b`'s weights start at
/// `w[b · block_values]`; each chunk reads `steps · LANES` inputs from `x`
/// and `steps · LANES · BLOCK` weights from its block, which must be in
/// bounds. `sum_x`, if given, is the sum of all the chunks' inputs (which
/// the Cortex-M0+ loop needs, and otherwise computes).
#[inline]
#[allow(clippy::too_many_arguments)]
pub fn dot_blocks(sums: &mut [i32], accumulate: bool, chunks: &[Chunk], sum_x: Option<i32>, x: &[i16], w: &[i16], block_values: usize, steps: usize) {
    // Only the Cortex-M0+ loop uses the inputs' sum.
    #[cfg(not(all(target_arch = "arm", not(target_feature = "thumb2"))))]
    let _ = sum_x;
    if chunks.is_empty() && !accumulate {
        sums.fill(0);
        return;
    }
    #[cfg(all(target_arch = "arm", target_feature = "dsp"))]
    if super::chunk::fits_unrolled(chunks, steps) && sums.len() >= BLOCK {
        let run = super::chunk::BlockRun::new(sums, accumulate, chunks, x, w, block_values, steps);
        // SAFETY: the caller keeps every chunk in bounds for every block
        // (the driver builds them from validated shapes, and the portable
        // loop below, which the host tests run, indexes the same places
        // with bounds checks); `x` and `w` are 4-byte aligned (both live in
        // the `u32` staging buffer, and every offset is a multiple of
        // LANES); `steps` is in the unrolled range and `sums` holds `blocks`
        // whole blocks (checked above).
        unsafe { super::smlad::dot_blocks(&run) };
        return;
    }
    #[cfg(all(target_arch = "arm", not(target_feature = "thumb2")))]
    if super::chunk::fits_unrolled(chunks, steps) && sums.len() >= BLOCK {
        super::v6m::dot_blocks(sums, accumulate, chunks, sum_x, x, w, block_values, steps);
        return;
    }
    for (b, block_sums) in sums.chunks_exact_mut(BLOCK).enumerate() {
        let [mut s0, mut s1, mut s2, mut s3] = if accumulate { [block_sums[0], block_sums[1], block_sums[2], block_sums[3]] } else { [0; BLOCK] };
        let wb = &w[b * block_values..];
        for c in chunks {
            let xs = &x[c.x as usize..][..steps * LANES];
            let ws = &wb[c.w as usize * BLOCK..][..steps * LANES * BLOCK];
            for (xg, wg) in xs.chunks_exact(LANES).zip(ws.chunks_exact(LANES * BLOCK)) {
                for j in 0..LANES {
                    let xv = xg[j] as i32;
                    s0 = s0.wrapping_add(weight(wg[j]) * xv);
                    s1 = s1.wrapping_add(weight(wg[LANES + j]) * xv);
                    s2 = s2.wrapping_add(weight(wg[2 * LANES + j]) * xv);
                    s3 = s3.wrapping_add(weight(wg[3 * LANES + j]) * xv);
                }
            }
        }
        block_sums.copy_from_slice(&[s0, s1, s2, s3]);
    }
}

/// For each of [`RUN`] output pixels `j` whose inputs start `j · delta`
/// values into `x`, `sums[j]` plus one channel's dot product over `chunks`
/// (the same weights `w` for all four); `sums_x` the pixels' input sums, as
/// for [`dot_blocks`].
#[inline]
#[allow(clippy::too_many_arguments)]
pub fn dot_one_run(sums: &mut [i32; RUN], chunks: &[Chunk], sums_x: Option<[i32; RUN]>, x: &[i16], delta: usize, w: &[i16], steps: usize) {
    #[cfg(all(target_arch = "arm", target_feature = "dsp"))]
    if super::chunk::fits_unrolled(chunks, steps) {
        let run = super::smlad::OneChannelRun {
            chunks: chunks.as_ptr(),
            count: chunks.len() as u32,
            x: x.as_ptr(),
            w: w.as_ptr(),
            steps: steps as u32,
            delta_bytes: (2 * delta) as u32,
            sums: sums.as_mut_ptr(),
        };
        // SAFETY: as in `dot_blocks`; each of the four pixels' chunks is in
        // bounds (they are real output pixels), and the delta is a multiple
        // of LANES values, so every input pointer stays 4-byte aligned.
        unsafe { super::smlad::dot_one_run(&run) };
        return;
    }
    for (j, sum) in sums.iter_mut().enumerate() {
        *sum = dot_one(*sum, chunks, sums_x.map(|s| s[j]), &x[j * delta..], w, steps);
    }
}

/// `sum` plus one channel's dot product over `chunks` (weights `w` are the
/// channel's own block of one); `sum_x` as for [`dot_blocks`].
#[inline]
pub fn dot_one(sum: i32, chunks: &[Chunk], sum_x: Option<i32>, x: &[i16], w: &[i16], steps: usize) -> i32 {
    #[cfg(not(all(target_arch = "arm", not(target_feature = "thumb2"))))]
    let _ = sum_x;
    #[cfg(all(target_arch = "arm", not(target_feature = "thumb2")))]
    if super::chunk::fits_unrolled(chunks, steps) {
        return super::v6m::dot_one(sum, chunks, sum_x, x, w, steps);
    }
    #[cfg(all(target_arch = "arm", target_feature = "dsp"))]
    if super::chunk::fits_unrolled(chunks, steps) {
        let mut sums = [sum];
        // SAFETY: as in `dot_blocks`.
        unsafe { super::smlad::dot_one(&mut sums, chunks.as_ptr(), chunks.len(), x.as_ptr(), w.as_ptr(), steps) };
        return sums[0];
    }
    let mut s = sum;
    for c in chunks {
        let xs = &x[c.x as usize..][..steps * LANES];
        let ws = &w[c.w as usize..][..steps * LANES];
        for (&xi, &wi) in xs.iter().zip(ws) {
            s = s.wrapping_add(weight(wi) * xi as i32);
        }
    }
    s
}
