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
use dot::{dot_blocks, dot_one};
use taps::AxisTaps;

/// Most chunks (kernel taps) one output pixel may need for the fast path;
/// layers needing more run on the reference kernels. A dot product longer
/// than [`MAX_STEPS`] steps runs in pieces over the same chunks.
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
    if staging.len() < needed || cfg!(target_endian = "big") || max_taps > MAX_CHUNKS || packing.depth == 0 {
        return fallback(output);
    }
    let x = &mut staging[..needed];
    stage(input, input_zero_point, packing.depth, dp, x);
    let layer_run = LayerRun { packing, weights, x, stage: OutputStage::of(layer), pieces };
    let mut sums = [0i32; SUMS];
    match layer.op {
        Op::Linear => layer_run.pixel(&[Chunk { x: 0, w: 0 }], 0, output, &mut sums),
        Op::Conv2d(g) | Op::ConvTranspose2d(g) => {
            let transposed = matches!(layer.op, Op::ConvTranspose2d(_));
            let (oh, ow, oc) = (layer.output.height as usize, layer.output.width as usize, layer.output.channels as usize);
            let (ih, iw) = (layer.input.height, layer.input.width);
            let mut cache = ChunkCache::new();
            for oy in 0..oh {
                let rows = AxisTaps::of(transposed, oy, g.kernel[0], g.stride[0], g.padding[0], ih);
                cache.clear();
                for ox in 0..ow {
                    let cols = AxisTaps::of(transposed, ox, g.kernel[1], g.stride[1], g.padding[1], iw);
                    let (chunks, first_input) = cache.chunks(rows, cols, g.kernel[1] as usize, iw as usize, dp);
                    layer_run.pixel(chunks, first_input * dp, &mut output[(oy * ow + ox) * oc..][..oc], &mut sums);
                }
            }
        }
    }
}

/// Output pixels whose columns meet the kernel alike (the same first tap
/// and count: every interior pixel of one phase) read the same taps at
/// inputs shifted by whole pixels, so their chunks are the same relative to
/// their first input column. The chunks of an output row's few column
/// patterns are built once and reused along the row.
struct ChunkCache {
    /// Column pattern `(first tap, count)` of each slot in use.
    keys: [(usize, usize); CACHE_SLOTS],
    /// Chunks per slot, offsets from the pattern's first input column.
    chunks: [[Chunk; MAX_CHUNKS]; CACHE_SLOTS],
    /// Chunk count per slot.
    lens: [usize; CACHE_SLOTS],
    /// Slots in use.
    used: usize,
}

/// Column patterns one output row may have without rebuilding: a
/// convolution has the interior and a border pattern at each end; a
/// transposed one, an interior and a border pattern per phase (two phases
/// for stride 2). More (a stride above 2) just rebuilds in the last slot.
const CACHE_SLOTS: usize = 4;

impl ChunkCache {
    fn new() -> Self {
        ChunkCache { keys: [(0, 0); CACHE_SLOTS], chunks: [[Chunk::default(); MAX_CHUNKS]; CACHE_SLOTS], lens: [0; CACHE_SLOTS], used: 0 }
    }

    /// Forgets the patterns (a new output row has other row taps).
    fn clear(&mut self) {
        self.used = 0;
    }

    /// The chunks of the output pixel with these row and column taps, and
    /// the leftmost input column it reads: the chunks' input offsets count
    /// from that many pixels into the staged input.
    fn chunks(&mut self, rows: AxisTaps, cols: AxisTaps, kw: usize, width: usize, dp: usize) -> (&[Chunk], usize) {
        let key = cols.pattern();
        let leftmost = cols.leftmost_input();
        let slot = match self.keys[..self.used].iter().position(|&k| k == key) {
            Some(slot) => slot,
            None => {
                let slot = self.used.min(CACHE_SLOTS - 1);
                self.used = slot + 1;
                self.keys[slot] = key;
                let mut n = 0;
                taps::for_each_tap(rows, cols, kw, width, |t, pixel| {
                    // max_taps bounds n (checked by run_layer).
                    if n < MAX_CHUNKS {
                        self.chunks[slot][n] = Chunk { x: ((pixel - leftmost) * dp) as u32, w: (t * dp) as u32 };
                        n += 1;
                    }
                });
                self.lens[slot] = n;
                slot
            }
        };
        (&self.chunks[slot][..self.lens[slot]], leftmost)
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

/// Sums one [`dot_blocks`] call computes at most: 16 blocks.
const SUMS: usize = 16 * BLOCK;

impl LayerRun<'_> {
    /// Computes one output pixel's channels into `out`, from its `chunks`,
    /// whose input offsets count from staged input value `first_input`;
    /// `sums` is room for the dot products.
    fn pixel(&self, chunks: &[Chunk], first_input: usize, out: &mut [i8], sums: &mut [i32; SUMS]) {
        let p = self.packing;
        let dp = p.padded_depth();
        let steps = dp / LANES;
        let x = &self.x[first_input..];
        // A piece's inputs and weights are the whole dot product's moved by
        // the same number of values (per channel), so the chunks stay.
        let piece_steps = |piece: usize| (steps - piece * MAX_STEPS).min(MAX_STEPS);
        let skip = |piece: usize| piece * MAX_STEPS * LANES;
        let block_values = BLOCK * p.taps * dp;
        let blocked = p.blocked_channels();
        for first in (0..blocked).step_by(SUMS) {
            let n = (blocked - first).min(SUMS);
            let sums = &mut sums[..n];
            sums.fill(0);
            let w = &self.weights[p.block_start(first)..][..n / BLOCK * block_values];
            for piece in 0..self.pieces {
                dot_blocks(sums, chunks, &x[skip(piece)..], &w[skip(piece) * BLOCK..], block_values, piece_steps(piece));
            }
            self.stage.finish_run(first, sums, &mut out[first..first + n]);
        }
        for o in blocked..p.channels {
            let w = &self.weights[p.block_start(o)..][..p.taps * dp];
            let mut sum = 0;
            for piece in 0..self.pieces {
                sum = dot_one(sum, chunks, &x[skip(piece)..], &w[skip(piece)..], piece_steps(piece));
            }
            out[o] = self.stage.finish(o, sum);
        }
    }
}

#[cfg(test)]
mod tests;
