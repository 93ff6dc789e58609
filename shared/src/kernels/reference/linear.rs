use crate::format::Layer;
use crate::kernels::{OutputStage, weights};

/// Fully connected layer: `out[o] = Σ_i w[o][i] · (in[i] − zp_in)`, then the
/// output stage of channel `o`.
pub fn linear(layer: &Layer<'_>, input_zero_point: i8, input: &[i8], output: &mut [i8]) {
    let stage = OutputStage::of(layer);
    let w = weights(&layer.weights);
    let n = input.len();
    let zp = input_zero_point as i32;
    for (o, out) in output.iter_mut().enumerate() {
        let row = &w[o * n..(o + 1) * n];
        let mut sum = 0i32;
        for (&wi, &xi) in row.iter().zip(input) {
            sum = sum.wrapping_add(wi as i32 * (xi as i32 - zp));
        }
        *out = stage.finish(o, sum);
    }
}
