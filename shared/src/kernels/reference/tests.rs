//! Property tests: every reference kernel against an independent real-valued
//! computation on the same (dequantized) tensors.
//!
//! Stated bounds, in output codes:
//! - Identity / ReLU: ≤ 0.5 + 1e-6 (only the final rounding differs);
//! - LeakyReLU: ≤ 1.0 (plus the slope's rounding in accumulator units);
//! - Tanh: ≤ 2.5 (the table input is rounded to 1/32: 0.5/32 · 127 ≈ 2 codes,
//!   plus the output rounding).
//!
//! The transposed convolution's reference is written as a scatter (each
//! input pixel adds its kernel into the output), the kernel as a gather, so
//! their index arithmetic is checked against each other.

use super::run_layer;
use crate::format::{Activation, ConvGeometry, I8Array, I32Array, Layer, Op, TensorShape};
use crate::kernels::TANH_INPUT_FRAC_BITS;
use proptest::prelude::*;
use std::vec::Vec;

extern crate std;

#[derive(Debug, Clone)]
struct Case {
    op: Op,
    input: TensorShape,
    output: TensorShape,
    activation: Activation,
    input_zp: i8,
    output_zp: i8,
    x: Vec<i8>,
    w: Vec<i8>,
    bias: Vec<i32>,
    /// Requantization factors as (multiplier, shift).
    requant: Vec<(i32, i8)>,
}

fn geometry() -> impl Strategy<Value = ConvGeometry> {
    (1u8..=4, 1u8..=4, 1u8..=3, 1u8..=3, 0u8..=2, 0u8..=2).prop_map(|(kh, kw, sh, sw, ph, pw)| {
        ConvGeometry { kernel: [kh, kw], stride: [sh, sw], padding: [ph.min(kh - 1), pw.min(kw - 1)], output_padding: [0, 0] }
    })
}

fn activation() -> impl Strategy<Value = Activation> {
    prop_oneof![
        Just(Activation::Identity),
        Just(Activation::Relu),
        (0i16..=16384).prop_map(|s| Activation::LeakyRelu { negative_slope_q15: s }),
        Just(Activation::Tanh),
    ]
}

fn shapes() -> impl Strategy<Value = (Op, TensorShape, TensorShape)> {
    let linear = (1u16..=40, 1u16..=24)
        .prop_map(|(i, o)| (Op::Linear, TensorShape::vector(i), TensorShape::vector(o)));
    let conv = (geometry(), 1u16..=7, 1u16..=7, 1u16..=5, 1u16..=5).prop_filter_map(
        "input smaller than kernel",
        |(g, h, w, ic, oc)| {
            let oh = (h as i32 + 2 * g.padding[0] as i32 - g.kernel[0] as i32) / g.stride[0] as i32 + 1;
            let ow = (w as i32 + 2 * g.padding[1] as i32 - g.kernel[1] as i32) / g.stride[1] as i32 + 1;
            let fits = h as i32 + 2 * g.padding[0] as i32 >= g.kernel[0] as i32
                && w as i32 + 2 * g.padding[1] as i32 >= g.kernel[1] as i32;
            fits.then_some({
                (
                    Op::Conv2d(g),
                    TensorShape { height: h, width: w, channels: ic },
                    TensorShape { height: oh as u16, width: ow as u16, channels: oc },
                )
            })
        },
    );
    let convt = (geometry(), 1u16..=5, 1u16..=5, 1u16..=5, 1u16..=5, 0u8..=2).prop_filter_map(
        "empty output",
        |(mut g, h, w, ic, oc, op)| {
            g.output_padding = [op.min(g.stride[0] - 1), op.min(g.stride[1] - 1)];
            let oh = (h as i32 - 1) * g.stride[0] as i32 + g.kernel[0] as i32 + g.output_padding[0] as i32 - 2 * g.padding[0] as i32;
            let ow = (w as i32 - 1) * g.stride[1] as i32 + g.kernel[1] as i32 + g.output_padding[1] as i32 - 2 * g.padding[1] as i32;
            (oh > 0 && ow > 0).then_some({
                (
                    Op::ConvTranspose2d(g),
                    TensorShape { height: h, width: w, channels: ic },
                    TensorShape { height: oh as u16, width: ow as u16, channels: oc },
                )
            })
        },
    );
    prop_oneof![linear, conv, convt]
}

fn case() -> impl Strategy<Value = Case> {
    (shapes(), activation(), any::<i8>(), any::<i8>(), any::<u64>()).prop_map(
        |((op, input, output), activation, input_zp, output_zp, seed)| {
            let mut rng = crate::LatentSampler::new(seed as u32 ^ (seed >> 32) as u32);
            let mut byte = || rng.next_u32() as i8;
            let n_in = input.elements().unwrap() as usize;
            let channels = match op {
                Op::Linear => output.elements().unwrap() as usize,
                _ => output.channels as usize,
            };
            let reduction = match op {
                Op::Linear => n_in,
                Op::Conv2d(g) | Op::ConvTranspose2d(g) => {
                    g.kernel[0] as usize * g.kernel[1] as usize * input.channels as usize
                }
            };
            let x = (0..n_in).map(|_| byte()).collect();
            let w = (0..channels * reduction).map(|_| byte()).collect();
            let bias = (0..channels).map(|_| (byte() as i32) * 97).collect();
            let requant = (0..channels)
                .map(|_| {
                    let m = (1i32 << 30) + ((byte() as i32 + 128) << 22);
                    let shift = -((byte() as u8 % 12) as i8) - 1; // factor in ~[2^-13, 2^-1)
                    (m, shift)
                })
                .collect();
            let output_zp = if activation == Activation::Tanh { 0 } else { output_zp };
            Case { op, input, output, activation, input_zp, output_zp, x, w, bias, requant }
        },
    )
}

/// Σ w·(x − zp) per output element, in f64, by an independent method.
fn float_sums(c: &Case) -> Vec<f64> {
    let (ih, iw, ic) = (c.input.height as usize, c.input.width as usize, c.input.channels as usize);
    let (oh, ow, oc) = (c.output.height as usize, c.output.width as usize, c.output.channels as usize);
    let x = |y: usize, xx: usize, ch: usize| (c.x[(y * iw + xx) * ic + ch] as f64) - c.input_zp as f64;
    match c.op {
        Op::Linear => (0..c.output.elements().unwrap() as usize)
            .map(|o| (0..c.x.len()).map(|i| c.w[o * c.x.len() + i] as f64 * (c.x[i] as f64 - c.input_zp as f64)).sum())
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
                        s += c.w[((o * kh + ky) * kw + kx) * ic + ch] as f64 * x(iy as usize, ix as usize, ch);
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
                        c.w[((o * kh + ky) * kw + kx) * ic + ch] as f64 * x(iy, ix, ch);
                }}
            }}}}
            out
        }
    }
}

fn le_bytes(v: &[i32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn kernels_match_real_arithmetic(c in case()) {
        let bias = le_bytes(&c.bias);
        let mult: Vec<i32> = c.requant.iter().map(|r| r.0).collect();
        let mult = le_bytes(&mult);
        let shift: Vec<i8> = c.requant.iter().map(|r| r.1).collect();
        let layer = Layer {
            op: c.op,
            input: c.input,
            output: c.output,
            activation: c.activation,
            output_zero_point: c.output_zp,
            output_scale: 1.0,
            weights: I8Array::new(&c.w),
            bias: I32Array::from_le_bytes(&bias),
            multiplier: I32Array::from_le_bytes(&mult),
            shift: I8Array::new(&shift),
        };
        let mut out = std::vec![0i8; c.output.elements().unwrap() as usize];
        run_layer(&layer, c.input_zp, &c.x, &mut out);

        let sums = float_sums(&c);
        let per_channel = matches!(c.op, Op::Linear);
        for (i, (&q, &s)) in out.iter().zip(&sums).enumerate() {
            let ch = if per_channel { i } else { i % c.output.channels as usize };
            let (m, shift) = c.requant[ch];
            let factor = m as f64 * 2f64.powi(shift as i32 - 31);
            let mut acc = s + c.bias[ch] as f64;
            let (expected, bound) = match c.activation {
                Activation::Identity => ((acc * factor + c.output_zp as f64).clamp(-128.0, 127.0), 0.5 + 1e-6),
                Activation::Relu => ((acc * factor + c.output_zp as f64).clamp(c.output_zp as f64, 127.0), 0.5 + 1e-6),
                Activation::LeakyRelu { negative_slope_q15 } => {
                    if acc < 0.0 { acc *= negative_slope_q15 as f64 / 32768.0; }
                    ((acc * factor + c.output_zp as f64).clamp(-128.0, 127.0), 1.0)
                }
                Activation::Tanh => {
                    let pre = (acc * factor).clamp(-128.0, 127.0) / (1u32 << TANH_INPUT_FRAC_BITS) as f64;
                    (127.0 * pre.tanh(), 2.5)
                }
            };
            prop_assert!((q as f64 - expected).abs() <= bound,
                "element {} of {:?}: kernel {} vs real {} (bound {})", i, c.op, q, expected, bound);
        }
    }
}
