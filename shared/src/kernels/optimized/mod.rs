//! Faster kernels with the reference kernels' exact results.
//!
//! What makes them faster:
//! - **Packed int16 weights** ([`crate::format::packed`]): widened and laid
//!   out at export time in the order the inner loop reads them.
//! - **Staged inputs**: before a layer runs, its input codes minus the zero
//!   point are written once as int16 (each pixel's channels padded to a
//!   multiple of [`LANES`] with zeros) into the caller's staging buffer, so
//!   the inner loop neither sign-extends nor subtracts.
//! - **Output-channel blocking**: four channels are accumulated together,
//!   so each staged input is loaded once per four multiply-accumulates.
//! - **Transposed convolutions by phase**: only the taps that reach an
//!   output pixel are visited (`taps.rs`); none is spent on inserted zeros.
//! - **`SMLAD`** on cores with the DSP extension (`smlad.rs`): two
//!   multiply-accumulates per instruction.
//!
//! Integer sums wrap modulo 2³² exactly as the reference's do, and wrapping
//! addition is associative and commutative, so any summation order gives
//! the same bits: the tests check equality, not closeness.

mod chunk;
mod dot;
#[cfg(all(target_arch = "arm", target_feature = "dsp"))]
mod smlad;
mod taps;

pub use chunk::{Chunk, MAX_STEPS};

use crate::format::packed::{BLOCK, LANES};
use crate::format::{Layer, Op, Packing};
use crate::kernels::{OutputStage, reference};
use dot::{dot_block, dot_one};
use taps::AxisTaps;

/// Most chunks (kernel taps × pieces of at most [`MAX_STEPS`] steps) one
/// output pixel may need for the fast path; layers needing more run on the
/// reference kernels.
pub const MAX_CHUNKS: usize = 32;

/// The 4-byte aligned words inside `bytes` (a scratch region sized with the
/// 3 spare bytes of [`crate::format::ScratchPlan::staging`]), to stage
/// inputs in.
pub fn staging_region(bytes: &mut [i8]) -> &mut [u32] {
    // SAFETY: every bit pattern is a valid u32, and `align_to_mut` hands
    // back only the aligned middle.
    let (_, words, _) = unsafe { bytes.align_to_mut::<u32>() };
    words
}

/// Runs one validated layer with the fast kernels, using `staging` (at
/// least [`Layer::staging_words`] long) for the staged input. Falls back to the
/// reference kernel, with the same result, where the fast path does not
/// apply: weights not 4-byte aligned, too little staging, or more than
/// [`MAX_CHUNKS`] chunks per pixel.
pub fn run_layer(layer: &Layer<'_>, input_zero_point: i8, input: &[i8], output: &mut [i8], staging: &mut [u32]) {
    let fallback = |output: &mut [i8]| reference::run_layer(layer, input_zero_point, input, output);
    let (Some(packing), Some(weights)) = (layer.packing(), layer.weights.as_i16()) else {
        return fallback(output);
    };
    let staging = words_as_i16(staging);
    let dp = packing.padded_depth();
    let needed = 2 * layer.staging_words();
    let pieces = (dp / LANES).div_ceil(MAX_STEPS);
    let max_taps = match layer.op {
        Op::Linear => 1,
        Op::Conv2d(g) => g.kernel[0] as usize * g.kernel[1] as usize,
        Op::ConvTranspose2d(g) => {
            (g.kernel[0] as usize).div_ceil(g.stride[0] as usize) * (g.kernel[1] as usize).div_ceil(g.stride[1] as usize)
        }
    };
    if staging.len() < needed || cfg!(target_endian = "big") || max_taps * pieces > MAX_CHUNKS || packing.depth == 0 {
        return fallback(output);
    }
    let x = &mut staging[..needed];
    stage(input, input_zero_point, packing.depth, dp, x);
    let layer_run = LayerRun { packing, weights, x, stage: OutputStage::of(layer), pieces };
    let mut chunks = [Chunk::default(); MAX_CHUNKS];
    match layer.op {
        Op::Linear => layer_run.pixel(&[(0, 0)], output, &mut chunks),
        Op::Conv2d(g) | Op::ConvTranspose2d(g) => {
            let transposed = matches!(layer.op, Op::ConvTranspose2d(_));
            let (oh, ow, oc) = (layer.output.height as usize, layer.output.width as usize, layer.output.channels as usize);
            let mut taps = [(0usize, 0usize); MAX_CHUNKS];
            let (ih, iw) = (layer.input.height, layer.input.width);
            for oy in 0..oh {
                let rows = AxisTaps::of(transposed, oy, g.kernel[0], g.stride[0], g.padding[0], ih);
                for ox in 0..ow {
                    let cols = AxisTaps::of(transposed, ox, g.kernel[1], g.stride[1], g.padding[1], iw);
                    let mut n = 0;
                    taps::for_each_tap(rows, cols, g.kernel[1] as usize, iw as usize, |t, pixel| {
                        // max_taps bounds n (checked above).
                        if n < MAX_CHUNKS {
                            taps[n] = (t, pixel);
                            n += 1;
                        }
                    });
                    layer_run.pixel(&taps[..n], &mut output[(oy * ow + ox) * oc..][..oc], &mut chunks);
                }
            }
        }
    }
}

/// Writes `input[p][i] − zp` as int16 at `x[p · dp + i]`, zeros in each
/// pixel's padding.
fn stage(input: &[i8], zp: i8, depth: usize, dp: usize, x: &mut [i16]) {
    for (src, dst) in input.chunks_exact(depth).zip(x.chunks_exact_mut(dp)) {
        for (d, &s) in dst.iter_mut().zip(src) {
            *d = s as i16 - zp as i16;
        }
        dst[depth..].fill(0);
    }
}

/// The same memory as int16 pairs.
fn words_as_i16(words: &mut [u32]) -> &mut [i16] {
    // SAFETY: u32 is at least as aligned as i16, the length covers exactly
    // the same bytes, and every bit pattern is a valid i16.
    unsafe { core::slice::from_raw_parts_mut(words.as_mut_ptr().cast::<i16>(), 2 * words.len()) }
}

/// What every output pixel of one layer run shares.
struct LayerRun<'a> {
    packing: Packing,
    weights: &'a [i16],
    x: &'a [i16],
    stage: OutputStage<'a>,
    pieces: usize,
}

impl LayerRun<'_> {
    /// Computes one output pixel's channels into `out`, from its taps
    /// `(tap, input pixel)`.
    fn pixel(&self, taps: &[(usize, usize)], out: &mut [i8], buf: &mut [Chunk; MAX_CHUNKS]) {
        let p = self.packing;
        let dp = p.padded_depth();
        let steps = dp / LANES;
        let n = taps.len();
        // The chunks of piece `piece` for blocks `width` channels wide: the
        // same inputs for every block, the weights at the same offsets
        // within each block. With one piece (the usual case) they are
        // filled once per pixel for all blocks.
        let fill = |width: usize, piece: usize, buf: &mut [Chunk; MAX_CHUNKS]| {
            let skip = piece * MAX_STEPS * LANES;
            for (c, &(t, pixel)) in buf.iter_mut().zip(taps) {
                *c = Chunk { x: (pixel * dp + skip) as u32, w: ((t * dp + skip) * width) as u32 };
            }
            (steps - piece * MAX_STEPS).min(MAX_STEPS)
        };
        let refill = |first: bool| first || self.pieces > 1;
        let blocked = p.blocked_channels();
        let mut piece_steps = 0;
        for first in (0..blocked).step_by(BLOCK) {
            let w = &self.weights[p.block_start(first)..][..BLOCK * p.taps * dp];
            let mut sums = [0i32; BLOCK];
            for piece in 0..self.pieces {
                if refill(first == 0) {
                    piece_steps = fill(BLOCK, piece, buf);
                }
                dot_block(&mut sums, &buf[..n], self.x, w, piece_steps);
            }
            for (k, sum) in sums.into_iter().enumerate() {
                out[first + k] = self.stage.finish(first + k, sum);
            }
        }
        for o in blocked..p.channels {
            let w = &self.weights[p.block_start(o)..][..p.taps * dp];
            let mut sum = 0;
            for piece in 0..self.pieces {
                if refill(o == blocked) {
                    piece_steps = fill(1, piece, buf);
                }
                sum = dot_one(sum, &buf[..n], self.x, w, piece_steps);
            }
            out[o] = self.stage.finish(o, sum);
        }
    }
}

#[cfg(test)]
mod tests;
