//! The trainer's integration tests, linked into one binary: each test
//! binary links all of burn again, which costs minutes in CI.
//!
//! - [`cli`]: the `pocketgan` binary as a user meets it
//! - [`data`]: data sets and image folders
//! - [`pipeline`]: train → export → sample through the library
//! - [`checkpoints`]: `--resume`, Ctrl-C, `kill -9`, the NaN guard
//! - [`objectives`]: every objective learns; clipping and spectral norm hold
//! - [`gradient_penalty`]: the explicit input gradient against autodiff and finite differences
//! - [`techniques`]: EMA, packing, R1/R2, augmentation, minibatch std, the best toy recipe
//! - [`translators`]: pix2pix and CycleGAN runs: exact resume, grids, refusals
//! - [`text`]: a captioned run draws what its prompts name; prompts on the CLI
//! - [`sound`]: a spoken-digit run hears and draws; recordings on the CLI
//! - [`sweep`]: `pocketgan sweep` as local jobs; bad manifests, a refusing sbatch
//! - [`remote`]: training on a device `pocketgan serve-device` serves (feature `remote`)
//! - [`default_model`]: the committed model against its float checkpoint
//! - [`lab`]: `pocketgan lab`'s server and its page in headless Chromium
//! - [`wgpu`]: burn-wgpu against burn-flex (feature `wgpu`)

mod common;

mod checkpoints;
mod cli;
mod data;
mod default_model;
mod gradient_penalty;
mod lab;
mod objectives;
mod pipeline;
mod remote;
mod sound;
mod sweep;
mod techniques;
mod text;
mod translators;
mod wgpu;
