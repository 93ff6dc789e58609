//! The `.pgan` model file.
//!
//! ```text
//! offset  size  field
//!      0     4  magic "PGAN"
//!      4     2  format version, u16 little-endian (FORMAT_VERSION)
//!      6     2  reserved, zero
//!      8     4  payload length in bytes, u32 little-endian
//!     12     4  CRC-32 of the payload, u32 little-endian
//!     16     …  payload: postcard(Header), [version ≥ 6: postcard(Option<TextCondition>)],
//!                 [version 7: postcard(Option<AudioCondition>)],
//!                 then Header::layer_count × postcard(Layer)
//! ```
//!
//! A model without a text or audio section is written as version 5, byte
//! for byte what earlier builds wrote; a text model is version 6, a sound
//! model version 7 (its encoder is itself a version 5 file inside it).
//!
//! The preamble is fixed-size and not postcard so that a foreign, truncated
//! or newer file is recognised before anything is decoded. [`Model::parse`]
//! checks everything (preamble, checksum, every layer's shapes, array
//! lengths and quantization parameters) once; afterwards the kernels can
//! trust the layers. Parsing borrows from the input: nothing is copied.

mod checksum;
mod error;
mod layer;
mod limits;
#[cfg(any(test, feature = "alloc"))]
pub mod owned;
pub mod packed;

pub use checksum::crc32;
pub use error::{ArrayName, ModelError, Part, Problem};
pub use layer::{
    Activation, AlignmentPadding, AudioCondition, ConvGeometry, F32Array, F64Array, Header, I8Array, I32Array, ImageInput,
    LeArray, LeValue, Layer, ModelBytes, Op, Requantization, TensorShape, TextCondition,
};
pub use limits::{MAX_KEPT, MAX_REDUCTION, MAX_SKIP_LAYERS, MAX_TENSOR};
pub use packed::{PackedWeights, Packing};

use crate::latent::{LATENT_FRAC_BITS, LATENT_SCALE};
use crate::quant::{is_valid_float_factor, quantize_multiplier, requantization_factor};
use crate::text::Vocabulary;

/// The first four bytes of every model file.
pub const MAGIC: [u8; 4] = *b"PGAN";
/// The newest format version this build reads, and the one it writes for a
/// sound model. Version 7 adds the audio section ([`AudioCondition`]: the
/// front end's parameters, the labels and the encoder). Version 6 adds the text section ([`TextCondition`]: a
/// vocabulary and its embedding table, between the header and the layers).
/// Version 5 adds
/// translators (an input image in the header) and skip connections (a
/// layer's input joined with an earlier layer's output); version 4 stores the
/// packed weights as int8 (half the bytes of version 3's int16; the board
/// widens them as a layer runs); version 3 added TFLite's float32 scales,
/// requantization ([`crate::quant`]) and `TANH` table; version 2 rounded
/// once, half up, with a fixed tanh table; version 1 stored int8 weights
/// unpacked.
pub const FORMAT_VERSION: u16 = 7;
/// The version a text model is written in.
pub const TEXT_FORMAT_VERSION: u16 = 6;
/// The oldest format version this build reads (and writes, for every model
/// but a text or sound model).
pub const OLDEST_FORMAT_VERSION: u16 = 5;
/// Size of the fixed preamble before the payload.
pub const PREAMBLE_LEN: usize = 16;
/// A validated model borrowed from the bytes of a model file.
#[derive(Debug, Clone, Copy)]
pub struct Model<'a> {
    header: Header<'a>,
    text: Option<TextCondition<'a>>,
    audio: Option<AudioCondition<'a>>,
    /// Scratch bytes a sound model's encoder needs (0 for other models).
    encoder_scratch: usize,
    version: u16,
    layers: &'a [u8],
    scratch: ScratchPlan,
    kept: u64,
    all_activations: usize,
    macs: u64,
    parameters: u64,
}

/// How [`crate::generate`] and [`crate::translate`] split their scratch
/// buffer, in this order: activations ping-pong between two regions (see
/// [`Placement`]), except that an output a later layer joins (a skip
/// connection) lives on a stack in the kept region from the layer that
/// makes it to the layer that joins it, and no longer; the last region
/// holds the fast kernels' staged int16 inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScratchPlan {
    /// Bytes of region 0 (the largest even-numbered tensor not kept).
    pub even: usize,
    /// Bytes of region 1 (the largest odd-numbered tensor not kept).
    pub odd: usize,
    /// Bytes of the kept stack: the most kept outputs alive at once.
    pub kept: usize,
    /// Bytes of the staging region: the largest layer's staged input
    /// ([`Layer::staging_words`] · 4) plus 3 bytes, so
    /// that it can start 4-byte aligned wherever the buffer lies.
    pub staging: usize,
}

impl ScratchPlan {
    /// Total scratch bytes.
    pub const fn total(&self) -> usize {
        self.activations() + self.staging
    }

    /// Bytes of every region but staging.
    pub const fn activations(&self) -> usize {
        self.even + self.odd + self.kept
    }
}

impl<'a> Model<'a> {
    /// Checks and borrows a model file. Every malformed input is an error;
    /// no input panics.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, ModelError> {
        Self::parse_as(bytes, Kind::Model)
    }

    /// Checks and borrows a sound model's encoder ([`AudioCondition::encoder`]):
    /// a version 5 file whose input is the feature codes and whose last
    /// layer writes logits in the latent's quantization (no `Tanh`, any
    /// channel counts). [`Model::parse`] checks a sound model's encoder with
    /// it; [`Model::encoder`] hands it out.
    pub fn parse_encoder(bytes: &'a [u8]) -> Result<Self, ModelError> {
        Self::parse_as(bytes, Kind::Encoder)
    }

    fn parse_as(bytes: &'a [u8], kind: Kind) -> Result<Self, ModelError> {
        let (version, payload) = check_preamble(bytes)?;
        let (header, mut rest) = postcard::take_from_bytes::<Header<'a>>(payload)
            .map_err(|_| ModelError::Decode { part: Part::Header })?;
        validate_header(&header, kind)?;
        if kind == Kind::Encoder && version != OLDEST_FORMAT_VERSION {
            return Err(ModelError::Invalid { layer: None, problem: Problem::Encoder });
        }
        let text = if version >= 6 {
            let (text, tail) = postcard::take_from_bytes::<Option<TextCondition<'a>>>(rest)
                .map_err(|_| ModelError::Decode { part: Part::Text })?;
            rest = tail;
            text
        } else {
            None
        };
        if let Some(text) = &text {
            validate_text(&header, text)?;
        }
        let audio = if version >= 7 {
            let (audio, tail) = postcard::take_from_bytes::<Option<AudioCondition<'a>>>(rest)
                .map_err(|_| ModelError::Decode { part: Part::Audio })?;
            rest = tail;
            audio
        } else {
            None
        };
        let encoder_scratch = match &audio {
            Some(audio) => validate_audio(&header, text.is_some(), audio)?,
            None => 0,
        };

        let input = model_input(&header, text.as_ref(), audio.as_ref());
        let mut produced = input.0;
        let mut produced_quantization = input.1;
        let mut staging_words = 0;
        let mut macs = 0u64;
        let mut parameters = 0u64;
        let mut kept = 0u64;
        let layers = rest;
        for index in 0..header.layer_count {
            let (layer, tail) = postcard::take_from_bytes::<Layer<'a>>(rest)
                .map_err(|_| ModelError::Decode { part: Part::Layer(index) })?;
            rest = tail;
            let is_last = index + 1 == header.layer_count;
            let invalid = |problem| ModelError::Invalid { layer: Some(index), problem };
            validate_layer(&layer, produced, produced_quantization, is_last, &header, kind).map_err(invalid)?;
            if let Some(k) = layer.skip {
                // Each output is joined once, by a later layer; the joined
                // shapes and the nesting are checked by `plan`.
                if k as u32 + 1 >= index as u32 || k as usize >= MAX_SKIP_LAYERS || kept & (1 << k) != 0 {
                    return Err(invalid(Problem::Skip));
                }
                kept |= 1 << k;
            }
            produced_quantization = (layer.output_scale, layer.output_zero_point);
            produced = layer.output;
            staging_words = staging_words.max(layer.staging_words());
            macs += layer.macs();
            parameters += layer.packing().map_or(0, |p| p.channels * p.taps * p.depth) as u64
                + layer.bias.len() as u64;
        }
        if !rest.is_empty() {
            return Err(ModelError::UnusedPayload { extra: rest.len() });
        }
        let mut model = Model {
            header,
            text,
            audio,
            encoder_scratch,
            version,
            layers,
            scratch: ScratchPlan { even: 0, odd: 0, kept: 0, staging: 4 * staging_words + 3 },
            kept,
            all_activations: 0,
            macs,
            parameters,
        };
        model.plan()?;
        Ok(model)
    }

    /// Sizes the regions of [`ScratchPlan`] by walking the layers as
    /// [`crate::generate`] does, and checks each skip joins the latest
    /// kept output with matching shapes and quantization.
    fn plan(&mut self) -> Result<(), ModelError> {
        let (input, _) = model_input(&self.header, self.text.as_ref(), self.audio.as_ref());
        let input_len = input.elements().unwrap_or(0) as usize;
        let mut plan = ScratchPlan { even: input_len, ..self.scratch };
        let mut all = input_len;
        let mut stack = KeptStack::new();
        let mut placement = Placement::new();
        let mut previous = input;
        for (index, layer) in self.layers().enumerate() {
            let layer = layer?;
            let index = index as u16;
            let invalid = |problem| ModelError::Invalid { layer: Some(index), problem };
            if let Some(k) = layer.skip {
                let top = stack.pop().filter(|top| top.layer == k).ok_or(invalid(Problem::Skip))?;
                let joins = matches!(layer.op, Op::Conv2d(_) | Op::ConvTranspose2d(_))
                    && (top.shape.height, top.shape.width) == (layer.input.height, layer.input.width)
                    && (previous.height, previous.width) == (layer.input.height, layer.input.width)
                    && previous.channels as u32 + top.shape.channels as u32 == layer.input.channels as u32
                    && top.quantization.0.to_bits() == layer.input_scale.to_bits()
                    && top.quantization.1 == layer.input_zero_point;
                if !joins {
                    return Err(invalid(Problem::Skip));
                }
            }
            let out = layer.output.elements().unwrap_or(0) as usize;
            let joined = layer.input.elements().unwrap_or(0) as usize;
            // The joined input is a tensor of its own, as the output is.
            all += out + if layer.skip.is_some() { joined } else { 0 };
            let step = placement.step(layer.skip.is_some(), self.is_kept(index));
            if let Some(region) = step.join_into {
                *plan.region(region) = (*plan.region(region)).max(joined);
            }
            if step.output == Region::Kept {
                let kept = Kept { layer: index, shape: layer.output, quantization: (layer.output_scale, layer.output_zero_point), offset: stack.used() };
                stack.push(kept).map_err(|()| invalid(Problem::TooManyKept))?;
                plan.kept = plan.kept.max(stack.used());
            } else {
                *plan.region(step.output) = (*plan.region(step.output)).max(out);
            }
            previous = layer.output;
        }
        self.scratch = plan;
        self.all_activations = all;
        Ok(())
    }

    /// The header.
    pub fn header(&self) -> &Header<'a> {
        &self.header
    }

    /// The text section of a text model.
    pub fn text(&self) -> Option<&TextCondition<'a>> {
        self.text.as_ref()
    }

    /// A text model's vocabulary (checked by [`Model::parse`]).
    pub fn vocabulary(&self) -> Option<Vocabulary<'a>> {
        self.text.map(|t| Vocabulary::checked(t.vocabulary))
    }

    /// The audio section of a sound model.
    pub fn audio(&self) -> Option<&AudioCondition<'a>> {
        self.audio.as_ref()
    }

    /// A sound model's encoder (checked by [`Model::parse`]; parsed again
    /// here, so a board keeps the result rather than asking per recording).
    pub fn encoder(&self) -> Option<Model<'a>> {
        self.audio.and_then(|a| Model::parse_encoder(a.encoder.as_bytes()).ok())
    }

    /// A sound model's labels (checked by [`Model::parse`]).
    pub fn labels(&self) -> Option<Vocabulary<'a>> {
        self.audio.map(|a| Vocabulary::checked(a.labels))
    }

    /// The format version the file was written in.
    pub fn version(&self) -> u16 {
        self.version
    }

    /// The layers, decoded one at a time from the borrowed bytes (they were
    /// all checked by [`Model::parse`], so no item is an error in practice).
    pub fn layers(&self) -> Layers<'a> {
        Layers { rest: self.layers, index: 0, count: self.header.layer_count }
    }

    /// Number of values the model takes: the latent plus the one-hot class
    /// or the prompt's mean embedding (a generator), or the input image's
    /// codes (a translator).
    pub fn input_len(&self) -> usize {
        model_input(&self.header, self.text.as_ref(), self.audio.as_ref()).0.elements().unwrap_or(0) as usize
    }

    /// Whether the model is a translator (image in, image out).
    pub fn is_translator(&self) -> bool {
        self.header.input_image.is_some()
    }

    /// Whether layer `index`'s output is kept for a later layer to join.
    pub fn is_kept(&self, index: u16) -> bool {
        (index as usize) < MAX_SKIP_LAYERS && self.kept & (1 << index) != 0
    }

    /// Bytes every activation would take if each were kept for the whole
    /// run (the input, every layer's output and every joined input): what
    /// the scratch plan's activation regions save RAM against.
    pub fn all_activations_len(&self) -> usize {
        self.all_activations
    }

    /// Scratch bytes [`crate::generate`] needs (for a sound model, also
    /// enough for its encoder).
    pub fn scratch_len(&self) -> usize {
        self.scratch.total().max(self.encoder_scratch)
    }

    /// How the scratch buffer is split.
    pub fn scratch_plan(&self) -> ScratchPlan {
        self.scratch
    }

    /// Multiply-accumulates per generated image (zero taps not counted).
    pub fn macs(&self) -> u64 {
        self.macs
    }

    /// Number of weights and biases.
    pub fn parameters(&self) -> u64 {
        self.parameters
    }

    /// Bytes of the generated image (height × width × channels).
    pub fn output_len(&self) -> usize {
        self.header.image.elements().unwrap_or(0) as usize
    }
}

/// Iterator over a model's layers; see [`Model::layers`].
#[derive(Debug, Clone)]
pub struct Layers<'a> {
    rest: &'a [u8],
    index: u16,
    count: u16,
}

impl<'a> Iterator for Layers<'a> {
    type Item = Result<Layer<'a>, ModelError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.index >= self.count {
            return None;
        }
        let index = self.index;
        self.index += 1;
        match postcard::take_from_bytes::<Layer<'a>>(self.rest) {
            Ok((layer, rest)) => {
                self.rest = rest;
                Some(Ok(layer))
            }
            Err(_) => {
                self.index = self.count;
                Some(Err(ModelError::Decode { part: Part::Layer(index) }))
            }
        }
    }
}

fn check_preamble(bytes: &[u8]) -> Result<(u16, &[u8]), ModelError> {
    if bytes.len() < PREAMBLE_LEN {
        // Say "foreign" rather than "short" when even the magic is wrong.
        if bytes.len() >= 4 && bytes[..4] != MAGIC {
            return Err(ModelError::BadMagic { found: [bytes[0], bytes[1], bytes[2], bytes[3]] });
        }
        return Err(ModelError::TooShort { len: bytes.len() });
    }
    let u16_at = |i: usize| u16::from_le_bytes([bytes[i], bytes[i + 1]]);
    let u32_at =
        |i: usize| u32::from_le_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    let magic = [bytes[0], bytes[1], bytes[2], bytes[3]];
    if magic != MAGIC {
        return Err(ModelError::BadMagic { found: magic });
    }
    let version = u16_at(4);
    if version > FORMAT_VERSION {
        return Err(ModelError::UnsupportedVersion { found: version, supported: FORMAT_VERSION });
    }
    if version < OLDEST_FORMAT_VERSION {
        return Err(ModelError::UnsupportedVersion { found: version, supported: OLDEST_FORMAT_VERSION });
    }
    if u16_at(6) != 0 {
        return Err(ModelError::ReservedField);
    }
    let declared = u32_at(8);
    let stored = u32_at(12);
    let body = &bytes[PREAMBLE_LEN..];
    if (body.len() as u64) < declared as u64 {
        return Err(ModelError::Truncated { declared, available: body.len() });
    }
    if body.len() as u64 > declared as u64 {
        return Err(ModelError::TrailingBytes { extra: body.len() - declared as usize });
    }
    let computed = crc32(body);
    if computed != stored {
        return Err(ModelError::ChecksumMismatch { stored, computed });
    }
    Ok((version, body))
}

/// The shape and quantization of a model's input: the latent (and class,
/// or prompt embedding) as a vector of codes of [`LATENT_SCALE`], or the
/// input image.
fn model_input(h: &Header<'_>, text: Option<&TextCondition<'_>>, audio: Option<&AudioCondition<'_>>) -> (TensorShape, (f32, i8)) {
    let labels = audio.map_or(0, |a| Vocabulary::checked(a.labels).len() as u16);
    let condition = h.classes.saturating_add(text.map_or(0, |t| t.dim)).saturating_add(labels);
    match h.input_image {
        Some(image) => (image.shape, (image.scale, image.zero_point)),
        None => (TensorShape::vector(h.latent_dim.saturating_add(condition)), (LATENT_SCALE, 0)),
    }
}

/// A text section fits its model: a generator without classes, a valid
/// vocabulary, a `words × dim` table.
fn validate_text(h: &Header<'_>, text: &TextCondition<'_>) -> Result<(), ModelError> {
    let invalid = |problem| ModelError::Invalid { layer: None, problem };
    let vocabulary = Vocabulary::new(text.vocabulary).map_err(|e| invalid(Problem::Vocabulary(e)))?;
    let fits = h.classes == 0
        && h.input_image.is_none()
        && text.dim > 0
        && !vocabulary.is_empty()
        && text.embedding.byte_len() == vocabulary.len() * text.dim as usize;
    if fits { Ok(()) } else { Err(invalid(Problem::Text)) }
}

/// An audio section fits its model: a generator with no other condition,
/// this build's front end, one shift per coefficient, labels, and an
/// encoder from `1 × frames × coefficients` codes of
/// [`crate::audio::FEATURE_SCALE`] to one logit per label. Returns the
/// encoder's scratch bytes.
fn validate_audio(h: &Header<'_>, has_text: bool, audio: &AudioCondition<'_>) -> Result<usize, ModelError> {
    use crate::audio::{COEFFICIENTS, FRAME_LEN, HOP_LEN, MEL_BANDS, SAMPLE_RATE};
    use crate::audio::{FEATURE_SCALE, MAX_ENCODER_FRAMES, MAX_LABELS};
    let invalid = |problem| ModelError::Invalid { layer: None, problem };
    let front_end = audio.sample_rate == SAMPLE_RATE
        && audio.frame_len as usize == FRAME_LEN
        && audio.hop_len as usize == HOP_LEN
        && audio.mel_bands as usize == MEL_BANDS
        && audio.coefficients as usize == COEFFICIENTS;
    if !front_end {
        return Err(invalid(Problem::FrontEnd));
    }
    let labels = Vocabulary::new(audio.labels).map_err(|e| invalid(Problem::Vocabulary(e)))?;
    let fits = h.classes == 0
        && h.input_image.is_none()
        && !has_text
        && (2..=MAX_LABELS).contains(&labels.len())
        && (1..=MAX_ENCODER_FRAMES).contains(&(audio.frames as usize))
        && audio.shifts.byte_len() == COEFFICIENTS
        && audio.shifts.as_slice().iter().all(|&s| (0..=15).contains(&s));
    if !fits {
        return Err(invalid(Problem::Audio));
    }
    let encoder = Model::parse_encoder(audio.encoder.as_bytes())?;
    let input = encoder.header.input_image.map(|i| (i.shape, i.scale.to_bits(), i.zero_point));
    let expected = TensorShape { height: 1, width: audio.frames, channels: COEFFICIENTS as u16 };
    if input != Some((expected, FEATURE_SCALE.to_bits(), 0)) || encoder.header.image != TensorShape::vector(labels.len() as u16) {
        return Err(invalid(Problem::Encoder));
    }
    Ok(encoder.scratch_len())
}

/// What a file is parsed as: a model, or a sound model's encoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Model,
    Encoder,
}

/// The scratch regions an activation can live in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Region {
    /// Region 0 (where the input starts).
    Even,
    /// Region 1.
    Odd,
    /// The kept stack.
    Kept,
}

impl ScratchPlan {
    fn region(&mut self, region: Region) -> &mut usize {
        match region {
            Region::Even => &mut self.even,
            Region::Odd => &mut self.odd,
            Region::Kept => &mut self.kept,
        }
    }
}

/// Where one layer's joined input and output go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Step {
    /// The ping-pong region a skip layer's joined input is built in.
    pub join_into: Option<Region>,
    /// Where the output goes.
    pub output: Region,
}

/// The ping-pong rule, shared by the plan and the run so both place every
/// tensor alike: a layer writes into the region its input is not in; a
/// skip layer first joins its input into that region, which frees the
/// previous output's region for its own output; an output a later layer
/// joins goes onto the kept stack. (For a model without skips, tensor `i`
/// lives in region `i % 2`.)
#[derive(Debug, Clone, Copy)]
pub(crate) struct Placement {
    current: Region,
}

impl Placement {
    pub(crate) const fn new() -> Self {
        Placement { current: Region::Even }
    }

    pub(crate) fn step(&mut self, skip: bool, kept: bool) -> Step {
        let (here, other) = match self.current {
            Region::Even => (Region::Even, Region::Odd),
            Region::Odd => (Region::Odd, Region::Even),
            // Read from the stack: both ping-pong regions are free.
            Region::Kept => (Region::Odd, Region::Even),
        };
        let join_into = skip.then_some(other);
        let free = if skip { here } else { other };
        let output = if kept { Region::Kept } else { free };
        self.current = output;
        Step { join_into, output }
    }
}

/// An output kept for a skip connection.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Kept {
    /// The layer that made it.
    pub layer: u16,
    /// Its shape.
    pub shape: TensorShape,
    /// Its scale and zero point.
    pub quantization: (f32, i8),
    /// Where it starts in the kept region.
    pub offset: usize,
}

/// The kept outputs alive at a point of the run, latest last.
#[derive(Debug, Clone, Copy)]
pub(crate) struct KeptStack {
    entries: [Option<Kept>; MAX_KEPT],
    len: usize,
}

impl KeptStack {
    pub(crate) const fn new() -> Self {
        KeptStack { entries: [None; MAX_KEPT], len: 0 }
    }

    /// Bytes of the kept region in use.
    pub(crate) fn used(&self) -> usize {
        match self.len {
            0 => 0,
            n => self.entries[n - 1].map_or(0, |k| k.offset + k.shape.elements().unwrap_or(0) as usize),
        }
    }

    pub(crate) fn push(&mut self, kept: Kept) -> Result<(), ()> {
        let slot = self.entries.get_mut(self.len).ok_or(())?;
        *slot = Some(kept);
        self.len += 1;
        Ok(())
    }

    pub(crate) fn pop(&mut self) -> Option<Kept> {
        self.len = self.len.checked_sub(1)?;
        self.entries[self.len].take()
    }
}

fn validate_header(h: &Header<'_>, kind: Kind) -> Result<(), ModelError> {
    let invalid = |problem| Err(ModelError::Invalid { layer: None, problem });
    if h.layer_count == 0 {
        return invalid(Problem::NoLayers);
    }
    if kind == Kind::Encoder {
        // Features in, logits out: no image channel rule applies.
        let fits = h.latent_dim == 0
            && h.classes == 0
            && h.latent_frac_bits == LATENT_FRAC_BITS
            && h.input_image.is_some_and(|i| matches!(i.shape.elements(), Some(1..=MAX_TENSOR)))
            && matches!(h.image.elements(), Some(1..=MAX_TENSOR));
        return if fits { Ok(()) } else { invalid(Problem::Encoder) };
    }
    if let Some(image) = h.input_image {
        let (c, n) = (image.shape.channels, image.shape.elements());
        if h.latent_dim != 0 || h.classes != 0 || !(image.scale.is_finite() && image.scale > 0.0) || !(c == 1 || c == 3) {
            return invalid(Problem::InputImage);
        }
        if !matches!(n, Some(1..=MAX_TENSOR)) {
            return invalid(Problem::TooLarge);
        }
    } else if h.latent_dim == 0 {
        return invalid(Problem::NoLatent);
    }
    if h.latent_frac_bits != LATENT_FRAC_BITS {
        return invalid(Problem::LatentFormat {
            found: h.latent_frac_bits,
            expected: LATENT_FRAC_BITS,
        });
    }
    if h.image.channels != 1 && h.image.channels != 3 {
        return invalid(Problem::Channels);
    }
    match h.image.elements() {
        Some(0) => invalid(Problem::ZeroDimension),
        Some(n) if n <= MAX_TENSOR => Ok(()),
        _ => invalid(Problem::TooLarge),
    }
}

fn validate_layer(
    layer: &Layer<'_>,
    produced: TensorShape,
    (produced_scale, produced_zero_point): (f32, i8),
    is_last: bool,
    header: &Header<'_>,
    kind: Kind,
) -> Result<(), Problem> {
    let input = layer.input.elements().ok_or(Problem::TooLarge)?;
    let output = layer.output.elements().ok_or(Problem::TooLarge)?;
    if input == 0 || output == 0 {
        return Err(Problem::ZeroDimension);
    }
    if input > MAX_TENSOR || output > MAX_TENSOR {
        return Err(Problem::TooLarge);
    }
    let produced_elements = produced.elements().ok_or(Problem::TooLarge)?;
    if layer.skip.is_none() && input != produced_elements {
        return Err(Problem::ShapeChain { produced: produced_elements, consumed: input });
    }
    match layer.op {
        Op::Linear => {}
        Op::Conv2d(g) => {
            if g.output_padding != [0, 0] {
                return Err(Problem::ConvGeometry);
            }
            let expected = [
                conv_out(layer.input.height, g.kernel[0], g.stride[0], g.padding[0]),
                conv_out(layer.input.width, g.kernel[1], g.stride[1], g.padding[1]),
            ];
            if expected != [Some(layer.output.height as u32), Some(layer.output.width as u32)] {
                return Err(Problem::ConvGeometry);
            }
        }
        Op::ConvTranspose2d(g) => {
            let expected = [
                conv_transpose_out(layer.input.height, g, 0),
                conv_transpose_out(layer.input.width, g, 1),
            ];
            if expected != [Some(layer.output.height as u32), Some(layer.output.width as u32)] {
                return Err(Problem::ConvGeometry);
            }
        }
    }
    let reduction = layer.reduction_len().ok_or(Problem::TooLarge)?;
    if reduction > MAX_REDUCTION {
        return Err(Problem::ReductionTooLong);
    }
    let channels = layer.output_channels().ok_or(Problem::TooLarge)?;
    let packed = layer.packing().and_then(|p| p.values()).ok_or(Problem::TooLarge)?;
    check_len(ArrayName::Weights, layer.weights.byte_len(), packed as u64)?;
    check_len(ArrayName::Bias, layer.bias.byte_len(), 4 * channels as u64)?;
    check_len(ArrayName::WeightScales, layer.weight_scales.byte_len(), 4 * channels as u64)?;
    if layer.input_scale.to_bits() != produced_scale.to_bits() || layer.input_zero_point != produced_zero_point {
        return Err(Problem::InputQuantization);
    }
    let positive = |s: f32| s.is_finite() && s > 0.0;
    if !positive(layer.output_scale) || !(0..channels as usize).all(|c| positive(layer.weight_scales.get(c))) {
        return Err(Problem::Scale);
    }
    validate_requantization(layer, channels as usize)?;
    let is_tanh = layer.activation == Activation::Tanh;
    let table = layer.tanh_table.as_slice();
    // A model ends in Tanh (image codes); an encoder never uses it, and its
    // logits are in the latent's quantization, the generator's input.
    let wants_tanh = is_last && kind == Kind::Model;
    if is_tanh != wants_tanh {
        return Err(if kind == Kind::Model { Problem::Tanh } else { Problem::Encoder });
    }
    if kind == Kind::Encoder
        && is_last
        && (layer.output_scale.to_bits() != LATENT_SCALE.to_bits() || layer.output_zero_point != 0)
    {
        return Err(Problem::Encoder);
    }
    check_len(ArrayName::TanhTable, table.len(), if is_tanh { 256 } else { 0 })?;
    if table.windows(2).any(|w| w[0] > w[1]) {
        return Err(Problem::Tanh);
    }
    if is_last && layer.output != header.image {
        return Err(Problem::OutputShape);
    }
    Ok(())
}

/// One output channel's requantization, as TFLite derives it for an op
/// from the factor `(s_in · s_w) / s_out`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum ChannelRequantization {
    /// Convolutions: `QuantizeMultiplier`'s multiplier and shift.
    Fixed(i32, i8),
    /// Fully connected: the factor itself.
    Float(f64),
}

/// TFLite's requantization of one channel of `op` with real factor `f`, or
/// `None` if the rule cannot represent it.
pub(crate) fn channel_requantization(op: Op, f: f64) -> Option<ChannelRequantization> {
    match op {
        Op::Linear => is_valid_float_factor(f).then_some(ChannelRequantization::Float(f)),
        Op::Conv2d(_) | Op::ConvTranspose2d(_) => quantize_multiplier(f).map(|(m, s)| ChannelRequantization::Fixed(m, s)),
    }
}

/// The requantization must be the op's rule, with exactly the values the
/// layer's scales give ([`crate::quant`]).
fn validate_requantization(layer: &Layer<'_>, channels: usize) -> Result<(), Problem> {
    let expected = |c: usize| {
        let f = requantization_factor(layer.input_scale, layer.weight_scales.get(c), layer.output_scale);
        channel_requantization(layer.op, f)
    };
    match (layer.op, layer.requantization) {
        (Op::Linear, Requantization::Float { factor }) => {
            check_len(ArrayName::Factor, factor.byte_len(), 8 * channels as u64)?;
            for c in 0..channels {
                // Compared as bits: the stored double must be the derived one exactly.
                match expected(c) {
                    Some(ChannelRequantization::Float(f)) if f.to_bits() == factor.bits(c) => {}
                    _ => return Err(Problem::Requantization),
                }
            }
        }
        (Op::Conv2d(_) | Op::ConvTranspose2d(_), Requantization::Fixed { multiplier, shift }) => {
            check_len(ArrayName::Multiplier, multiplier.byte_len(), 4 * channels as u64)?;
            check_len(ArrayName::Shift, shift.byte_len(), channels as u64)?;
            for c in 0..channels {
                if expected(c) != Some(ChannelRequantization::Fixed(multiplier.get(c), shift.as_slice()[c])) {
                    return Err(Problem::Requantization);
                }
            }
        }
        _ => return Err(Problem::Requantization),
    }
    Ok(())
}

fn check_len(array: ArrayName, found: usize, expected: u64) -> Result<(), Problem> {
    if found as u64 == expected {
        Ok(())
    } else {
        Err(Problem::ArrayLength {
            array,
            found: found.min(u32::MAX as usize) as u32,
            expected: expected.min(u32::MAX as u64) as u32,
        })
    }
}

fn conv_out(input: u16, kernel: u8, stride: u8, padding: u8) -> Option<u32> {
    let padded = input as u32 + 2 * padding as u32;
    if kernel == 0 || stride == 0 || padded < kernel as u32 {
        return None;
    }
    Some((padded - kernel as u32) / stride as u32 + 1)
}

fn conv_transpose_out(input: u16, g: ConvGeometry, axis: usize) -> Option<u32> {
    let (k, s, p, op) = (g.kernel[axis], g.stride[axis], g.padding[axis], g.output_padding[axis]);
    if k == 0 || s == 0 || op >= s {
        return None;
    }
    let full = (input as u32).checked_sub(1)? * s as u32 + k as u32 + op as u32;
    full.checked_sub(2 * p as u32).filter(|&n| n > 0)
}

/// Bytes of postcard's length varint for `n`.
fn varint_len(mut n: usize) -> usize {
    let mut len = 1;
    while n >= 0x80 {
        n >>= 7;
        len += 1;
    }
    len
}

/// Upper bound on the encoded size of a model, for sizing the buffer given
/// to [`encode`].
pub fn encoded_len_bound(header: &Header<'_>, layers: &[Layer<'_>]) -> usize {
    let mut n = PREAMBLE_LEN + 80 + header.name.len();
    for l in layers {
        let requantization = match l.requantization {
            Requantization::Fixed { multiplier, shift } => multiplier.byte_len() + shift.byte_len(),
            Requantization::Float { factor } => factor.byte_len(),
        };
        n += 160
            + l.weights.byte_len()
            + l.bias.byte_len()
            + l.weight_scales.byte_len()
            + l.tanh_table.byte_len()
            + requantization;
    }
    n
}

impl TextCondition<'_> {
    /// Upper bound on the bytes the section adds to a model file (see
    /// [`encoded_len_bound`]).
    pub fn encoded_len_bound(&self) -> usize {
        16 + self.vocabulary.len() + self.embedding.byte_len()
    }
}

/// Writes a model file into `out` and returns its length. The header's
/// `layer_count` is set from `layers`. The result is not validated here:
/// the writer should [`Model::parse`] it back.
pub fn encode(header: &Header<'_>, layers: &[Layer<'_>], out: &mut [u8]) -> Result<usize, ModelError> {
    encode_with_text(header, None, layers, out)
}

/// [`encode`] with a text section: a text model, written as version 6
/// (without one the file is version 5). Size `out` with
/// [`encoded_len_bound`] plus [`TextCondition::encoded_len_bound`].
pub fn encode_with_text(
    header: &Header<'_>,
    text: Option<&TextCondition<'_>>,
    layers: &[Layer<'_>],
    out: &mut [u8],
) -> Result<usize, ModelError> {
    encode_with_conditions(header, text, None, layers, out)
}

impl AudioCondition<'_> {
    /// Upper bound on the bytes the section adds to a model file (see
    /// [`encoded_len_bound`]).
    pub fn encoded_len_bound(&self) -> usize {
        40 + self.labels.len() + self.shifts.byte_len() + self.encoder.as_bytes().len()
    }
}

/// [`encode`] with a text or an audio section: version 6 for a text
/// model, 7 for a sound model (whose encoder is put on a 4-byte boundary
/// whatever `audio.align` says), 5 otherwise.
pub fn encode_with_conditions(
    header: &Header<'_>,
    text: Option<&TextCondition<'_>>,
    audio: Option<&AudioCondition<'_>>,
    layers: &[Layer<'_>],
    out: &mut [u8],
) -> Result<usize, ModelError> {
    if out.len() < PREAMBLE_LEN {
        return Err(ModelError::BufferTooSmall);
    }
    let header = Header {
        layer_count: u16::try_from(layers.len()).map_err(|_| ModelError::BufferTooSmall)?,
        ..*header
    };
    let (preamble, body) = out.split_at_mut(PREAMBLE_LEN);
    let mut used = postcard::to_slice(&header, body).map_err(|_| ModelError::BufferTooSmall)?.len();
    let version = match (text, audio) {
        (_, Some(_)) => FORMAT_VERSION,
        (Some(_), None) => TEXT_FORMAT_VERSION,
        (None, None) => OLDEST_FORMAT_VERSION,
    };
    if version >= TEXT_FORMAT_VERSION {
        used += postcard::to_slice(&text.copied(), &mut body[used..]).map_err(|_| ModelError::BufferTooSmall)?.len();
    }
    if let Some(audio) = audio {
        // As for a layer's weights: the bare record ends in the padding's
        // and the encoder's zero length bytes.
        let bare = AudioCondition { align: AlignmentPadding::zeros(0), encoder: ModelBytes::default(), ..*audio };
        let prefix = postcard::to_slice(&Some(bare), &mut body[used..]).map_err(|_| ModelError::BufferTooSmall)?.len() - 2;
        let start = PREAMBLE_LEN + used + prefix + 1 + varint_len(audio.encoder.as_bytes().len());
        let audio = AudioCondition { align: AlignmentPadding::zeros((4 - start % 4) % 4), ..*audio };
        used += postcard::to_slice(&Some(audio), &mut body[used..]).map_err(|_| ModelError::BufferTooSmall)?.len();
    }
    for layer in layers {
        // Serialized with no padding and no weights, the record ends in two
        // zero length bytes; the weights' bytes start after the padding's
        // length byte, the padding, and the weights' length varint.
        let bare = Layer { align: AlignmentPadding::zeros(0), weights: PackedWeights::default(), ..*layer };
        let prefix = postcard::to_slice(&bare, &mut body[used..]).map_err(|_| ModelError::BufferTooSmall)?.len() - 2;
        let start = PREAMBLE_LEN + used + prefix + 1 + varint_len(layer.weights.byte_len());
        let layer = Layer { align: AlignmentPadding::zeros((4 - start % 4) % 4), ..*layer };
        used += postcard::to_slice(&layer, &mut body[used..])
            .map_err(|_| ModelError::BufferTooSmall)?
            .len();
    }
    let payload_len = u32::try_from(used).map_err(|_| ModelError::BufferTooSmall)?;
    preamble[0..4].copy_from_slice(&MAGIC);
    preamble[4..6].copy_from_slice(&version.to_le_bytes());
    preamble[6..8].copy_from_slice(&[0, 0]);
    preamble[8..12].copy_from_slice(&payload_len.to_le_bytes());
    preamble[12..16].copy_from_slice(&crc32(&body[..used]).to_le_bytes());
    Ok(PREAMBLE_LEN + used)
}

#[cfg(test)]
mod tests;
