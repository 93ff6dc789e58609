//! Everything that can be wrong with a model file, as typed errors whose
//! `Display` says what is wrong and what to do about it.

use core::fmt;

/// Which part of the payload failed to decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The model header (name, latent size, classes, output shape).
    Header,
    /// Layer number `n` (0-based).
    Layer(u16),
    /// The text section (vocabulary and embedding table) of a version 6 file.
    Text,
    /// The audio section (front end, labels and encoder) of a version 7 file.
    Audio,
}

/// A structural problem inside a payload that decoded cleanly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// The header declares zero layers.
    NoLayers,
    /// The header declares a zero latent size.
    NoLatent,
    /// The latent fixed-point format differs from the one this build samples.
    LatentFormat {
        /// Fractional bits in the file.
        found: u8,
        /// Fractional bits this build produces.
        expected: u8,
    },
    /// A tensor dimension is zero.
    ZeroDimension,
    /// A size computation overflowed, or a tensor exceeds the supported size.
    TooLarge,
    /// A layer's input shape differs from the previous layer's output.
    ShapeChain {
        /// Elements the previous stage produces.
        produced: u32,
        /// Elements this layer consumes.
        consumed: u32,
    },
    /// A convolution's output shape does not follow from its input and
    /// geometry.
    ConvGeometry,
    /// A byte array has the wrong length.
    ArrayLength {
        /// Which array.
        array: ArrayName,
        /// Its length in the file, in bytes.
        found: u32,
        /// The length the layer's shapes require, in bytes.
        expected: u32,
    },
    /// A requantization shift outside `-31..=30`, a negative multiplier, a
    /// fully connected factor out of range, the wrong rule for the op, or
    /// values that are not the ones the layer's scales give.
    Requantization,
    /// A layer's input scale or zero point differs from what the previous
    /// stage produces (the latent's for the first layer).
    InputQuantization,
    /// A reduction (dot-product) length above [`super::limits::MAX_REDUCTION`], which
    /// could overflow the 32-bit accumulators.
    ReductionTooLong,
    /// The final layer does not end with `Tanh`, `Tanh` appears earlier, or
    /// a layer's tanh table is missing (Tanh), present (others) or not
    /// monotonic.
    Tanh,
    /// The last layer's output shape is not the header's image shape.
    OutputShape,
    /// The image has a channel count other than 1 (gray) or 3 (RGB).
    Channels,
    /// A translator's header names a latent or classes, or its first
    /// layer does not take the input image's shape and quantization.
    InputImage,
    /// A skip connection names no earlier layer, a layer that is not the
    /// latest one still kept (skips must nest), a layer already joined, or
    /// shapes or quantization that do not join (or it is on a `Linear`).
    Skip,
    /// More skip outputs would be kept at once than
    /// [`super::limits::MAX_KEPT`].
    TooManyKept,
    /// A scale is not a finite positive number.
    Scale,
    /// The text section's vocabulary is not one [`crate::text::Vocabulary`]
    /// accepts.
    Vocabulary(crate::text::VocabularyError),
    /// The text section's embedding table is not `words × dim` codes, its
    /// `dim` or vocabulary is empty, or the model also has classes or an
    /// input image (a text model is conditioned on its prompt alone).
    Text,
    /// The audio section's front end (sample rate, frame, hop, mel bands,
    /// coefficients) is not the one this build computes.
    FrontEnd,
    /// The audio section needs 2 to [`crate::audio::MAX_LABELS`] labels, 1
    /// to [`crate::audio::MAX_ENCODER_FRAMES`] frames, a shift in 0..=15
    /// per coefficient, and a model without classes, text or input image.
    Audio,
    /// A sound model's encoder is not a version 5 file from the feature
    /// codes to one logit per label in the latent's quantization, without
    /// `Tanh`.
    Encoder,
}

/// Names the byte arrays of a layer, for [`Problem::ArrayLength`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArrayName {
    /// Packed int8 weights.
    Weights,
    /// int32 biases.
    Bias,
    /// int32 requantization multipliers.
    Multiplier,
    /// int8 requantization shifts.
    Shift,
    /// float32 weight scales.
    WeightScales,
    /// float64 fully connected factors.
    Factor,
    /// The int8 tanh table.
    TanhTable,
}

/// Why a model file was refused, or a generation could not run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelError {
    /// Shorter than the 16-byte preamble.
    TooShort {
        /// Bytes available.
        len: usize,
    },
    /// The first four bytes are not `PGAN`.
    BadMagic {
        /// What was found instead.
        found: [u8; 4],
    },
    /// Written by a different format version.
    UnsupportedVersion {
        /// Version in the file.
        found: u16,
        /// The newest version this build reads (the file's is newer), or the
        /// oldest (the file's is older).
        supported: u16,
    },
    /// The preamble's reserved field is not zero.
    ReservedField,
    /// The file ends before the payload the preamble declares.
    Truncated {
        /// Payload bytes the preamble declares.
        declared: u32,
        /// Payload bytes present.
        available: usize,
    },
    /// Bytes follow the declared payload.
    TrailingBytes {
        /// How many.
        extra: usize,
    },
    /// The payload's CRC-32 does not match the preamble.
    ChecksumMismatch {
        /// Checksum in the preamble.
        stored: u32,
        /// Checksum of the bytes present.
        computed: u32,
    },
    /// The payload does not decode as the format describes.
    Decode {
        /// Where decoding failed.
        part: Part,
    },
    /// The payload decodes but describes an impossible model.
    Invalid {
        /// The layer at fault, or `None` for the header.
        layer: Option<u16>,
        /// What is wrong.
        problem: Problem,
    },
    /// Decoding all layers left bytes over inside the payload.
    UnusedPayload {
        /// How many.
        extra: usize,
    },
    /// The scratch buffer given to [`crate::generate`] is too small.
    ScratchTooSmall {
        /// Bytes the model needs ([`super::Model::scratch_len`]).
        needed: usize,
        /// Bytes given.
        available: usize,
    },
    /// The latent vector's length differs from the model's latent size.
    LatentLength {
        /// Length given.
        found: usize,
        /// The model's latent size.
        expected: u16,
    },
    /// A class was asked of an unconditional model, none of a conditional
    /// one, or one beyond the model's class count.
    Class {
        /// The class asked for.
        requested: Option<u16>,
        /// The model's class count (0: unconditional).
        classes: u16,
    },
    /// The output buffer for encoding a model is too small.
    BufferTooSmall,
    /// [`crate::generate`] was given a translator, or [`crate::translate`]
    /// a generator.
    WrongKind {
        /// Whether the model is a translator.
        translator: bool,
    },
    /// A prompt was given to a model without a vocabulary.
    NoVocabulary,
    /// A prompt's word set names a word past the vocabulary's end (it was
    /// parsed against another vocabulary).
    WordPastVocabulary {
        /// Words in the model's vocabulary.
        words: usize,
    },
    /// A sound model was asked to draw without what it heard, or another
    /// model was given what an encoder heard.
    Heard {
        /// Whether the model is a sound model.
        sound_model: bool,
    },
    /// The heard condition's length differs from the sound model's labels.
    HeardLength {
        /// Codes given.
        found: usize,
        /// The model's label count.
        expected: usize,
    },
    /// The input image's length differs from the translator's input shape.
    ImageLength {
        /// Codes given.
        found: usize,
        /// Codes the model takes (height × width × channels).
        expected: usize,
    },
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Part::Header => f.write_str("header"),
            Part::Layer(n) => write!(f, "layer {n}"),
            Part::Text => f.write_str("text section"),
            Part::Audio => f.write_str("audio section"),
        }
    }
}

impl fmt::Display for ArrayName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ArrayName::Weights => "weights",
            ArrayName::Bias => "bias",
            ArrayName::Multiplier => "multipliers",
            ArrayName::Shift => "shifts",
            ArrayName::WeightScales => "weight scales",
            ArrayName::Factor => "requantization factors",
            ArrayName::TanhTable => "the tanh table's entries",
        })
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Problem::NoLayers => f.write_str("the model has no layers"),
            Problem::NoLatent => f.write_str("the latent size is zero"),
            Problem::LatentFormat { found, expected } => write!(
                f,
                "latent codes have {found} fractional bits, this build samples {expected}"
            ),
            Problem::ZeroDimension => f.write_str("a tensor has a zero dimension"),
            Problem::TooLarge => f.write_str("a tensor is too large to address"),
            Problem::ShapeChain { produced, consumed } => write!(
                f,
                "its input has {consumed} elements but the previous stage produces {produced}"
            ),
            Problem::ConvGeometry => f.write_str(
                "its output shape does not follow from its input, kernel, stride and padding",
            ),
            Problem::ArrayLength { array, found, expected } => {
                write!(f, "{array} hold {found} bytes, the shapes need {expected}")
            }
            Problem::Requantization => f.write_str(
                "its requantization is not the one its scales give (shift outside -31..=30, \
                 negative multiplier, factor out of range, or the wrong rule for the op)",
            ),
            Problem::InputQuantization => f.write_str(
                "its input scale or zero point differs from the previous stage's output",
            ),
            Problem::ReductionTooLong => write!(
                f,
                "a dot product is longer than {} terms (accumulators could overflow)",
                super::limits::MAX_REDUCTION
            ),
            Problem::Tanh => f.write_str(
                "the last layer must be the only Tanh layer, with a monotonic 256-entry table",
            ),
            Problem::OutputShape => {
                f.write_str("the last layer's output shape differs from the header's image shape")
            }
            Problem::Channels => f.write_str("images must have 1 (gray) or 3 (RGB) channels"),
            Problem::Scale => f.write_str("a scale is not a finite positive number"),
            Problem::Vocabulary(e) => write!(f, "its text section's vocabulary is not valid: {e}"),
            Problem::Text => f.write_str(
                "its text section must hold a non-empty vocabulary and a words × dim embedding \
                 table, on a model without classes or an input image",
            ),
            Problem::FrontEnd => f.write_str(
                "its audio section asks for another sound front end (sample rate, frame, hop, mel bands or \
                 coefficients) than this build computes: update pocketgan and the firmware together",
            ),
            Problem::Audio => f.write_str(
                "its audio section must name 2 to 16 labels, 1 to 64 frames and a shift in 0..=15 per \
                 coefficient, on a model without classes, text or an input image",
            ),
            Problem::Encoder => f.write_str(
                "its sound encoder must be a version 5 model from the 1 × frames × coefficients feature \
                 codes to one logit per label, in the latent's quantization, with no Tanh",
            ),
            Problem::InputImage => f.write_str(
                "a translator takes an image and no latent or classes, and its first layer must \
                 take that image's shape, scale and zero point",
            ),
            Problem::Skip => f.write_str(
                "its skip connection does not join: it must name the latest earlier layer still \
                 kept, of the same height and width and the same quantization, on a convolution",
            ),
            Problem::TooManyKept => write!(
                f,
                "more than {} layer outputs would be kept for skip connections at once",
                super::limits::MAX_KEPT
            ),
        }
    }
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ModelError::TooShort { len } => write!(
                f,
                "not a pocketgan model: {len} bytes is shorter than the 16-byte preamble \
                 (the file is empty or cut off; export it again with `pocketgan export`)"
            ),
            ModelError::BadMagic { found } => write!(
                f,
                "not a pocketgan model: it starts with {found:02x?}, not \"PGAN\" \
                 (export one with `pocketgan export RUN -o model.pgan`)"
            ),
            ModelError::UnsupportedVersion { found, supported } if found > supported => write!(
                f,
                "model format version {found} is newer than this build reads ({supported}): \
                 update pocketgan (and the firmware) to a release that reads it"
            ),
            ModelError::UnsupportedVersion { found, supported } => write!(
                f,
                "model format version {found} is older than the oldest this build reads ({supported}): \
                 export the model again from its run folder with `pocketgan export`"
            ),
            ModelError::ReservedField => f.write_str(
                "the preamble's reserved field is not zero: the file is corrupt or from a newer tool",
            ),
            ModelError::Truncated { declared, available } => write!(
                f,
                "the model file is truncated: its payload should be {declared} bytes but only \
                 {available} are present (copy or export it again)"
            ),
            ModelError::TrailingBytes { extra } => write!(
                f,
                "{extra} unexpected bytes follow the model payload (the file was appended to \
                 or concatenated; export it again)"
            ),
            ModelError::ChecksumMismatch { stored, computed } => write!(
                f,
                "the model file is corrupt: payload checksum is {computed:#010x} but the file \
                 says {stored:#010x} (copy or export it again)"
            ),
            ModelError::Decode { part } => write!(
                f,
                "the model file is corrupt: its {part} does not decode (export it again)"
            ),
            ModelError::Invalid { layer: None, problem } => {
                write!(f, "invalid model header: {problem}")
            }
            ModelError::Invalid { layer: Some(n), problem } => {
                write!(f, "invalid model, layer {n}: {problem}")
            }
            ModelError::UnusedPayload { extra } => write!(
                f,
                "the model file is corrupt: {extra} payload bytes follow the last layer"
            ),
            ModelError::ScratchTooSmall { needed, available } => write!(
                f,
                "the model needs {needed} bytes of scratch memory but only {available} are \
                 available (use a smaller model or a board with more RAM)"
            ),
            ModelError::LatentLength { found, expected } => write!(
                f,
                "the latent vector has {found} values but the model takes {expected}"
            ),
            ModelError::Class { requested: Some(c), classes: 0 } => write!(
                f,
                "class {c} was requested but the model is unconditional (it has no classes)"
            ),
            ModelError::Class { requested: Some(c), classes } => write!(
                f,
                "class {c} was requested but the model has classes 0..{}",
                classes - 1
            ),
            ModelError::Class { requested: None, classes } => write!(
                f,
                "the model is conditional on {classes} classes: choose one"
            ),
            ModelError::BufferTooSmall => {
                f.write_str("the output buffer is too small for the encoded model")
            }
            ModelError::WrongKind { translator: true } => f.write_str(
                "the model is a translator (image in, image out): run it with `pocketgan translate`, not as a generator",
            ),
            ModelError::WrongKind { translator: false } => f.write_str(
                "the model is a generator (latent in, image out): draw it with `pocketgan sample`, not as a translator",
            ),
            ModelError::NoVocabulary => f.write_str(
                "a prompt was given, but the model has no vocabulary: it is not a text model \
                 (`pocketgan inspect` tells what it takes)",
            ),
            ModelError::WordPastVocabulary { words } => write!(
                f,
                "the prompt names a word past the model's {words}-word vocabulary: parse it against this model's vocabulary"
            ),
            ModelError::Heard { sound_model: true } => f.write_str(
                "the model is a sound model: it draws what it hears (give it a recording, e.g. `pocketgan sample --audio FILE.wav`)",
            ),
            ModelError::Heard { sound_model: false } => f.write_str(
                "a recording was given, but the model is not a sound model (`pocketgan inspect` tells what it takes)",
            ),
            ModelError::HeardLength { found, expected } => write!(
                f,
                "the heard condition has {found} codes but the sound model has {expected} labels"
            ),
            ModelError::ImageLength { found, expected } => write!(
                f,
                "the input image has {found} codes but the translator takes {expected}"
            ),
        }
    }
}

impl core::error::Error for ModelError {}
