//! pocketgan's host side: train GANs with burn, quantize the generator to
//! int8, and write the `.pgan` files the firmware runs.
//!
//! The trainer runs on burn 0.22's flex backend on the CPU and on burn-wgpu
//! (feature `wgpu`) on a GPU, with the same code: modules take a runtime
//! [`burn::tensor::Device`].
//!
//! One folder per concern, each using only the ones listed before it:
//!
//! | module | concern |
//! |---|---|
//! | [`files`], [`config_file`] | atomic file writes; config files and flag overrides |
//! | [`data`] | image sets, folders of images, 2-D toy distributions |
//! | [`render`] | pictures: sample grids, loss curves, toy plots, the font |
//! | [`nets`] | the networks (DCGAN, toy MLPs, spectral norm, the translators' U-Net and PatchGAN) and their fixed-seed inputs |
//! | [`board`] | the int8 model as a board runs it: sampling, board specs and fit, screens, inspection |
//! | [`export`] | batch-norm folding, calibration, int8 quantization, int8-vs-float agreement |
//! | [`metrics`] | numbers from samples: toy modes, the classifier, Fréchet distance |
//! | [`training`] | the GAN step, objectives, image and toy loops, run folders, devices, interrupts |
//! | [`eval`] | scoring a run folder; comparing objectives |
//! | [`sweep`] | `pocketgan sweep`: compare's runs as local jobs or a Slurm job array |
//! | [`lab`] | `pocketgan lab`: the browser lab |
//! | [`cli`] | the command line: one file per command |

pub mod files;
pub mod config_file;
pub mod data;
pub mod render;
pub mod nets;
pub mod board;
pub mod export;
pub mod metrics;
pub mod training;
pub mod eval;
pub mod sweep;
pub mod lab;
pub mod cli;
