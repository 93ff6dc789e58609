use super::dot::{BLOCK, accumulate_block, accumulate_one};
use crate::format::{ConvGeometry, Layer};
use crate::kernels::{OutputStage, weights};

/// The taps of one output row (or column) of a transposed convolution:
/// kernel taps `first, first + stride, …` (`count` of them) read input rows
/// `input, input − 1, …`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Taps {
    first: usize,
    input: usize,
    count: usize,
}

impl Taps {
    /// The taps with `o = i · stride − padding + k` for `0 ≤ k < kernel`,
    /// `0 ≤ i < input_len`: `k ≡ o + padding (mod stride)`, and each next
    /// tap (`k + stride`) reads the row before (`i − 1`).
    fn of(o: usize, kernel: u8, stride: u8, padding: u8, input_len: u16) -> Taps {
        let (kernel, stride, input_len) = (kernel as usize, stride as usize, input_len as usize);
        let none = Taps { first: 0, input: 0, count: 0 };
        if input_len == 0 {
            return none;
        }
        let t = o + padding as usize;
        let mut first = t % stride;
        let mut input = t / stride; // i for k = first
        if input >= input_len {
            // Skip the taps whose row lies past the input's end.
            let skip = input - (input_len - 1);
            first += skip * stride;
            input = input_len - 1;
        }
        if first >= kernel {
            return none;
        }
        let count = ((kernel - first).div_ceil(stride)).min(input + 1);
        Taps { first, input, count }
    }

    /// `(k, i)` for each tap.
    fn iter(self, stride: u8) -> impl Iterator<Item = (usize, usize)> {
        (0..self.count).map(move |n| (self.first + n * stride as usize, self.input - n))
    }
}

/// 2-D transposed convolution, equal to
/// [`crate::kernels::reference::conv_transpose2d`]: each output pixel visits
/// only the taps of its phase, four output channels at a time.
pub fn conv_transpose2d(layer: &Layer<'_>, g: ConvGeometry, input_zero_point: i8, input: &[i8], output: &mut [i8]) {
    let stage = OutputStage::of(layer);
    let w = weights(&layer.weights);
    let (ih, iw, ic) = (layer.input.height, layer.input.width, layer.input.channels as usize);
    let (oh, ow, oc) = (layer.output.height as usize, layer.output.width as usize, layer.output.channels as usize);
    let (kh, kw) = (g.kernel[0] as usize, g.kernel[1] as usize);
    let zp = input_zero_point as i32;
    let filter = kh * kw * ic; // weights per output channel
    let tap = |o: usize, ky: usize, kx: usize| &w[o * filter + (ky * kw + kx) * ic..][..ic];
    let pixel = |iy: usize, ix: usize| &input[(iy * iw as usize + ix) * ic..][..ic];
    let blocked = oc / BLOCK * BLOCK;
    for oy in 0..oh {
        let rows = Taps::of(oy, g.kernel[0], g.stride[0], g.padding[0], ih);
        for ox in 0..ow {
            let cols = Taps::of(ox, g.kernel[1], g.stride[1], g.padding[1], iw);
            let out = &mut output[(oy * ow + ox) * oc..][..oc];
            for o in (0..blocked).step_by(BLOCK) {
                let mut sums = [0i32; BLOCK];
                for (ky, iy) in rows.iter(g.stride[0]) {
                    for (kx, ix) in cols.iter(g.stride[1]) {
                        let block = [tap(o, ky, kx), tap(o + 1, ky, kx), tap(o + 2, ky, kx), tap(o + 3, ky, kx)];
                        accumulate_block(block, pixel(iy, ix), zp, &mut sums);
                    }
                }
                for (k, s) in sums.into_iter().enumerate() {
                    out[o + k] = stage.finish(o + k, s);
                }
            }
            for o in blocked..oc {
                let mut sum = 0;
                for (ky, iy) in rows.iter(g.stride[0]) {
                    for (kx, ix) in cols.iter(g.stride[1]) {
                        sum = accumulate_one(tap(o, ky, kx), pixel(iy, ix), zp, sum);
                    }
                }
                out[o] = stage.finish(o, sum);
            }
        }
    }
}

#[cfg(test)]
mod taps_tests {
    extern crate std;

    use super::Taps;
    use crate::kernels::transposed_source;

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
                            let taps: std::vec::Vec<_> = Taps::of(o, kernel, stride, padding, input_len).iter(stride).collect();
                            assert_eq!(taps, expected, "o {o} k {kernel} s {stride} p {padding} n {input_len}");
                        }
                    }
                }
            }
        }
    }
}
