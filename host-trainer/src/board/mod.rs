//! The int8 model as a board runs it, on the host: sampling through the
//! shared fixed-point code, the boards' specs and whether a model fits
//! them, whole board screens drawn by the firmware's code, and what is
//! inside a model file; NPU boards through Arm's Vela compiler.

pub mod fit;
pub mod hearing;
pub mod inspect;
pub mod npu;
pub mod sample;
pub mod screen;
pub mod translate;
