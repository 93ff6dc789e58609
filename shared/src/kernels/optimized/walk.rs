//! The order the fast kernels visit a layer's output pixels: row by row,
//! each pixel's chunks from a cache kept per output row, and pixels that
//! read the kernel alike gathered into runs of up to [`RUN`], for the
//! kernels that compute several pixels per pass.

use super::chunk::{Chunk, MAX_CHUNKS};
use super::taps::{self, AxisTaps};
use crate::format::{Layer, Op};

/// Most output pixels in one [`PixelRun`].
pub const RUN: usize = 4;

/// Output pixels (up to [`RUN`]) that read the same taps at inputs a
/// constant distance apart.
#[derive(Debug, Clone, Copy)]
pub struct PixelRun<'c> {
    /// The taps' chunks; their input offsets count from `first_input`.
    pub chunks: &'c [Chunk],
    /// Each chunk's input pixel, counted from `first_pixel`.
    pub chunk_pixels: &'c [u32],
    /// The first pixel's leftmost input pixel (its column, in the first row).
    pub first_pixel: usize,
    /// Input pixels from one pixel's leftmost input to the next's.
    pub delta_pixels: usize,
    /// The first pixel's first staged input value.
    pub first_input: usize,
    /// Staged input values from one pixel's inputs to the next's.
    pub delta: usize,
    /// Pixels in the run (`1..=RUN`).
    pub len: usize,
    /// Offset of each pixel's first output channel in the layer's output,
    /// evenly spaced.
    pub outputs: [usize; RUN],
}

/// Calls `run` for runs covering every output pixel of a validated layer
/// exactly once (the one pixel of a `Linear`), with staged inputs padded to
/// `dp` values per pixel; with `gather` false every run is one pixel (for
/// kernels that gain nothing from runs, and pay nothing for them then).
pub fn for_each_run(layer: &Layer<'_>, dp: usize, gather: bool, mut run: impl FnMut(&PixelRun<'_>)) {
    let (Op::Conv2d(g) | Op::ConvTranspose2d(g)) = layer.op else {
        let one = PixelRun { chunks: &[Chunk { x: 0, w: 0 }], chunk_pixels: &[0], first_pixel: 0, delta_pixels: 0, first_input: 0, delta: 0, len: 1, outputs: [0; RUN] };
        return run(&one);
    };
    match ColumnRuns::of(layer, g) {
        Some(columns) => walk_by_column_runs(layer, g, &columns, dp, gather, &mut run),
        None => walk_pixel_by_pixel(layer, g, dp, &mut run),
    }
}

/// Output columns that meet the kernel alike: `len` columns from `first`,
/// every `step`-th, whose leftmost input column starts at `leftmost` and
/// advances by `input_step`. Every output row has the same columns.
#[derive(Debug, Clone, Copy)]
struct ColumnRun {
    cols: AxisTaps,
    first: usize,
    len: usize,
    step: usize,
    leftmost: usize,
    input_step: usize,
}

/// Most column runs a layer's output width splits into for
/// [`walk_by_column_runs`] (a stride-2 transposed convolution has about
/// six: per phase, an interior run and a border column at each end); a
/// layer with more takes [`walk_pixel_by_pixel`].
const COLUMN_RUNS: usize = 16;

/// A layer's column runs, in order of their first column.
struct ColumnRuns {
    runs: [Option<ColumnRun>; COLUMN_RUNS],
    len: usize,
}

impl ColumnRuns {
    /// The runs of a convolution's output columns, or `None` if there are
    /// more than [`COLUMN_RUNS`].
    fn of(layer: &Layer<'_>, g: crate::format::ConvGeometry) -> Option<ColumnRuns> {
        let transposed = matches!(layer.op, Op::ConvTranspose2d(_));
        let mut runs = ColumnRuns { runs: [None; COLUMN_RUNS], len: 0 };
        for ox in 0..layer.output.width as usize {
            let cols = AxisTaps::of(transposed, ox, g.kernel[1], g.stride[1], g.padding[1], layer.input.width);
            let leftmost = cols.leftmost_input();
            // The latest run of this pattern, if this column continues it.
            let open = runs.runs[..runs.len].iter_mut().rev().flatten().find(|r| r.cols.pattern() == cols.pattern());
            if let Some(r) = open {
                let continues = match r.len {
                    1 => ox > r.first && leftmost >= r.leftmost,
                    n => ox == r.first + n * r.step && leftmost == r.leftmost + n * r.input_step,
                };
                if continues {
                    if r.len == 1 {
                        (r.step, r.input_step) = (ox - r.first, leftmost - r.leftmost);
                    }
                    r.len += 1;
                    continue;
                }
            }
            if runs.len == COLUMN_RUNS {
                return None;
            }
            runs.runs[runs.len] = Some(ColumnRun { cols, first: ox, len: 1, step: 1, leftmost, input_step: 0 });
            runs.len += 1;
        }
        Some(runs)
    }
}

/// [`for_each_run`] by column runs: per output row, each run's chunks once
/// and its pixels in groups of [`RUN`] (or one by one without `gather`).
fn walk_by_column_runs(
    layer: &Layer<'_>,
    g: crate::format::ConvGeometry,
    columns: &ColumnRuns,
    dp: usize,
    gather: bool,
    run: &mut impl FnMut(&PixelRun<'_>),
) {
    let transposed = matches!(layer.op, Op::ConvTranspose2d(_));
    let (oh, ow, oc) = (layer.output.height as usize, layer.output.width as usize, layer.output.channels as usize);
    let (ih, iw) = (layer.input.height, layer.input.width);
    let group = if gather { RUN } else { 1 };
    let mut cache = ChunkCache::new();
    for oy in 0..oh {
        let rows = AxisTaps::of(transposed, oy, g.kernel[0], g.stride[0], g.padding[0], ih);
        cache.clear();
        for c in columns.runs[..columns.len].iter().flatten() {
            let slot = cache.slot_for(rows, c.cols, g.kernel[1] as usize, iw as usize, dp);
            let (chunks, chunk_pixels) = cache.get(slot);
            let mut m = 0;
            while m < c.len {
                let len = (c.len - m).min(group);
                let first_pixel = c.leftmost + m * c.input_step;
                let output = |j: usize| (oy * ow + c.first + (m + j) * c.step) * oc;
                run(&PixelRun {
                    chunks,
                    chunk_pixels,
                    first_pixel,
                    delta_pixels: c.input_step,
                    first_input: first_pixel * dp,
                    delta: c.input_step * dp,
                    len,
                    outputs: core::array::from_fn(|j| output(j.min(len - 1))),
                });
                m += len;
            }
        }
    }
}

/// [`for_each_run`] one output pixel after another, each its own run: for
/// layers with too many column runs (rare: the results are the same, only
/// single-channel layers lose their four pixels per pass).
fn walk_pixel_by_pixel(layer: &Layer<'_>, g: crate::format::ConvGeometry, dp: usize, run: &mut impl FnMut(&PixelRun<'_>)) {
    let transposed = matches!(layer.op, Op::ConvTranspose2d(_));
    let (oh, ow, oc) = (layer.output.height as usize, layer.output.width as usize, layer.output.channels as usize);
    let (ih, iw) = (layer.input.height, layer.input.width);
    let mut cache = ChunkCache::new();
    for oy in 0..oh {
        let rows = AxisTaps::of(transposed, oy, g.kernel[0], g.stride[0], g.padding[0], ih);
        cache.clear();
        for ox in 0..ow {
            let cols = AxisTaps::of(transposed, ox, g.kernel[1], g.stride[1], g.padding[1], iw);
            let slot = cache.slot_for(rows, cols, g.kernel[1] as usize, iw as usize, dp);
            let (chunks, chunk_pixels) = cache.get(slot);
            let leftmost = cols.leftmost_input();
            let output = (oy * ow + ox) * oc;
            run(&PixelRun { chunks, chunk_pixels, first_pixel: leftmost, delta_pixels: 0, first_input: leftmost * dp, delta: 0, len: 1, outputs: [output; RUN] });
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
    /// Chunks per slot, offsets from the pattern's leftmost input column.
    chunks: [[Chunk; MAX_CHUNKS]; CACHE_SLOTS],
    /// Each chunk's input pixel, from the pattern's leftmost input column.
    pixels: [[u32; MAX_CHUNKS]; CACHE_SLOTS],
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
        ChunkCache {
            keys: [(0, 0); CACHE_SLOTS],
            chunks: [[Chunk::default(); MAX_CHUNKS]; CACHE_SLOTS],
            pixels: [[0; MAX_CHUNKS]; CACHE_SLOTS],
            lens: [0; CACHE_SLOTS],
            used: 0,
        }
    }

    /// Forgets the patterns (a new output row has other row taps).
    fn clear(&mut self) {
        self.used = 0;
    }

    /// The slot holding the chunks of an output pixel of this row with
    /// these column taps, built if no slot has its pattern yet (in the next
    /// free slot, else the last).
    #[inline]
    fn slot_for(&mut self, rows: AxisTaps, cols: AxisTaps, kw: usize, width: usize, dp: usize) -> usize {
        let key = cols.pattern();
        if let Some(slot) = self.keys[..self.used].iter().position(|&k| k == key) {
            return slot;
        }
        let slot = self.used.min(CACHE_SLOTS - 1);
        self.used = slot + 1;
        self.build(slot, key, rows, cols, kw, width, dp);
        slot
    }

    /// The chunks in `slot`, and their input pixels.
    #[inline]
    fn get(&self, slot: usize) -> (&[Chunk], &[u32]) {
        (&self.chunks[slot][..self.lens[slot]], &self.pixels[slot][..self.lens[slot]])
    }

    /// Fills `slot` with the chunks of an output pixel with these row and
    /// column taps (column pattern `key`): input offsets count from its
    /// leftmost input column, weight offsets per channel.
    #[allow(clippy::too_many_arguments)]
    fn build(&mut self, slot: usize, key: (usize, usize), rows: AxisTaps, cols: AxisTaps, kw: usize, width: usize, dp: usize) {
        self.keys[slot] = key;
        let leftmost = cols.leftmost_input();
        let mut n = 0;
        let (chunks, pixels) = (&mut self.chunks[slot], &mut self.pixels[slot]);
        taps::for_each_tap(rows, cols, kw, width, |t, pixel| {
            // run_layer checks the taps per pixel are at most MAX_CHUNKS.
            if n < MAX_CHUNKS {
                chunks[n] = Chunk { x: ((pixel - leftmost) * dp) as u32, w: (t * dp) as u32 };
                pixels[n] = (pixel - leftmost) as u32;
                n += 1;
            }
        });
        self.lens[slot] = n;
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use crate::format::{Activation, ConvGeometry, TensorShape};
    use crate::kernels::test_cases::Case;
    use std::collections::BTreeMap;
    use std::vec::Vec;

    /// What a walk says about each output pixel: where its inputs start,
    /// and its chunks' absolute input offsets and weight offsets.
    fn pixels_of(layer: &Layer<'_>, dp: usize, by_columns: bool, gather: bool) -> BTreeMap<usize, (usize, Vec<(usize, u32)>)> {
        let (Op::Conv2d(g) | Op::ConvTranspose2d(g)) = layer.op else { unreachable!() };
        let mut seen = BTreeMap::new();
        let mut record = |r: &PixelRun<'_>| {
            assert!((1..=RUN).contains(&r.len));
            for j in 0..r.len {
                let input = r.first_input + j * r.delta;
                assert_eq!(input, (r.first_pixel + j * r.delta_pixels) * dp);
                let chunks = r.chunks.iter().zip(r.chunk_pixels).map(|(c, &p)| {
                    assert_eq!(c.x as usize, p as usize * dp);
                    (input + c.x as usize, c.w)
                });
                let old = seen.insert(r.outputs[j], (input, chunks.collect()));
                assert!(old.is_none(), "output {} visited twice", r.outputs[j]);
            }
        };
        if by_columns {
            walk_by_column_runs(layer, g, &ColumnRuns::of(layer, g).expect("few column runs"), dp, gather, &mut record);
        } else {
            walk_pixel_by_pixel(layer, g, dp, &mut record);
        }
        seen
    }

    #[test]
    fn column_runs_visit_every_pixel_as_the_pixel_walk_does() {
        let mut checked = 0;
        for kernel in 1u8..=4 {
            for stride in 1u8..=3 {
                for padding in 0..kernel {
                    for (transposed, width) in [(false, 7u16), (true, 4), (false, 2), (true, 1)] {
                        let g = ConvGeometry { kernel: [kernel, kernel], stride: [stride, stride], padding: [padding, padding], output_padding: [0, 0] };
                        let input = TensorShape { height: 3, width, channels: 2 };
                        let out_len = |n: u16| {
                            let (n, k, s, p) = (n as i32, kernel as i32, stride as i32, padding as i32);
                            if transposed { (n - 1) * s - 2 * p + k } else { (n + 2 * p - k) / s + 1 }
                        };
                        let (oh, ow) = (out_len(3), out_len(width));
                        if oh < 1 || ow < 1 {
                            continue;
                        }
                        let output = TensorShape { height: oh as u16, width: ow as u16, channels: 3 };
                        let op = if transposed { Op::ConvTranspose2d(g) } else { Op::Conv2d(g) };
                        let case = Case::random(op, input, output, Activation::Relu, 0, 0, 1);
                        let owned = case.owned();
                        let layer = owned.layer();
                        if ColumnRuns::of(&layer, g).is_none() {
                            continue;
                        }
                        let dp = layer.packing().unwrap().padded_depth();
                        let expected = pixels_of(&layer, dp, false, false);
                        assert_eq!(expected.len(), oh as usize * ow as usize);
                        for gather in [false, true] {
                            assert_eq!(pixels_of(&layer, dp, true, gather), expected, "{op:?} {input:?} -> {output:?}, gather {gather}");
                        }
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 50, "{checked} layers checked");
    }
}
