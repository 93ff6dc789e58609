//! GAN losses, one file per family.

pub mod non_saturating;
