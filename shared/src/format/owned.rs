//! A layer with owned arrays, for writers of model files (the host's
//! exporter, tests): the writer chooses the int8 weights, the int32 biases
//! and the float32 scales; everything else a [`Layer`] stores is derived
//! from them here, with the rules [`crate::Model::parse`] checks.
//!
//! Needs `alloc` (the `alloc` feature, or a test build); the firmware never
//! builds it.

extern crate alloc;

use super::{
    Activation, AlignmentPadding, ChannelRequantization, F32Array, F64Array, I8Array, I32Array, Layer, Op, PackedWeights,
    Packing, Requantization, TensorShape, channel_requantization,
};
use crate::quant::{requantization_factor, tanh_table};
use alloc::vec;
use alloc::vec::Vec;

/// What a writer chooses for one layer.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerParts {
    /// The operation.
    pub op: Op,
    /// Input shape.
    pub input: TensorShape,
    /// Output shape.
    pub output: TensorShape,
    /// The earlier layer whose output joins the input ([`Layer::skip`]).
    pub skip: Option<u16>,
    /// The fused activation.
    pub activation: Activation,
    /// Input scale (the previous layer's output scale).
    pub input_scale: f32,
    /// Input zero point.
    pub input_zero_point: i8,
    /// Output scale (for `Tanh`: of the codes the table reads).
    pub output_scale: f32,
    /// Output zero point.
    pub output_zero_point: i8,
    /// Weight scale per output channel.
    pub weight_scales: Vec<f32>,
    /// int8 weights, logically `[out][tap][in]`.
    pub weights: Vec<i8>,
    /// int32 bias per output channel.
    pub bias: Vec<i32>,
}

impl LayerParts {
    /// Where each weight lives in the packed array the file stores.
    pub fn packing(&self) -> Option<Packing> {
        self.op.packing(self.input, self.output)
    }
}

/// Why [`OwnedLayer::derive`] refused a layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeriveError {
    /// The weights, biases or scales do not match the shapes.
    Lengths,
    /// A scale is not finite and positive, or gives a factor that TFLite's
    /// rules cannot represent (channel given).
    Factor(usize),
}

impl core::fmt::Display for DeriveError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            DeriveError::Lengths => f.write_str("the layer's weights, biases or scales do not match its shapes"),
            DeriveError::Factor(c) => write!(
                f,
                "output channel {c}'s scales give a requantization factor TFLite cannot represent \
                 (activations out of range: has the model diverged?)"
            ),
        }
    }
}

/// A layer's chosen parts and the arrays derived from them, as the file
/// stores them.
#[derive(Debug, Clone, PartialEq)]
pub struct OwnedLayer {
    /// What the writer chose.
    pub parts: LayerParts,
    /// The weights widened and packed ([`super::packed`]), little-endian.
    pub packed: Vec<u8>,
    /// Biases, little-endian.
    pub bias: Vec<u8>,
    /// Weight scales, little-endian.
    pub weight_scales: Vec<u8>,
    /// `Fixed` multipliers, little-endian (empty for `Linear`).
    pub multiplier: Vec<u8>,
    /// `Fixed` shifts (empty for `Linear`).
    pub shift: Vec<i8>,
    /// `Float` factors, little-endian (only for `Linear`).
    pub factor: Vec<u8>,
    /// The tanh table (only for `Tanh`).
    pub tanh_table: Vec<i8>,
}

impl OwnedLayer {
    /// Derives the stored arrays from `parts`. `tanh` is the f32 `tanh` the
    /// table is computed with (on the host: the C library's, as LiteRT's).
    pub fn derive(parts: LayerParts, tanh: impl Fn(f32) -> f32) -> Result<Self, DeriveError> {
        let p = &parts;
        let packing = p.packing().ok_or(DeriveError::Lengths)?;
        let channels = packing.channels;
        let logical = channels * packing.taps * packing.depth;
        if p.bias.len() != channels || p.weight_scales.len() != channels || p.weights.len() != logical {
            return Err(DeriveError::Lengths);
        }
        let mut packed = vec![0u8; packing.values().ok_or(DeriveError::Lengths)?];
        packing.pack(|o, t, i| p.weights[(o * packing.taps + t) * packing.depth + i], &mut packed);
        let bias = p.bias.iter().flat_map(|b| b.to_le_bytes()).collect();
        let weight_scales = p.weight_scales.iter().flat_map(|s| s.to_le_bytes()).collect();
        let (mut multiplier, mut shift, mut factor) = (Vec::new(), Vec::new(), Vec::new());
        for (c, &s_w) in p.weight_scales.iter().enumerate() {
            if !(s_w.is_finite() && s_w > 0.0) {
                return Err(DeriveError::Factor(c));
            }
            match channel_requantization(p.op, requantization_factor(p.input_scale, s_w, p.output_scale)) {
                Some(ChannelRequantization::Float(f)) => factor.extend_from_slice(&f.to_le_bytes()),
                Some(ChannelRequantization::Fixed(m, s)) => {
                    multiplier.extend_from_slice(&m.to_le_bytes());
                    shift.push(s);
                }
                None => return Err(DeriveError::Factor(c)),
            }
        }
        let tanh_table = if p.activation == Activation::Tanh {
            tanh_table(p.output_scale, p.output_zero_point, tanh).to_vec()
        } else {
            Vec::new()
        };
        Ok(OwnedLayer { parts, packed, bias, weight_scales, multiplier, shift, factor, tanh_table })
    }

    /// The format's view of this layer (the encoder chooses the padding
    /// that aligns the weights).
    pub fn layer(&self) -> Layer<'_> {
        let p = &self.parts;
        let requantization = match p.op {
            Op::Linear => Requantization::Float { factor: F64Array::from_le_bytes(&self.factor) },
            Op::Conv2d(_) | Op::ConvTranspose2d(_) => Requantization::Fixed {
                multiplier: I32Array::from_le_bytes(&self.multiplier),
                shift: I8Array::new(&self.shift),
            },
        };
        Layer {
            op: p.op,
            input: p.input,
            output: p.output,
            skip: p.skip,
            activation: p.activation,
            input_scale: p.input_scale,
            input_zero_point: p.input_zero_point,
            output_scale: p.output_scale,
            output_zero_point: p.output_zero_point,
            weight_scales: F32Array::from_le_bytes(&self.weight_scales),
            bias: I32Array::from_le_bytes(&self.bias),
            requantization,
            tanh_table: I8Array::new(&self.tanh_table),
            align: AlignmentPadding::default(),
            weights: PackedWeights::from_le_bytes(&self.packed),
        }
    }
}
