//! Property tests: every reference kernel against an independent real-valued
//! computation on the same (dequantized) tensors.
//!
//! Stated bounds, in output codes:
//! - Identity / ReLU, fully connected (one rounding, in double): ≤ 0.5 + 1e-6;
//! - Identity / ReLU, convolutions (TFLite's two roundings): ≤ 1.0;
//! - Tanh: the table's input is a code of the layer's output scale `s`, off
//!   by at most one code, and `tanh` has slope ≤ 1, so ≤ 128 · s + 0.5.
//!
//! The transposed convolution's reference is written as a scatter (each
//! input pixel adds its kernel into the output), the kernel as a gather, so
//! their index arithmetic is checked against each other.

use super::run_layer;
use crate::format::{Activation, Op};
use crate::kernels::test_cases::{Case, case};
use proptest::prelude::*;
use std::vec::Vec;

extern crate std;

/// Σ w·(x − zp) per output element, in f64, by an independent method.
fn float_sums(c: &Case) -> Vec<f64> {
    let (ih, iw, ic) = (c.parts.input.height as usize, c.parts.input.width as usize, c.parts.input.channels as usize);
    let (oh, ow, oc) = (c.parts.output.height as usize, c.parts.output.width as usize, c.parts.output.channels as usize);
    let x = |y: usize, xx: usize, ch: usize| (c.x[(y * iw + xx) * ic + ch] as f64) - c.parts.input_zero_point as f64;
    match c.parts.op {
        Op::Linear => (0..c.parts.output.elements().unwrap() as usize)
            .map(|o| (0..c.x.len()).map(|i| c.parts.weights[o * c.x.len() + i] as f64 * (c.x[i] as f64 - c.parts.input_zero_point as f64)).sum())
            .collect(),
        Op::Conv2d(g) => {
            let (kh, kw) = (g.kernel[0] as usize, g.kernel[1] as usize);
            let mut out = std::vec![0.0; oh * ow * oc];
            for oy in 0..oh { for ox in 0..ow { for o in 0..oc {
                let mut s = 0.0;
                for ky in 0..kh { for kx in 0..kw {
                    let iy = (oy * g.stride[0] as usize + ky) as isize - g.padding[0] as isize;
                    let ix = (ox * g.stride[1] as usize + kx) as isize - g.padding[1] as isize;
                    if iy < 0 || ix < 0 || iy as usize >= ih || ix as usize >= iw { continue; }
                    for ch in 0..ic {
                        s += c.parts.weights[((o * kh + ky) * kw + kx) * ic + ch] as f64 * x(iy as usize, ix as usize, ch);
                    }
                }}
                out[(oy * ow + ox) * oc + o] = s;
            }}}
            out
        }
        Op::ConvTranspose2d(g) => {
            // Scatter: every input pixel adds w·x at y = i·s − p + k.
            let (kh, kw) = (g.kernel[0] as usize, g.kernel[1] as usize);
            let mut out = std::vec![0.0; oh * ow * oc];
            for iy in 0..ih { for ix in 0..iw { for ky in 0..kh { for kx in 0..kw {
                let oy = (iy * g.stride[0] as usize + ky) as isize - g.padding[0] as isize;
                let ox = (ix * g.stride[1] as usize + kx) as isize - g.padding[1] as isize;
                if oy < 0 || ox < 0 || oy as usize >= oh || ox as usize >= ow { continue; }
                for o in 0..oc { for ch in 0..ic {
                    out[(oy as usize * ow + ox as usize) * oc + o] +=
                        c.parts.weights[((o * kh + ky) * kw + kx) * ic + ch] as f64 * x(iy, ix, ch);
                }}
            }}}}
            out
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn kernels_match_real_arithmetic(c in case()) {
        let out = c.with_layer(|layer| {
            let mut out = std::vec![0i8; c.parts.output.elements().unwrap() as usize];
            run_layer(layer, c.parts.input_zero_point, &c.x, &mut out);
            out
        });

        let sums = float_sums(&c);
        let per_channel = matches!(c.parts.op, Op::Linear);
        for (i, (&q, &s)) in out.iter().zip(&sums).enumerate() {
            let ch = if per_channel { i } else { i % c.parts.output.channels as usize };
            let real = (s + c.parts.bias[ch] as f64) * c.factor(ch) + c.parts.output_zero_point as f64;
            let rounding = if per_channel { 0.5 + 1e-6 } else { 1.0 };
            let (expected, bound) = match c.parts.activation {
                Activation::Identity => (real.clamp(-128.0, 127.0), rounding),
                Activation::Relu => (real.clamp(c.parts.output_zero_point as f64, 127.0), rounding),
                Activation::Tanh => {
                    let pre = (real.clamp(-128.0, 127.0) - c.parts.output_zero_point as f64) * c.parts.output_scale as f64;
                    ((128.0 * pre.tanh()).clamp(-128.0, 127.0), 128.0 * c.parts.output_scale as f64 + 0.5)
                }
            };
            prop_assert!((q as f64 - expected).abs() <= bound,
                "element {} of {:?}: kernel {} vs real {} (bound {})", i, c.parts.op, q, expected, bound);
        }
    }
}
