//! Numbers from samples: how good a generator is.
//!
//! - [`modes`]: 2-D toys — modes covered and the share of high-quality
//!   samples (the unrolled-GAN / VEEGAN / PacGAN protocol).
//! - [`classifier`], [`frechet`], [`images`]: images — a small classifier
//!   trained on the real training split gives a Fréchet distance on its
//!   features, class accuracy of conditional samples, and how evenly
//!   samples spread over the classes, for the float and the int8 generator.
//! - [`translation`]: translators — L1, PSNR and SSIM to paired targets,
//!   Fréchet distance and class agreement of outputs, cycle L1.
//!
//! How closely the int8 model follows the float one is the exporter's
//! check: `export::agreement`.

pub mod classifier;
pub mod frechet;
pub mod images;
pub mod modes;
pub mod translation;
