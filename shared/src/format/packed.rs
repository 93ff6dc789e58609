//! Weights as the fast kernels read them: int8 values in the order the
//! inner loop walks them, unpacked to int16 on the board one run of
//! channels at a time.
//!
//! A DSP core's `SMLAD` multiplies two pairs of 16-bit values and adds both
//! products in one instruction, so the inner loops read int16 weights. The
//! file keeps them as int8 (half the flash); before a layer runs, the board
//! widens as many whole channel blocks as fit in [`UNPACKED_VALUES`] into RAM
//! (on a DSP core with `SXTB16`, which sign-extends two bytes at once: under
//! one instruction per weight), and every output pixel then reads them from
//! there. Each weight is widened once per image, not once per use.
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
//!         LANES values
//! ```
//!
//! So a block's weights for one tap are one contiguous run, and within it
//! the four channels' next eight weights sit side by side. That is the
//! index [`Packing::index`] gives and the order of the unpacked int16
//! values. In the file, each aligned group of four values `v0 v1 v2 v3` is
//! stored as the bytes `v0 v2 v1 v3` ([`stored_at`]): `SXTB16` of that word
//! gives the int16 pair `(v0, v1)`, and of the word rotated by 8 bits the
//! pair `(v2, v3)`, which is the unpacked order with no shuffling.

use core::fmt;

/// Inputs per group: one `LDM` of four registers holds eight int16 values.
pub const LANES: usize = 8;

/// Output channels accumulated together by the fast kernels.
pub const BLOCK: usize = 4;

/// Weights the fast kernels unpack to int16 at a time (32 KiB of RAM), or
/// one block's if that is more: see [`Packing::unpacked_values`].
pub const UNPACKED_VALUES: usize = 16384;

/// Byte offset, from the start of a layer's weights in the file, of the
/// value at index `at` ([`Packing::index`]): the middle two of every group
/// of four are swapped (see the module docs).
#[inline]
pub const fn stored_at(at: usize) -> usize {
    match at % 4 {
        1 => at + 1,
        2 => at - 1,
        _ => at,
    }
}

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

    /// Number of values (bytes in the file), padding included, or `None` on
    /// overflow.
    pub fn values(&self) -> Option<usize> {
        self.channels.checked_mul(self.taps)?.checked_mul(self.padded_depth())
    }

    /// Values of one block of [`BLOCK`] channels (0 if there are none), and
    /// of one channel past the whole blocks.
    pub const fn block_values(&self) -> (usize, usize) {
        let one = self.taps * self.padded_depth();
        (if self.blocked_channels() > 0 { BLOCK * one } else { 0 }, one)
    }

    /// Size of the int16 buffer the fast kernels unpack weights into: all of
    /// them if they fit in [`UNPACKED_VALUES`], else that many (at least one
    /// block's).
    pub fn unpacked_values(&self) -> usize {
        let (block, one) = self.block_values();
        self.values().unwrap_or(0).min(UNPACKED_VALUES.max(block).max(one))
    }

    /// Channels in the block that starts at channel `first`.
    #[inline]
    pub const fn block_len(&self, first: usize) -> usize {
        if first < self.blocked_channels() { BLOCK } else { 1 }
    }

    /// Index (in values) of the first weight of the block starting at
    /// channel `first` (a multiple of [`BLOCK`], or any channel past the
    /// whole blocks).
    #[inline]
    pub const fn block_start(&self, first: usize) -> usize {
        first * self.taps * self.padded_depth()
    }

    /// Index (in values) of the weight of output channel `o`, tap `t`,
    /// input `i`.
    #[inline]
    pub const fn index(&self, o: usize, t: usize, i: usize) -> usize {
        let first = if o < self.blocked_channels() { o / BLOCK * BLOCK } else { o };
        let n = self.block_len(first);
        let dp = self.padded_depth();
        self.block_start(first) + t * n * dp + (i / LANES) * n * LANES + (o - first) * LANES + i % LANES
    }

    /// Writes the stored bytes of the weights `w(o, t, i)` into `out`
    /// (exactly `values()` bytes long), zeros in the padding.
    pub fn pack(&self, w: impl Fn(usize, usize, usize) -> i8, out: &mut [u8]) {
        out.fill(0);
        for o in 0..self.channels {
            for t in 0..self.taps {
                for i in 0..self.depth {
                    out[stored_at(self.index(o, t, i))] = w(o, t, i) as u8;
                }
            }
        }
    }
}

/// A layer's packed int8 weights, borrowed from the model file (see the
/// module docs for the order).
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct PackedWeights<'a>(&'a [u8]);

impl<'a> PackedWeights<'a> {
    /// Wraps bytes written by [`Packing::pack`].
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

    /// The value at index `at` ([`Packing::index`]). Panics past the end;
    /// validated models never ask.
    #[inline]
    pub fn get(&self, at: usize) -> i16 {
        self.0[stored_at(at)] as i8 as i16
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
            let mut bytes = std::vec![0xAAu8; n];
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
    fn groups_of_four_are_stored_middle_pair_swapped() {
        let stored: std::vec::Vec<usize> = (0..8).map(stored_at).collect();
        assert_eq!(stored, [0, 2, 1, 3, 4, 6, 5, 7]);
    }

    #[test]
    fn the_unpack_buffer_holds_at_least_one_block() {
        let small = Packing { channels: 5, taps: 1, depth: 3 };
        assert_eq!(small.unpacked_values(), small.values().unwrap());
        let wide = Packing { channels: 8, taps: 16, depth: 600 };
        assert_eq!(wide.block_values(), (4 * 16 * 600, 16 * 600));
        assert_eq!(wide.unpacked_values(), 4 * 16 * 600);
        let long = Packing { channels: 3136, taps: 1, depth: 32 };
        assert_eq!(long.unpacked_values(), UNPACKED_VALUES.min(3136 * 32));
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
