//! Training: one GAN step for every objective, the image and toy loops
//! around it, and what keeps a run safe.
//!
//! - [`objectives`]: the losses, regularizers and each paper's settings
//!   ([`objectives::settings::StepSettings`])
//! - [`step`]: one step (critic updates, then a generator update)
//! - [`techniques`]: EMA, packing, R1/R2, augmentation, minibatch std, with
//!   [`ema`] (the generator's average) and [`augment`] (DiffAugment)
//! - [`image_config`], [`images`]: image runs (DCGAN on digits, Fashion-MNIST
//!   or a folder), with checkpoints and exact `--resume`
//! - [`run_dir`]: an image run's folder and its checkpoints
//! - [`toy`], [`toy_run`]: 2-D toy runs, and their folders and pictures
//! - [`device`]: the compute device (flex, wgpu or [`remote`]); [`interrupt`]: Ctrl-C
//! - [`bench`](mod@bench): milliseconds per training step

pub mod augment;
pub mod bench;
pub mod device;
pub mod ema;
pub mod image_config;
pub mod images;
pub mod interrupt;
pub mod objectives;
pub mod remote;
pub mod run_dir;
pub mod sound;
pub mod step;
pub mod techniques;
pub mod toy;
pub mod translation;
pub mod toy_run;
