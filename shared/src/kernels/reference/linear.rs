use crate::format::Layer;
use crate::kernels::{OutputStage, Weights};

/// Fully connected layer: `out[o] = Σ_i w[o][i] · (in[i] − zp_in)`, then the
/// output stage of channel `o`.
pub fn linear(layer: &Layer<'_>, input_zero_point: i8, input: &[i8], output: &mut [i8]) {
    let stage = OutputStage::of(layer);
    let w = Weights::of(layer);
    let zp = input_zero_point as i32;
    for (o, out) in output.iter_mut().enumerate() {
        let mut sum = 0i32;
        for (i, &xi) in input.iter().enumerate() {
            sum = sum.wrapping_add(w.get(o, 0, i) * (xi as i32 - zp));
        }
        *out = stage.finish(o, sum);
    }
}
