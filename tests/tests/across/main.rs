//! Checks across pocketgan's crates, linked into one test binary.
//!
//! - [`default_model_pixels`]: the default model's pixels equal the golden bytes
//! - [`emulated_board`]: the firmware in QEMU draws what `pocketgan sample` draws
//! - [`board_limits`]: what `pocketgan fit` assumes about each board holds
//! - [`module_graph`]: no file in the repository imports one that imports it back

mod board_limits;
mod default_model_pixels;
mod emulated_board;
mod module_graph;
