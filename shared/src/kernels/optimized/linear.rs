use super::dot::{BLOCK, accumulate_block, accumulate_one};
use crate::format::Layer;
use crate::kernels::{OutputStage, weights};

/// Fully connected layer, equal to [`crate::kernels::reference::linear`],
/// four output rows at a time.
pub fn linear(layer: &Layer<'_>, input_zero_point: i8, input: &[i8], output: &mut [i8]) {
    let stage = OutputStage::of(layer);
    let w = weights(&layer.weights);
    let n = input.len();
    let zp = input_zero_point as i32;
    let row = |o: usize| &w[o * n..(o + 1) * n];
    let blocked = output.len() / BLOCK * BLOCK;
    for o in (0..blocked).step_by(BLOCK) {
        let mut sums = [0i32; BLOCK];
        accumulate_block([row(o), row(o + 1), row(o + 2), row(o + 3)], input, zp, &mut sums);
        for (k, s) in sums.into_iter().enumerate() {
            output[o + k] = stage.finish(o + k, s);
        }
    }
    for o in blocked..output.len() {
        output[o] = stage.finish(o, accumulate_one(row(o), input, zp, 0));
    }
}
