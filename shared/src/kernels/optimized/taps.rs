//! Which kernel taps reach an output pixel, and which input pixel each reads.


/// The taps of one output row (or column) of a transposed convolution:
/// kernel taps `first, first + stride, …` (`count` of them) read input rows
/// `input, input − 1, …`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Taps {
    first: usize,
    input: usize,
    count: usize,
}

impl Taps {
    /// The taps with `o = i · stride − padding + k` for `0 ≤ k < kernel`,
    /// `0 ≤ i < input_len`: `k ≡ o + padding (mod stride)`, and each next
    /// tap (`k + stride`) reads the row before (`i − 1`).
    pub(super) fn of(o: usize, kernel: u8, stride: u8, padding: u8, input_len: u16) -> Taps {
        let (kernel, stride, input_len) = (kernel as usize, stride as usize, input_len as usize);
        let none = Taps { first: 0, input: 0, count: 0 };
        if input_len == 0 {
            return none;
        }
        let t = o + padding as usize;
        let (input, first) = div_rem(t, stride); // i for k = first
        let (mut first, mut input) = (first, input);
        if input >= input_len {
            // Skip the taps whose row lies past the input's end.
            let skip = input - (input_len - 1);
            first += skip * stride;
            input = input_len - 1;
        }
        if first >= kernel {
            return none;
        }
        let (q, r) = div_rem(kernel - first, stride);
        let count = (q + (r > 0) as usize).min(input + 1);
        Taps { first, input, count }
    }
}

/// `(n / d, n % d)`, with the usual strides (1, 2) as shifts: called per
/// output pixel, and a Cortex-M0+ has no divide instruction.
#[inline(always)]
fn div_rem(n: usize, d: usize) -> (usize, usize) {
    match d {
        1 => (n, 0),
        2 => (n >> 1, n & 1),
        _ => (n / d, n % d),
    }
}

/// The taps of one output row (or column) of a layer: a transposed
/// convolution's by phase, a convolution's those inside the input.
#[derive(Debug, Clone, Copy)]
pub(super) struct AxisTaps {
    taps: Taps,
    /// How far the kernel index moves per tap: the stride for a transposed
    /// convolution (its phase), 1 for a convolution.
    k_step: usize,
    /// How the input row moves per tap: −1 (transposed), +1 (convolution).
    i_step: isize,
}

impl AxisTaps {
    /// The taps of output row (or column) `o` along one axis: kernel
    /// `kernel`, stride, padding, `input_len` input rows.
    #[inline]
    pub(super) fn of(transposed: bool, o: usize, kernel: u8, stride: u8, padding: u8, input_len: u16) -> Self {
        if transposed {
            let taps = Taps::of(o, kernel, stride, padding, input_len);
            return AxisTaps { taps, k_step: stride as usize, i_step: -1 };
        }
        // A convolution reads i = o·stride − padding + k: consecutive taps,
        // consecutive rows, cut to the input.
        let start = o as i64 * stride as i64 - padding as i64;
        let first = (-start).max(0) as usize;
        let last = (input_len as i64 - start).min(kernel as i64); // one past
        let count = (last - first as i64).max(0) as usize;
        let taps = Taps { first, input: (start + first as i64).max(0) as usize, count };
        AxisTaps { taps, k_step: 1, i_step: 1 }
    }

    /// `(first tap, count)`: positions with the same pattern read the same
    /// taps at inputs shifted by a whole number of rows (or columns).
    #[inline]
    pub(super) fn pattern(self) -> (usize, usize) {
        (self.taps.first, self.taps.count)
    }

    /// The lowest input row (or column) the taps read (the first one's for
    /// no taps).
    #[inline]
    pub(super) fn leftmost_input(self) -> usize {
        if self.i_step < 0 { self.taps.input + 1 - self.taps.count.max(1) } else { self.taps.input }
    }

    /// `(k, i)` for each tap.
    #[inline]
    pub(super) fn iter(self) -> impl Iterator<Item = (usize, usize)> {
        let AxisTaps { taps: Taps { first, input, count }, k_step, i_step } = self;
        (0..count).map(move |n| (first + n * k_step, input.wrapping_add_signed(n as isize * i_step)))
    }
}

/// Calls `tap(t, pixel)` for every kernel tap `t = ky · kw + kx` that reads
/// a real input pixel, with that pixel's index `iy · width + ix`.
#[inline]
pub(super) fn for_each_tap(rows: AxisTaps, cols: AxisTaps, kw: usize, width: usize, mut tap: impl FnMut(usize, usize)) {
    for (ky, iy) in rows.iter() {
        for (kx, ix) in cols.iter() {
            tap(ky * kw + kx, iy * width + ix);
        }
    }
}

#[cfg(test)]
mod taps_tests {
    extern crate std;

    use super::AxisTaps;
    use crate::geometry::{conv_source, transposed_source};

    #[test]
    fn convolution_taps_are_exactly_the_reference_sources() {
        for kernel in 1u8..=5 {
            for stride in 1u8..=3 {
                for padding in 0..kernel {
                    for input_len in 1u16..=6 {
                        for o in 0..(input_len as usize + 3) {
                            let expected: std::vec::Vec<(usize, usize)> = (0..kernel as usize)
                                .filter_map(|k| conv_source(o as i32, k as i32, stride, padding, input_len).map(|i| (k, i)))
                                .collect();
                            let taps: std::vec::Vec<_> = AxisTaps::of(false, o, kernel, stride, padding, input_len).iter().collect();
                            assert_eq!(taps, expected, "o {o} k {kernel} s {stride} p {padding} n {input_len}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn taps_are_exactly_the_reference_sources() {
        for kernel in 1u8..=5 {
            for stride in 1u8..=3 {
                for padding in 0..kernel {
                    for input_len in 1u16..=6 {
                        for o in 0..(input_len as usize * stride as usize + kernel as usize) {
                            let expected: std::vec::Vec<(usize, usize)> = (0..kernel as usize)
                                .filter_map(|k| transposed_source(o as i32, k as i32, stride, padding, input_len).map(|i| (k, i)))
                                .collect();
                            let taps: std::vec::Vec<_> = AxisTaps::of(true, o, kernel, stride, padding, input_len).iter().collect();
                            assert_eq!(taps, expected, "o {o} k {kernel} s {stride} p {padding} n {input_len}");
                        }
                    }
                }
            }
        }
    }
}
