//! Generators and discriminators.

pub mod dcgan;

pub use dcgan::{Discriminator, DiscriminatorConfig, Generator, GeneratorConfig};
