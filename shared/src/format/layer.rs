//! The header and layer records of a model payload.
//!
//! Large arrays are stored as postcard byte strings and borrowed straight from
//! the file: on a board the weights stay in flash and are never copied.
//! Multi-byte integers in those arrays are little-endian, read on access,
//! so no alignment is assumed.

use super::packed::{Packing, PackedWeights};
use core::fmt;
use serde::de::{Deserializer, Error as _, Visitor};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};

/// The model header: what a model generates and how many layers follow.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Header<'a> {
    /// A short human-readable name (for example `dcgan-digits`).
    pub name: &'a str,
    /// Number of latent values the generator takes.
    pub latent_dim: u16,
    /// Number of classes for a conditional model, 0 for an unconditional one.
    /// A conditional model's input is the latent followed by a one-hot class
    /// vector, see [`crate::generator`].
    pub classes: u16,
    /// Fractional bits of the latent codes; must be
    /// [`crate::latent::LATENT_FRAC_BITS`].
    pub latent_frac_bits: u8,
    /// Shape of the generated image (height, width, channels).
    pub image: TensorShape,
    /// Number of layer records after the header.
    pub layer_count: u16,
    /// For a translator (image-to-image model): the input image and its
    /// quantization; `latent_dim` and `classes` are then 0. `None` for a
    /// generator, whose input is the latent.
    pub input_image: Option<ImageInput>,
}

/// A text model's condition (format version 6): the prompt's words, as
/// [`crate::text`] tokenizes them, each with a row of the embedding table;
/// the generator's input is the latent followed by the mean of the rows of
/// the words a prompt holds ([`crate::text::mean_embedding`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TextCondition<'a> {
    /// The words, each followed by `\n` ([`crate::text::Vocabulary`]).
    pub vocabulary: &'a str,
    /// Codes per embedding row (the condition's width in the generator's input).
    pub dim: u16,
    /// `words × dim` int8 codes, row `i` for word `i`, in the latent's
    /// quantization ([`crate::latent::LATENT_SCALE`]), so their mean is a
    /// valid generator input as it is.
    #[serde(borrow)]
    pub embedding: I8Array<'a>,
}

/// A sound model's condition (format version 7): how the board hears a
/// recording ([`crate::hearing`]) and the encoder that turns what it heard
/// into the generator's condition. The generator's input is the latent
/// followed by the encoder's `labels` outputs (logits, in the latent's
/// quantization), which also name what it heard.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AudioCondition<'a> {
    /// Samples per second the front end expects ([`crate::audio::SAMPLE_RATE`]).
    pub sample_rate: u32,
    /// Samples per frame ([`crate::audio::FRAME_LEN`]).
    pub frame_len: u16,
    /// Samples between frames ([`crate::audio::HOP_LEN`]).
    pub hop_len: u16,
    /// Mel bands ([`crate::audio::MEL_BANDS`]).
    pub mel_bands: u8,
    /// MFCCs per frame ([`crate::audio::COEFFICIENTS`]).
    pub coefficients: u8,
    /// Frames the encoder takes: the speech is stretched to this many.
    pub frames: u16,
    /// Per coefficient, the right shift from its Q8 value to the encoder's
    /// input code (see [`crate::hearing::encoder_input`]).
    #[serde(borrow)]
    pub shifts: I8Array<'a>,
    /// The encoder's outputs' names, each followed by `\n` (`zero\n…nine\n`).
    pub labels: &'a str,
    /// Zero bytes that put [`Self::encoder`] on a 4-byte boundary of the file.
    #[serde(borrow)]
    pub align: AlignmentPadding<'a>,
    /// The encoder: a whole model file (version 5) whose input is the
    /// `1 × frames × coefficients` feature codes and whose output is the
    /// `labels` logits ([`crate::Model::parse_encoder`]).
    #[serde(borrow)]
    pub encoder: ModelBytes<'a>,
}

/// A model file inside a model file (a sound model's encoder), stored as a
/// postcard byte string.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct ModelBytes<'a>(&'a [u8]);

impl<'a> ModelBytes<'a> {
    /// Wraps a model file's bytes (for writing a model).
    pub const fn new(bytes: &'a [u8]) -> Self {
        ModelBytes(bytes)
    }

    /// The bytes.
    pub const fn as_bytes(&self) -> &'a [u8] {
        self.0
    }
}

impl fmt::Debug for ModelBytes<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ModelBytes[{}]", self.0.len())
    }
}

impl Serialize for ModelBytes<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(self.0)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for ModelBytes<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_bytes(BorrowedBytes).map(ModelBytes)
    }
}

/// A translator's input: an image of int8 codes, HWC.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ImageInput {
    /// The image's shape.
    pub shape: TensorShape,
    /// Real value of one code step (1/128: code `c` stands for `c / 128`,
    /// as in the generated images, see [`crate::pixels`]).
    pub scale: f32,
    /// Zero point of the codes.
    pub zero_point: i8,
}

/// A tensor shape in height × width × channels order, which is also the
/// memory order of every activation (HWC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TensorShape {
    /// Rows.
    pub height: u16,
    /// Columns.
    pub width: u16,
    /// Channels, the fastest-varying index in memory.
    pub channels: u16,
}

impl TensorShape {
    /// A flat vector of `n` values.
    pub const fn vector(n: u16) -> Self {
        TensorShape { height: 1, width: 1, channels: n }
    }

    /// Number of elements, or `None` if it overflows `u32`.
    pub fn elements(&self) -> Option<u32> {
        (self.height as u32)
            .checked_mul(self.width as u32)?
            .checked_mul(self.channels as u32)
    }
}

/// Kernel size, stride and padding of a (transposed) convolution, each as
/// `[vertical, horizontal]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConvGeometry {
    /// Kernel height and width.
    pub kernel: [u8; 2],
    /// Stride.
    pub stride: [u8; 2],
    /// Zero padding on each side (for a transposed convolution: the padding
    /// removed from each side of the full output, as in PyTorch and burn).
    pub padding: [u8; 2],
    /// Extra rows/columns at the bottom/right of a transposed convolution's
    /// output (`output_padding`); always zero for `Conv2d`.
    pub output_padding: [u8; 2],
}

/// What a layer computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Op {
    /// Fully connected: every output element is a dot product with the whole
    /// (flattened) input. Weights logically `[out][in]` (one tap), packed per [`crate::format::packed`].
    Linear,
    /// 2-D convolution. Weights logically `[out_ch][kh][kw][in_ch]`, packed per [`crate::format::packed`].
    Conv2d(ConvGeometry),
    /// 2-D transposed convolution (fractionally strided).
    /// Weights logically `[out_ch][kh][kw][in_ch]`, packed per [`crate::format::packed`].
    ConvTranspose2d(ConvGeometry),
}

impl Op {
    /// Where each weight of a layer doing this op from `input` to `output`
    /// lives in its packed weights, or `None` if the sizes overflow.
    pub fn packing(self, input: TensorShape, output: TensorShape) -> Option<Packing> {
        Some(match self {
            Op::Linear => Packing { channels: output.elements()? as usize, taps: 1, depth: input.elements()? as usize },
            Op::Conv2d(g) | Op::ConvTranspose2d(g) => Packing {
                channels: output.channels as usize,
                taps: g.kernel[0] as usize * g.kernel[1] as usize,
                depth: input.channels as usize,
            },
        })
    }
}

/// The activation fused into a layer's output stage.
///
/// These are the activations TFLite fuses into (or, for `tanh`, runs right
/// after) its int8 convolutions and fully connected layers, with TFLite's
/// arithmetic, so a model exports to `.tflite` as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Activation {
    /// None: the output saturates to int8.
    Identity,
    /// `max(x, 0)`: the output clamps at its zero point.
    Relu,
    /// `tanh`, TFLite's int8 `TANH` after the layer: the layer requantizes
    /// to int8 codes of [`Layer::output_scale`] and
    /// [`Layer::output_zero_point`], then [`Layer::tanh_table`] maps each
    /// code to a code of scale 1/128, zero point 0. Only the last layer may
    /// use it.
    Tanh,
}

/// How a layer scales its int32 accumulators to output codes, derived from
/// its float32 scales exactly as TFLite's reference kernels derive theirs
/// (see [`crate::quant`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Requantization<'a> {
    /// TFLite's integer rule (`CONV_2D`, `TRANSPOSE_CONV`): per output
    /// channel, `multiplier` and `shift` from `QuantizeMultiplier`, applied
    /// by [`crate::quant::multiply_by_quantized_multiplier`].
    Fixed {
        /// int32 multiplier per output channel, `0` or in `2^30..2^31`.
        #[serde(borrow)]
        multiplier: I32Array<'a>,
        /// Shift per output channel, in `-31..=30`.
        #[serde(borrow)]
        shift: I8Array<'a>,
    },
    /// LiteRT's reference `FULLY_CONNECTED`: per output element, the double
    /// `factor`, applied by [`crate::quant::scale_by_factor`].
    Float {
        /// `(s_in · s_w) / s_out` in double precision, per output element.
        #[serde(borrow)]
        factor: F64Array<'a>,
    },
}

/// One layer: the operation, its shapes, and its quantized parameters.
///
/// Quantization is TFLite's int8 scheme: activations are int8 with a
/// per-tensor float32 scale and zero point, weights are symmetric int8 with
/// a float32 scale per output channel, biases are int32 in units of
/// `input_scale · weight_scale[c]`. The scales are the source of truth; the
/// [`Requantization`] stored beside them is derived from them, and
/// [`crate::Model::parse`] checks that it is.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Layer<'a> {
    /// The operation.
    pub op: Op,
    /// Input shape (a `Linear` flattens it).
    pub input: TensorShape,
    /// Output shape (a `Linear` writes its outputs in this HWC order).
    pub output: TensorShape,
    /// A skip connection: the output of earlier layer `k` joins the
    /// previous layer's output, its channels after the previous ones at
    /// every pixel (channel concatenation, as a U-Net's decoder takes its
    /// encoder's activation). `input` is the joined shape, and both parts
    /// share one scale and zero point, so joining is a copy (TFLite's
    /// converter ties `CONCATENATION`'s input scales the same way). Skips
    /// nest: the latest kept output is joined first.
    pub skip: Option<u16>,
    /// The fused activation.
    pub activation: Activation,
    /// Real value of one input code step: the previous layer's output
    /// scale, or the latent's 2⁻⁵ for the first layer.
    pub input_scale: f32,
    /// Zero point of the input codes.
    pub input_zero_point: i8,
    /// Real value of one output code step (for a `Tanh` layer: of the codes
    /// the table reads).
    pub output_scale: f32,
    /// Zero point of the output codes.
    pub output_zero_point: i8,
    /// Weight scale per output channel (per output element for `Linear`).
    #[serde(borrow)]
    pub weight_scales: F32Array<'a>,
    /// int32 bias per output channel (per output element for `Linear`).
    #[serde(borrow)]
    pub bias: I32Array<'a>,
    /// The accumulators' scaling: `Float` for `Linear`, `Fixed` otherwise.
    #[serde(borrow)]
    pub requantization: Requantization<'a>,
    /// For a `Tanh` layer, TFLite's 256-entry `TANH` table
    /// ([`crate::quant::tanh_table`] of the output scale and zero point),
    /// indexed by code + 128; empty otherwise. Stored, not computed on the
    /// board, so no target's `tanhf` can differ from the host's.
    #[serde(borrow)]
    pub tanh_table: I8Array<'a>,
    /// Zero bytes (0 to 3) that put `weights` at a multiple of 4 bytes from
    /// the start of the file, so a board that keeps the file 4-byte aligned
    /// in flash can read the weights with word loads. [`crate::format::encode`]
    /// chooses them.
    #[serde(borrow)]
    pub align: AlignmentPadding<'a>,
    /// The int8 weights, packed for the fast
    /// kernels: see [`crate::format::packed`]. Logically `[out][tap][in]`
    /// with taps `[kh][kw]` for the convolutions.
    #[serde(borrow)]
    pub weights: PackedWeights<'a>,
}

impl Layer<'_> {
    /// Number of output channels, i.e. of biases and requantization pairs
    /// (every output element for `Linear`).
    pub fn output_channels(&self) -> Option<u32> {
        match self.op {
            Op::Linear => self.output.elements(),
            Op::Conv2d(_) | Op::ConvTranspose2d(_) => Some(self.output.channels as u32),
        }
    }

    /// Length of one dot product (per output element), ignoring the
    /// zero taps a transposed convolution skips.
    pub fn reduction_len(&self) -> Option<u32> {
        match self.op {
            Op::Linear => self.input.elements(),
            Op::Conv2d(g) | Op::ConvTranspose2d(g) => (g.kernel[0] as u32)
                .checked_mul(g.kernel[1] as u32)?
                .checked_mul(self.input.channels as u32),
        }
    }

    /// Where each weight lives in [`Layer::weights`].
    pub fn packing(&self) -> Option<Packing> {
        self.op.packing(self.input, self.output)
    }

    /// Staging words (`u32`, two int16 values each) the optimized kernels
    /// need for this layer: every input pixel's channels padded to a
    /// multiple of [`LANES`](crate::format::packed::LANES)
    /// ([`Layer::staged_input_words`]), then the weights unpacked to int16
    /// ([`Packing::unpacked_values`]), then one int32 per input pixel (the
    /// sum of its staged inputs, which a Cortex-M0+ needs; the plan is the
    /// same on every core). The scratch plan reserves the largest layer's.
    pub fn staging_words(&self) -> usize {
        let Some(p) = self.packing() else { return 0 };
        self.staged_input_words() + p.unpacked_values().div_ceil(2) + self.input_pixels()
    }

    /// Input pixels the fast kernels stage (one for `Linear`).
    pub fn input_pixels(&self) -> usize {
        match self.op {
            Op::Linear => 1,
            Op::Conv2d(_) | Op::ConvTranspose2d(_) => self.input.height as usize * self.input.width as usize,
        }
    }

    /// The staged input's share of [`Layer::staging_words`].
    pub fn staged_input_words(&self) -> usize {
        let Some(p) = self.packing() else { return 0 };
        self.input_pixels() * p.padded_depth() / 2
    }

    /// Multiply-accumulates one run of this layer needs. A transposed
    /// convolution counts only the taps that land on real input pixels
    /// (inserted zeros are not work).
    pub fn macs(&self) -> u64 {
        let out_elems = self.output.elements().unwrap_or(0) as u64;
        match self.op {
            Op::Linear => out_elems * self.input.elements().unwrap_or(0) as u64,
            Op::Conv2d(g) | Op::ConvTranspose2d(g) => {
                let source: SourceFn = match self.op {
                    Op::Conv2d(_) => crate::geometry::conv_source,
                    _ => crate::geometry::transposed_source,
                };
                let mut total = 0u64;
                for oy in 0..self.output.height as i32 {
                    for ox in 0..self.output.width as i32 {
                        total += taps(self.input, g, oy, ox, source) as u64;
                    }
                }
                total * self.output.channels as u64 * self.input.channels as u64
            }
        }
    }
}

/// Finds the input index a kernel tap reads, per axis (see
/// [`crate::geometry::conv_source`] and [`crate::geometry::transposed_source`]).
type SourceFn = fn(i32, i32, u8, u8, u16) -> Option<usize>;

/// Kernel taps of output pixel `(oy, ox)` that read a real input pixel.
fn taps(input: TensorShape, g: ConvGeometry, oy: i32, ox: i32, source: SourceFn) -> u32 {
    let rows = (0..g.kernel[0] as i32)
        .filter(|&ky| source(oy, ky, g.stride[0], g.padding[0], input.height).is_some())
        .count() as u32;
    let cols = (0..g.kernel[1] as i32)
        .filter(|&kx| source(ox, kx, g.stride[1], g.padding[1], input.width).is_some())
        .count() as u32;
    rows * cols
}

/// A borrowed array of int8 values, stored as a postcard byte string.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct I8Array<'a>(&'a [i8]);

impl<'a> I8Array<'a> {
    /// Wraps a slice (for writing a model).
    pub const fn new(values: &'a [i8]) -> Self {
        I8Array(values)
    }

    /// The values.
    pub const fn as_slice(&self) -> &'a [i8] {
        self.0
    }

    /// Length in bytes (= values).
    pub const fn byte_len(&self) -> usize {
        self.0.len()
    }

    /// The values as bytes (two's complement), e.g. for [`crate::format::crc32`].
    pub fn as_bytes(&self) -> &'a [u8] {
        i8_as_bytes(self.0)
    }
}

impl fmt::Debug for I8Array<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "I8Array[{}]", self.0.len())
    }
}

/// A number stored little-endian in a [`LeArray`].
pub trait LeValue: Copy {
    /// Bytes per value.
    const SIZE: usize;
    /// Decodes one value from exactly [`LeValue::SIZE`] bytes.
    fn from_le(bytes: &[u8]) -> Self;
}

impl LeValue for i32 {
    const SIZE: usize = 4;
    fn from_le(b: &[u8]) -> Self {
        i32::from_le_bytes([b[0], b[1], b[2], b[3]])
    }
}

impl LeValue for f32 {
    const SIZE: usize = 4;
    fn from_le(b: &[u8]) -> Self {
        f32::from_le_bytes([b[0], b[1], b[2], b[3]])
    }
}

impl LeValue for f64 {
    const SIZE: usize = 8;
    fn from_le(b: &[u8]) -> Self {
        f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
    }
}

/// A borrowed array of multi-byte numbers, stored as little-endian bytes in
/// a postcard byte string (postcard would otherwise write varints, which
/// cannot be borrowed), read on access so no alignment is assumed.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct LeArray<'a, T> {
    bytes: &'a [u8],
    values: core::marker::PhantomData<T>,
}

/// int32 values (biases, multipliers).
pub type I32Array<'a> = LeArray<'a, i32>;
/// float32 values (weight scales).
pub type F32Array<'a> = LeArray<'a, f32>;
/// float64 values (fully connected factors).
pub type F64Array<'a> = LeArray<'a, f64>;

impl<'a, T: LeValue> LeArray<'a, T> {
    /// Wraps little-endian bytes (for writing a model). The length should be
    /// a multiple of the value size; the parser refuses files where it is not.
    pub const fn from_le_bytes(bytes: &'a [u8]) -> Self {
        LeArray { bytes, values: core::marker::PhantomData }
    }

    /// Number of whole values.
    pub const fn len(&self) -> usize {
        self.bytes.len() / T::SIZE
    }

    /// Whether there are no values.
    pub const fn is_empty(&self) -> bool {
        self.bytes.len() < T::SIZE
    }

    /// Length in bytes.
    pub const fn byte_len(&self) -> usize {
        self.bytes.len()
    }

    /// The raw little-endian bytes.
    pub const fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Value `i`. Panics if `i >= len()`; validated models never ask.
    #[inline]
    pub fn get(&self, i: usize) -> T {
        T::from_le(&self.bytes[T::SIZE * i..T::SIZE * (i + 1)])
    }

}

impl F64Array<'_> {
    /// The bits of value `i` (`f64::to_bits`), without going through
    /// floating point (a board without an FPU needs only the bits).
    #[inline]
    pub fn bits(&self, i: usize) -> u64 {
        let b = &self.bytes[8 * i..8 * i + 8];
        u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
    }
}

impl<T: LeValue> fmt::Debug for LeArray<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{} × {} bytes]", self.len(), T::SIZE)
    }
}

fn i8_as_bytes(v: &[i8]) -> &[u8] {
    // SAFETY: i8 and u8 have the same size, alignment and validity (every
    // bit pattern is valid), so the same memory can be viewed as either.
    unsafe { core::slice::from_raw_parts(v.as_ptr().cast::<u8>(), v.len()) }
}

fn bytes_as_i8(v: &[u8]) -> &[i8] {
    // SAFETY: as in `i8_as_bytes`.
    unsafe { core::slice::from_raw_parts(v.as_ptr().cast::<i8>(), v.len()) }
}

impl Serialize for I8Array<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(i8_as_bytes(self.0))
    }
}

/// Up to three zero bytes before a layer's weights (see [`Layer::align`]).
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct AlignmentPadding<'a>(&'a [u8]);

/// Zero bytes for [`AlignmentPadding`] to borrow from.
pub(crate) const ZEROS: [u8; 3] = [0; 3];

impl<'a> AlignmentPadding<'a> {
    /// `len` zero bytes (at most 3).
    pub fn zeros(len: usize) -> AlignmentPadding<'static> {
        AlignmentPadding(&ZEROS[..len.min(3)])
    }

    /// The padding bytes.
    pub const fn as_bytes(&self) -> &'a [u8] {
        self.0
    }
}

impl fmt::Debug for AlignmentPadding<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AlignmentPadding[{}]", self.0.len())
    }
}

impl Serialize for AlignmentPadding<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(self.0)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for AlignmentPadding<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let bytes = d.deserialize_bytes(BorrowedBytes)?;
        if bytes.len() > 3 || bytes.iter().any(|&b| b != 0) {
            return Err(D::Error::custom("alignment padding must be 0 to 3 zero bytes"));
        }
        Ok(AlignmentPadding(bytes))
    }
}

impl Serialize for PackedWeights<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(self.as_bytes())
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for PackedWeights<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let bytes = d.deserialize_bytes(BorrowedBytes)?;
        if bytes.len() % 2 != 0 {
            return Err(D::Error::custom("int16 weight array length is odd"));
        }
        Ok(PackedWeights::from_le_bytes(bytes))
    }
}

impl<T: LeValue> Serialize for LeArray<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(self.bytes)
    }
}

struct BorrowedBytes;

impl<'de> Visitor<'de> for BorrowedBytes {
    type Value = &'de [u8];

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a byte string borrowed from the model file")
    }

    fn visit_borrowed_bytes<E: serde::de::Error>(self, v: &'de [u8]) -> Result<Self::Value, E> {
        Ok(v)
    }

    fn visit_bytes<E: serde::de::Error>(self, _: &[u8]) -> Result<Self::Value, E> {
        Err(E::custom("model arrays must be borrowed from the file"))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for I8Array<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_bytes(BorrowedBytes).map(|b| I8Array(bytes_as_i8(b)))
    }
}

impl<'de: 'a, 'a, T: LeValue> Deserialize<'de> for LeArray<'a, T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let bytes = d.deserialize_bytes(BorrowedBytes)?;
        if bytes.len() % T::SIZE != 0 {
            return Err(D::Error::custom("array length is not a multiple of its value size"));
        }
        Ok(LeArray::from_le_bytes(bytes))
    }
}
