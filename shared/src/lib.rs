//! What the pocketgan host and board agree on, bit for bit.
//!
//! This crate is `no_std` and never allocates. Both the host trainer (which
//! writes model files and previews samples) and the firmware (which draws
//! them on a display) call exactly this code, so a sample generated on the
//! workstation has the same bytes as the one a board shows.
//!
//! - [`format`]: the `.pgan` model file (preamble, checksum, postcard payload)
//!   and its validating, zero-copy parser.
//! - [`quant`]: integer requantization (multiplier + shift, round half up).
//! - [`kernels`]: the fixed-point layers (reference implementations).
//! - [`geometry`]: which input row each kernel tap reads (format and kernels both need it).
//! - [`generator`]: runs a whole model in a caller-provided scratch buffer.
//! - [`latent`]: the seeded latent sampler and latent interpolation.
//! - [`pixels`]: generator output to Gray8, Rgb565 and dithered 1-bit pixels,
//!   with integer upscaling.
//! - [`audio`]: the sound front end (integer MFCCs of 8 kHz speech).
//! - [`hearing`]: a sound model's encoder input and what it heard.
//! - [`text`]: prompts: a closed vocabulary, the tokenizer, the bag-of-words
//!   mean of word embeddings.
#![no_std]
#![deny(missing_docs)]
#![forbid(unsafe_op_in_unsafe_fn)]

pub mod audio;
pub mod format;
pub mod generator;
pub mod geometry;
pub mod hearing;
pub mod kernels;
pub mod latent;
pub mod pixels;
pub mod quant;
pub mod text;

pub use format::{Activation, AudioCondition, Header, Layer, Model, ModelError, Op, TensorShape, TextCondition};
pub use generator::{Condition, generate, generate_with, translate};
pub use latent::LatentSampler;
