//! Reference kernels: one output element at a time, no tricks.
//!
//! Activations are int8 in HWC order. `input_zero_point` is subtracted from
//! every input code, so padding (taps outside the input) contributes exactly
//! zero, as real zeros do in the float model.

mod conv2d;
mod conv_transpose2d;
mod linear;

pub use conv2d::conv2d;
pub use conv_transpose2d::conv_transpose2d;
pub use linear::linear;

use crate::format::{Layer, Op};

/// Runs one validated layer: `input` has `layer.input` elements, `output`
/// receives `layer.output` elements.
pub fn run_layer(layer: &Layer<'_>, input_zero_point: i8, input: &[i8], output: &mut [i8]) {
    match layer.op {
        Op::Linear => linear(layer, input_zero_point, input, output),
        Op::Conv2d(g) => conv2d(layer, g, input_zero_point, input, output),
        Op::ConvTranspose2d(g) => conv_transpose2d(layer, g, input_zero_point, input, output),
    }
}

#[cfg(test)]
mod tests;
