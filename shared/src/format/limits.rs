//! The largest layers a model may hold, so that the kernels' integer
//! sums cannot overflow and a board's scratch stays bounded.

/// Longest dot product a layer may have. With int8-range weights (|w| ≤ 128) and
/// zero-point-shifted int8 inputs (|x − zp| ≤ 255) each product is below
/// 2^15, so 2^15 terms stay below 2^30 and leave room for the bias.
pub const MAX_REDUCTION: u32 = 1 << 15;
/// Largest activation tensor, in elements.
pub const MAX_TENSOR: u32 = 1 << 24;
/// Most layer outputs kept for skip connections at once (a U-Net keeps
/// one per encoder stage).
pub const MAX_KEPT: usize = 8;
/// Skip connections may join the outputs of the first this many layers.
pub const MAX_SKIP_LAYERS: usize = 64;
