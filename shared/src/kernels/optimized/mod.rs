//! Faster kernels with the reference kernels' exact results.
//!
//! What makes them faster:
//! - **Packed weights** ([`crate::format::packed`]): laid out at export
//!   time in the order the inner loop reads them, stored as int8 and
//!   widened to int16 into RAM a run of whole channel blocks at a time
//!   (`unpack.rs`), before every output pixel reads them: each weight is
//!   widened once per layer run.
//! - **Staged inputs**: before a layer runs, its input codes minus the zero
//!   point are written once as int16 (each pixel's channels padded to a
//!   multiple of [`LANES`] with zeros) into the caller's staging buffer, so
//!   the inner loop neither sign-extends nor subtracts.
//! - **Output-channel blocking**: four channels are accumulated together,
//!   so each staged input is loaded once per four multiply-accumulates.
//! - **Transposed convolutions by phase**: only the taps that reach an
//!   output pixel are visited (`taps.rs`); none is spent on inserted zeros.
//! - **Pixels by column runs** (`walk.rs`): the columns' tap patterns are
//!   worked out once per layer, each row's chunks once per pattern; layers
//!   with one output channel (the image) compute four pixels per pass.
//! - **`SMLAD`** on cores with the DSP extension (`smlad.rs`): two
//!   multiply-accumulates per instruction. On the Cortex-M0+, Thumb-1
//!   `MULS` loops (`v6m.rs`), three instructions and a bit per MAC.
//!
//! Integer sums wrap modulo 2³² exactly as the reference's do, and wrapping
//! addition is associative and commutative, so any summation order gives
//! the same bits: the tests check equality, not closeness.

mod chunk;
mod dot;
#[cfg(all(target_arch = "arm", target_feature = "dsp"))]
mod smlad;
#[cfg(all(target_arch = "arm", not(target_feature = "thumb2")))]
mod v6m;
mod taps;
mod unpack;
mod walk;

pub use chunk::{Chunk, MAX_CHUNKS, MAX_STEPS};

use crate::format::packed::{BLOCK, LANES};
use crate::format::{Layer, Op, Packing};
use crate::kernels::{ChannelRun, OutputStage, reference};
use dot::{dot_blocks, dot_one, dot_one_run};
use unpack::unpack;
use walk::{PixelRun, RUN, for_each_run};

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
/// least [`Layer::staging_words`] long) for the staged input and the
/// unpacked weights. Falls back to the reference kernel, with the same
/// result, where the fast path does not apply: too little staging, or more
/// than [`MAX_CHUNKS`] chunks per pixel.
pub fn run_layer(layer: &Layer<'_>, input_zero_point: i8, input: &[i8], output: &mut [i8], staging: &mut [u32]) {
    let fallback = |output: &mut [i8]| reference::run_layer(layer, input_zero_point, input, output);
    let Some(packing) = layer.packing() else {
        return fallback(output);
    };
    let dp = packing.padded_depth();
    let max_taps = match layer.op {
        Op::Linear => 1,
        Op::Conv2d(g) => g.kernel[0] as usize * g.kernel[1] as usize,
        Op::ConvTranspose2d(g) => {
            (g.kernel[0] as usize).div_ceil(g.stride[0] as usize) * (g.kernel[1] as usize).div_ceil(g.stride[1] as usize)
        }
    };
    let input_words = layer.staged_input_words();
    if staging.len() < layer.staging_words() || cfg!(target_endian = "big") || max_taps > MAX_CHUNKS || packing.depth == 0 {
        return fallback(output);
    }
    let (x, rest) = staging.split_at_mut(input_words);
    let (unpacked, pixel_sums) = rest.split_at_mut(packing.unpacked_values().div_ceil(2));
    let x = words_as_i16(x);
    let unpacked = &mut words_as_i16(unpacked)[..packing.unpacked_values()];
    // SAFETY: u32 and i32 have the same size, alignment and valid patterns.
    let pixel_sums = unsafe { &mut *(&mut pixel_sums[..layer.input_pixels()] as *mut [u32] as *mut [i32]) };
    stage(input, input_zero_point, packing.depth, dp, x, pixel_sums);
    let stage = OutputStage::of(layer);
    let stored = layer.weights.as_bytes();
    let mut sums = [0i32; SUMS];
    for group in ChannelGroups::of(packing, unpacked.len()) {
        let values = group.values(packing);
        unpack(&stored[packing.block_start(group.first)..][..values], &mut unpacked[..values]);
        let run = GroupRun::new(packing, group, &unpacked[..values], x, pixel_sums, &stage);
        // Runs of pixels pay off for single channels (four pixels per pass).
        for_each_run(layer, dp, !run.blocked, |pixels| run.pixels(pixels, output, &mut sums));
    }
}

/// A run of output channels whose weights are unpacked together: whole
/// blocks of [`BLOCK`], or channels past the whole blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ChannelGroup {
    /// First channel.
    first: usize,
    /// Number of channels.
    len: usize,
}

impl ChannelGroup {
    /// Values of the group's weights.
    fn values(self, p: Packing) -> usize {
        p.block_start(self.first + self.len) - p.block_start(self.first)
    }
}

/// The groups of a layer, in channel order: as many whole blocks as fit in
/// `room` unpacked values, then as many channels past the blocks.
struct ChannelGroups {
    packing: Packing,
    next: usize,
    blocks_per_group: usize,
    singles_per_group: usize,
}

impl ChannelGroups {
    /// `room` is at least [`Packing::unpacked_values`] (so one block fits).
    fn of(packing: Packing, room: usize) -> Self {
        let (block, one) = packing.block_values();
        ChannelGroups {
            packing,
            next: 0,
            // A group's dot products fit in one pass's sums.
            blocks_per_group: if block == 0 { 1 } else { (room / block).clamp(1, SUMS / RUN / BLOCK) },
            singles_per_group: (room / one.max(1)).clamp(1, SUMS / RUN),
        }
    }
}

impl Iterator for ChannelGroups {
    type Item = ChannelGroup;

    fn next(&mut self) -> Option<ChannelGroup> {
        let (first, blocked, channels) = (self.next, self.packing.blocked_channels(), self.packing.channels);
        let len = if first < blocked {
            (blocked - first).min(self.blocks_per_group * BLOCK)
        } else if first < channels {
            (channels - first).min(self.singles_per_group)
        } else {
            return None;
        };
        self.next = first + len;
        Some(ChannelGroup { first, len })
    }
}

/// Writes `input[p][i] − zp` as int16 at `x[p · dp + i]`, zeros in each
/// pixel's padding, and (where the weights are biased) each pixel's sum at
/// `sums[p]`.
fn stage(input: &[i8], zp: i8, depth: usize, dp: usize, x: &mut [i16], sums: &mut [i32]) {
    for ((src, dst), sum) in input.chunks_exact(depth).zip(x.chunks_exact_mut(dp)).zip(sums) {
        let mut s = 0i32;
        for (d, &v) in dst.iter_mut().zip(src) {
            *d = v as i16 - zp as i16;
            if unpack::WEIGHT_BIAS != 0 {
                s += *d as i32;
            }
        }
        *sum = s;
        dst[depth..].fill(0);
    }
}

/// The same memory as int16 pairs.
fn words_as_i16(words: &mut [u32]) -> &mut [i16] {
    // SAFETY: u32 is at least as aligned as i16, the length covers exactly
    // the same bytes, and every bit pattern is a valid i16.
    unsafe { core::slice::from_raw_parts_mut(words.as_mut_ptr().cast::<i16>(), 2 * words.len()) }
}

/// What every output pixel of one channel group's pass shares.
struct GroupRun<'a> {
    group: ChannelGroup,
    /// Whether the group is of whole blocks (else of single channels).
    blocked: bool,
    /// The group's unpacked weights.
    weights: &'a [i16],
    /// Unpacked values per block (whole blocks) or per channel (singles).
    block_values: usize,
    x: &'a [i16],
    /// Each input pixel's staged sum (where the weights are biased).
    pixel_sums: &'a [i32],
    /// Steps of a whole dot product (all pieces).
    steps: usize,
    stage: ChannelRun<'a>,
}

/// Sums one pass over a group computes at most: a run of pixels of 16
/// blocks (1 KiB of stack). Groups are no wider.
const SUMS: usize = RUN * 16 * BLOCK;

impl<'a> GroupRun<'a> {
    fn new(p: Packing, group: ChannelGroup, weights: &'a [i16], x: &'a [i16], pixel_sums: &'a [i32], stage: &OutputStage<'a>) -> Self {
        let blocked = group.first < p.blocked_channels();
        let (block, one) = p.block_values();
        GroupRun {
            group,
            blocked,
            weights,
            block_values: if blocked { block } else { one },
            x,
            pixel_sums,
            steps: p.padded_depth() / LANES,
            stage: stage.channels(group.first, group.len),
        }
    }

    /// Computes the group's channels of a run of output pixels into
    /// `output` (the layer's); `sums` is room for the dot products.
    #[inline]
    fn pixels(&self, run: &PixelRun<'_>, output: &mut [i8], sums: &mut [i32; SUMS]) {
        let ChannelGroup { first, len } = self.group;
        let x = |j: usize| &self.x[run.first_input + j * run.delta..];
        let sums = &mut sums[..run.len * len];
        // Pixel j's inputs' sum from the staged pixels' sums, when one piece
        // is the whole dot product (for biased weights; unused elsewhere).
        let whole_sums = self.steps <= MAX_STEPS && unpack::WEIGHT_BIAS != 0;
        let pixel_sum = |j: usize| {
            let first = run.first_pixel + j * run.delta_pixels;
            run.chunk_pixels.iter().fold(0i32, |s, &p| s.wrapping_add(self.pixel_sums[first + p as usize]))
        };
        let sum_x = |j: usize| whole_sums.then(|| pixel_sum(j));
        if self.blocked {
            for j in 0..run.len {
                let sums = &mut sums[j * len..][..len];
                let sum_x = sum_x(j);
                self.each_piece(|steps, skip, done| {
                    let w = &self.weights[skip * BLOCK..];
                    dot_blocks(sums, done > 0, run.chunks, sum_x, &x(j)[skip..], w, self.block_values, steps)
                });
            }
        } else if run.len == RUN {
            // One channel at a time, four pixels per pass.
            let sums_x = whole_sums.then(|| core::array::from_fn(pixel_sum));
            for c in 0..len {
                let mut four = [0i32; RUN];
                let w = &self.weights[c * self.block_values..];
                self.each_piece(|steps, skip, _| dot_one_run(&mut four, run.chunks, sums_x, &x(0)[skip..], run.delta, &w[skip..], steps));
                for (j, &sum) in four.iter().enumerate() {
                    sums[j * len + c] = sum;
                }
            }
        } else {
            for j in 0..run.len {
                let sum_x = sum_x(j);
                for (c, sum) in sums[j * len..][..len].iter_mut().enumerate() {
                    let w = &self.weights[c * self.block_values..];
                    *sum = 0;
                    self.each_piece(|steps, skip, _| *sum = dot_one(*sum, run.chunks, sum_x, &x(j)[skip..], &w[skip..], steps));
                }
            }
        }
        // The run's pixels are evenly spaced in the output, as in the input.
        let stride = if run.len > 1 { run.outputs[1] - run.outputs[0] } else { 0 };
        self.stage.finish_pixels(sums, len, run.len, output, run.outputs[0] + first, stride);
    }

    /// Calls `piece(steps, skip, done)` for each piece of the dot products:
    /// at most [`MAX_STEPS`] steps, `skip` values in, after `done` steps. A
    /// piece's inputs and weights are the whole dot product's moved by the
    /// same number of values (per channel), so the chunks stay.
    #[inline]
    fn each_piece(&self, mut piece: impl FnMut(usize, usize, usize)) {
        let mut done = 0;
        while done < self.steps {
            let steps = (self.steps - done).min(MAX_STEPS);
            piece(steps, done * LANES, done);
            done += steps;
        }
    }
}

#[cfg(test)]
mod tests;
