//! The unit the inner loops walk: one kernel tap's run of inputs and
//! weights. The portable loops and the `SMLAD` assembly both read it.

/// Most steps one chunk may have: the `SMLAD` loops are unrolled this far.
pub const MAX_STEPS: usize = 32;

/// Most chunks (kernel taps) one output pixel may need for the fast path;
/// layers needing more run on the reference kernels. A dot product longer
/// than [`MAX_STEPS`] steps runs in pieces over the same chunks.
pub const MAX_CHUNKS: usize = 32;

/// Whether the unrolled assembly loops take these chunks: at least one, of
/// `1..=MAX_STEPS` steps.
#[allow(dead_code)] // on the host, which runs only the portable loops
#[inline(always)]
pub fn fits_unrolled(chunks: &[Chunk], steps: usize) -> bool {
    !chunks.is_empty() && (1..=MAX_STEPS).contains(&steps)
}

/// A run of four-channel blocks' dot products, as the assembly loops read
/// it (one pointer: the loops need more arguments than AAPCS passes in
/// registers). `repr(C)`: the `SMLAD` loop loads the first eight words with
/// one `LDM`, in this order; the Cortex-M0+ loop reads them one by one.
#[repr(C)]
pub struct BlockRun {
    /// The chunks, the same for every block.
    pub chunks: *const Chunk,
    /// Number of chunks (≥ 1).
    pub count: u32,
    /// Staged inputs the chunks' input offsets start from.
    pub x: *const i16,
    /// The first block's weights.
    pub w: *const i16,
    /// Steps per chunk, `1..=MAX_STEPS`.
    pub steps: u32,
    /// Number of four-channel blocks (≥ 1).
    pub blocks: u32,
    /// Bytes from one block's weights to the next's.
    pub block_bytes: u32,
    /// `4 · blocks` sums.
    pub sums: *mut i32,
    /// Nonzero: add to the sums; zero: overwrite them.
    pub accumulate: u32,
}

impl BlockRun {
    /// The run over whole blocks of `sums` (`BLOCK` per block), block
    /// `b`'s weights at `w[b · block_values]`.
    #[allow(dead_code)] // on the host, which runs only the portable loops
    pub fn new(sums: &mut [i32], accumulate: bool, chunks: &[Chunk], x: &[i16], w: &[i16], block_values: usize, steps: usize) -> Self {
        BlockRun {
            chunks: chunks.as_ptr(),
            count: chunks.len() as u32,
            x: x.as_ptr(),
            w: w.as_ptr(),
            steps: steps as u32,
            blocks: (sums.len() / crate::format::packed::BLOCK) as u32,
            block_bytes: (2 * block_values) as u32,
            sums: sums.as_mut_ptr(),
            accumulate: accumulate as u32,
        }
    }
}

/// One tap's share of a dot product: where its inputs start in the staged
/// input, and where its weights start within a channel block. Both are in
/// int16 values; the weight offset is counted per channel (`tap · padded
/// depth`), so the same chunk serves a block of [`crate::format::packed::BLOCK`]
/// channels (whose weights sit `BLOCK` times further in) and a single
/// channel. `repr(C)`: the assembly loops read it.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Chunk {
    /// Offset of the chunk's first input.
    pub x: u32,
    /// Offset of the chunk's first weight, per channel.
    pub w: u32,
}
