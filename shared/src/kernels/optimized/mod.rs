//! Faster kernels with the reference kernels' exact results.
//!
//! What makes them faster, portably (no DSP instructions yet):
//! - **Output-channel blocking**: four output channels are accumulated
//!   together, so each input code is loaded and has its zero point
//!   subtracted once per four multiply-accumulates instead of once per one.
//! - **Transposed convolutions by phase**: the taps that reach an output
//!   row are `ky ≡ y + padding (mod stride)`, with the input row stepping
//!   down by one per tap. They are enumerated directly, so no work (not
//!   even a test) is spent on the taps that would hit inserted zeros.
//!
//! Integer sums wrap modulo 2³² exactly as the reference's do, and wrapping
//! addition is associative and commutative, so any summation order gives
//! the same bits: the tests check equality, not closeness.

mod conv_transpose2d;
mod dot;
mod linear;

pub use conv_transpose2d::conv_transpose2d;
pub use linear::linear;

use crate::format::{Layer, Op};

/// Runs one validated layer with the fastest kernel for its op (the
/// reference one where there is no faster one yet: `Conv2d`).
pub fn run_layer(layer: &Layer<'_>, input_zero_point: i8, input: &[i8], output: &mut [i8]) {
    match layer.op {
        Op::Linear => linear(layer, input_zero_point, input, output),
        Op::Conv2d(g) => super::reference::conv2d(layer, g, input_zero_point, input, output),
        Op::ConvTranspose2d(g) => conv_transpose2d(layer, g, input_zero_point, input, output),
    }
}

#[cfg(test)]
mod tests;
