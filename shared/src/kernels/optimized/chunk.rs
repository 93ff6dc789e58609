//! The unit the inner loops walk: one kernel tap's run of inputs and
//! weights. The portable loops and the `SMLAD` assembly both read it.

/// Most steps one chunk may have: the `SMLAD` loops are unrolled this far.
pub const MAX_STEPS: usize = 32;

/// Most chunks (kernel taps) one output pixel may need for the fast path;
/// layers needing more run on the reference kernels. A dot product longer
/// than [`MAX_STEPS`] steps runs in pieces over the same chunks.
pub const MAX_CHUNKS: usize = 32;

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
