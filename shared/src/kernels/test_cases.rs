//! Random layers for kernel tests: shapes, geometries, activations, zero
//! points, weights and requantization factors.

use crate::format::owned::{LayerParts, OwnedLayer};
use crate::format::{Activation, ConvGeometry, Layer, Op, PackedWeights, TensorShape};
use proptest::prelude::*;
use std::vec::Vec;

extern crate std;

/// A random layer and an input for it.
#[derive(Debug, Clone)]
pub struct Case {
    /// The layer, as a model writer would choose it.
    pub parts: LayerParts,
    /// Input codes.
    pub x: Vec<i8>,
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

pub fn case() -> impl Strategy<Value = Case> {
    (shapes(), activation(), any::<i8>(), any::<i8>(), any::<u64>()).prop_map(
        |((op, input, output), activation, input_zp, output_zp, seed)| {
            Case::random(op, input, output, activation, input_zp, output_zp, seed)
        },
    )
}

impl Case {
    /// Random inputs, weights, biases and requantization factors for a layer
    /// of the given shapes.
    pub fn random(
        op: Op,
        input: TensorShape,
        output: TensorShape,
        activation: Activation,
        input_zp: i8,
        output_zp: i8,
        seed: u64,
    ) -> Case {
        let mut rng = crate::latent::LatentSampler::new(seed as u32 ^ (seed >> 32) as u32);
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
        // Factors s_in · s_w / s_out in about [2^-13, 2^-1), as a real
        // layer's are.
        let input_scale = (1.0 + (byte() as u8) as f32 / 256.0) / 32.0;
        let output_scale = if activation == Activation::Tanh {
            1.0 / (16.0 + (byte() as u8 % 48) as f32)
        } else {
            0.02 + (byte() as u8) as f32 / 2048.0
        };
        let weight_scales = (0..channels)
            .map(|_| {
                let fraction = 1.0 + (byte() as u8) as f32 / 256.0;
                let factor = fraction / (1u32 << (1 + byte() as u8 % 12)) as f32;
                factor * output_scale / input_scale
            })
            .collect();
        let parts = LayerParts {
            op,
            input,
            output,
            skip: None,
            activation,
            input_scale,
            input_zero_point: input_zp,
            output_scale,
            output_zero_point: output_zp,
            weight_scales,
            weights: w,
            bias,
        };
        Case { parts, x }
    }

    /// The factor TFLite derives for output channel `c`.
    pub fn factor(&self, c: usize) -> f64 {
        crate::quant::requantization_factor(self.parts.input_scale, self.parts.weight_scales[c], self.parts.output_scale)
    }
}

/// Weights in 4-byte aligned memory (so the fast kernels take them).
pub struct AlignedBytes(Vec<u32>, usize);

impl AlignedBytes {
    pub fn as_bytes(&self) -> &[u8] {
        // SAFETY: a u32 slice viewed as its bytes; `1` ≤ its byte length.
        unsafe { std::slice::from_raw_parts(self.0.as_ptr().cast::<u8>(), self.1) }
    }
}

/// `w` (in `[out][tap][in]` order) packed as `layer`'s file would hold it.
pub fn pack(layer: &Layer<'_>, w: &[i8]) -> AlignedBytes {
    let p = layer.packing().unwrap();
    let mut bytes = std::vec![0u8; p.values().unwrap()];
    p.pack(|o, t, i| w[(o * p.taps + t) * p.depth + i], &mut bytes);
    let words = bytes.chunks(4).map(|c| {
        let mut b = [0u8; 4];
        b[..c.len()].copy_from_slice(c);
        u32::from_ne_bytes(b)
    });
    AlignedBytes(words.collect(), bytes.len())
}

impl Case {
    /// The case as an owned layer, its arrays derived from its scales.
    pub fn owned(&self) -> OwnedLayer {
        OwnedLayer::derive(self.parts.clone(), libm::tanhf).expect("test cases have representable factors")
    }

    /// Calls `f` with the case as a [`Layer`] (its byte arrays live here),
    /// the weights 4-byte aligned.
    pub fn with_layer<R>(&self, f: impl FnOnce(&Layer<'_>) -> R) -> R {
        let owned = self.owned();
        let mut layer = owned.layer();
        let packed = pack(&layer, &self.parts.weights);
        layer.weights = PackedWeights::from_le_bytes(packed.as_bytes());
        f(&layer)
    }
}
