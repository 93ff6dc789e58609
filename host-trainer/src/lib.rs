//! pocketgan's host side: train GANs with burn, quantize the generator to
//! int8, and write the `.pgan` files the firmware runs.
//!
//! The trainer runs on burn 0.22's flex backend on the CPU and on burn-wgpu
//! (feature `wgpu`) on a GPU, with the same code: modules take a runtime
//! [`burn::tensor::Device`].

pub mod bench;
pub mod board_screen;
pub mod cli;
pub mod compare;
pub mod data;
pub mod demo;
pub mod device;
pub mod eval;
pub mod export;
pub mod fit;
pub mod gan_step;
pub mod inspect;
pub mod interrupt;
pub mod lab;
pub mod nets;
pub mod objectives;
pub mod plot;
pub mod preview;
pub mod run;
pub mod sample;
pub mod toy;
pub mod toy_plot;
pub mod train;
