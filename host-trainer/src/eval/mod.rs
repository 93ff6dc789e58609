//! Evaluation: how good a generator is, and how faithfully its int8 export
//! follows it.
//!
//! - [`modes`]: 2-D toy runs — modes covered and the share of high-quality
//!   samples (the unrolled-GAN / VEEGAN / PacGAN protocol).
//! - [`classifier`], [`frechet`]: image runs — a small classifier trained
//!   on the real training split gives a Fréchet distance on its features,
//!   class accuracy of conditional samples, and how evenly samples spread
//!   over the classes.
//! - [`agreement`]: int8 vs float pixels of the same generator.

pub mod agreement;
pub mod classifier;
pub mod frechet;
pub mod images;
pub mod modes;
pub mod report;

pub use agreement::{Agreement, CHECK_SEEDS, int8_vs_float};
