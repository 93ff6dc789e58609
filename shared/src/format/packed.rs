//! Weights as the fast kernels read them: int8 values widened to int16 and
//! packed at export time.
//!
//! A DSP core's `SMLAD` multiplies two pairs of 16-bit values and adds both
//! products in one instruction. Widening the weights once, on the host,
//! means the board never spends an instruction per weight on sign
//! extension, and packing them in the exact order the inner loop walks them
//! means one `LDM` fetches four pairs. The file grows by the weights' size
//! (int16 instead of int8); the flash check in `pocketgan check` counts it.
//!
//! Order, for a layer with `C` output channels, `T` kernel taps (`kh · kw`,
//! 1 for `Linear`) and a dot product of `D` inputs per tap (input channels,
//! or every input of a `Linear`), with `D` padded to `Dp`, a multiple of
//! [`LANES`], by zeros:
//!
//! ```text
//! for each block of output channels   (BLOCK = 4 channels while 4 remain, then 1 at a time)
//!   for each tap t                     (row-major over the kernel)
//!     for each group of LANES inputs
//!       for each channel of the block
//!         LANES int16 values, little-endian
//! ```
//!
//! So a block's weights for one tap are one contiguous run, and within it
//! the four channels' next eight weights sit side by side.

use core::fmt;

/// Inputs per group: one `LDM` of four registers holds eight int16 values.
pub const LANES: usize = 8;

/// Output channels accumulated together by the fast kernels.
pub const BLOCK: usize = 4;

/// The shape that decides where each weight lives in a [`PackedWeights`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Packing {
    /// Output channels (every output element for `Linear`).
    pub channels: usize,
    /// Kernel taps per output channel (1 for `Linear`).
    pub taps: usize,
    /// Inputs per tap before padding.
    pub depth: usize,
}

impl Packing {
    /// `depth` rounded up to a multiple of [`LANES`].
    pub const fn padded_depth(&self) -> usize {
        self.depth.div_ceil(LANES) * LANES
    }

    /// Channels covered by whole blocks of [`BLOCK`]; the rest are
    /// packed one channel per block.
    pub const fn blocked_channels(&self) -> usize {
        self.channels / BLOCK * BLOCK
    }

    /// Number of int16 values, padding included, or `None` on overflow.
    pub fn values(&self) -> Option<usize> {
        self.channels.checked_mul(self.taps)?.checked_mul(self.padded_depth())
    }

    /// Channels in the block that starts at channel `first`.
    #[inline]
    pub const fn block_len(&self, first: usize) -> usize {
        if first < self.blocked_channels() { BLOCK } else { 1 }
    }

    /// Index (in int16 values) of the first weight of the block starting at
    /// channel `first` (a multiple of [`BLOCK`], or any channel past the
    /// whole blocks).
    #[inline]
    pub const fn block_start(&self, first: usize) -> usize {
        first * self.taps * self.padded_depth()
    }

    /// Index (in int16 values) of the weight of output channel `o`, tap `t`,
    /// input `i`.
    #[inline]
    pub const fn index(&self, o: usize, t: usize, i: usize) -> usize {
        let first = if o < self.blocked_channels() { o / BLOCK * BLOCK } else { o };
        let n = self.block_len(first);
        let dp = self.padded_depth();
        self.block_start(first) + t * n * dp + (i / LANES) * n * LANES + (o - first) * LANES + i % LANES
    }

    /// Writes the packed little-endian bytes of the weights `w(o, t, i)`
    /// into `out` (exactly `2 · values()` bytes long), zeros in the padding.
    pub fn pack(&self, w: impl Fn(usize, usize, usize) -> i8, out: &mut [u8]) {
        out.fill(0);
        for o in 0..self.channels {
            for t in 0..self.taps {
                for i in 0..self.depth {
                    let at = 2 * self.index(o, t, i);
                    out[at..at + 2].copy_from_slice(&(w(o, t, i) as i16).to_le_bytes());
                }
            }
        }
    }
}

/// A layer's packed int16 weights, borrowed from the model file (see the
/// module docs for the order).
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct PackedWeights<'a>(&'a [u8]);

impl<'a> PackedWeights<'a> {
    /// Wraps little-endian bytes written by [`Packing::pack`].
    pub const fn from_le_bytes(bytes: &'a [u8]) -> Self {
        PackedWeights(bytes)
    }

    /// The raw bytes.
    pub const fn as_bytes(&self) -> &'a [u8] {
        self.0
    }

    /// Length in bytes.
    pub const fn byte_len(&self) -> usize {
        self.0.len()
    }

    /// The value at int16 index `at`. Panics past the end; validated models
    /// never ask.
    #[inline]
    pub fn get(&self, at: usize) -> i16 {
        i16::from_le_bytes([self.0[2 * at], self.0[2 * at + 1]])
    }

    /// The values as `i16`s, when the bytes are 4-byte aligned and the
    /// machine is little-endian: the fast kernels' condition. A model loaded
    /// at an odd address still runs, on the reference kernels.
    pub fn as_i16(&self) -> Option<&'a [i16]> {
        if cfg!(target_endian = "big") || self.0.as_ptr() as usize % 4 != 0 || self.0.len() % 2 != 0 {
            return None;
        }
        // SAFETY: the pointer is aligned for i16 (checked above), the length
        // is whole values, every bit pattern is a valid i16, and the bytes
        // are little-endian, which is this machine's order.
        Some(unsafe { core::slice::from_raw_parts(self.0.as_ptr().cast::<i16>(), self.0.len() / 2) })
    }
}

impl fmt::Debug for PackedWeights<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PackedWeights[{} bytes]", self.0.len())
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;

    #[test]
    fn every_weight_has_its_own_slot_and_padding_is_zero() {
        for (channels, taps, depth) in [(1, 1, 1), (4, 16, 64), (7, 9, 3), (6, 4, 17), (3, 1, 42)] {
            let p = Packing { channels, taps, depth };
            let n = p.values().unwrap();
            let mut seen = std::vec![false; n];
            for o in 0..channels {
                for t in 0..taps {
                    for i in 0..depth {
                        let at = p.index(o, t, i);
                        assert!(at < n && !seen[at], "{p:?} ({o}, {t}, {i})");
                        seen[at] = true;
                    }
                }
            }
            let value = |o: usize, t: usize, i: usize| ((o * 31 + t * 7 + i) % 255) as u8 as i8;
            let mut bytes = std::vec![0xAAu8; 2 * n];
            p.pack(value, &mut bytes);
            let w = PackedWeights::from_le_bytes(&bytes);
            for at in 0..n {
                if !seen[at] {
                    assert_eq!(w.get(at), 0, "padding at {at}");
                }
            }
            for (o, t, i) in [(0, 0, 0), (channels - 1, taps - 1, depth - 1), (channels / 2, taps / 2, depth / 2)] {
                assert_eq!(w.get(p.index(o, t, i)), value(o, t, i) as i16);
            }
        }
    }

    #[test]
    fn a_block_walks_its_four_channels_side_by_side() {
        let p = Packing { channels: 8, taps: 2, depth: 16 };
        assert_eq!(p.index(0, 0, 0), 0);
        assert_eq!(p.index(1, 0, 0), 8);
        assert_eq!(p.index(0, 0, 8), 32);
        assert_eq!(p.index(0, 1, 0), 64);
        assert_eq!(p.index(4, 0, 0), 128);
    }
}
