//! The pocketgan app for microcontrollers, independent of any board.
//!
//! A board crate wires pins and peripherals to three small traits —
//! [`Input`] (button presses and a sensor), [`Screen`] (an
//! `embedded-graphics` [`DrawTarget`](embedded_graphics::draw_target::DrawTarget)
//! plus a way to show it) and [`Clock`] — and hands them to [`run`]. All
//! number crunching (parsing, the int8 generator, latent sampling, scaling,
//! dithering) is the shared crate's, so a board draws exactly the pixels
//! `pocketgan sample` draws on the host.
//!
//! The model is built in: `build.rs` embeds the file named by the
//! `POCKETGAN_MODEL` environment variable (the committed default model
//! otherwise) as [`MODEL_FILE`] and sizes [`Buffers`] from it, so RAM is
//! reserved statically and a model too large for a board fails at link time.
//! A file that does not parse is reported at boot instead, on the display
//! and in the log, and the board keeps running.
#![no_std]
#![warn(missing_docs)]

#[macro_use]
mod log;

mod app;
mod button;
mod buffers;
mod canvas;
mod color;
mod framebuffer;
mod input;
mod layout;
mod prompt;
mod serial;
mod sketches;
mod talk;
mod text;
mod touch;

/// The graphics library the app draws with, for boards to name colors and targets.
pub use embedded_graphics;

pub use app::{App, AppError, Drawn, Outcome, run};
pub use button::ButtonAndSensor;
pub use buffers::{Buffers, INPUT_LEN, LATENT_LEN, MODEL_FILE, SCRATCH_LEN};
pub use canvas::{Canvas, INK, StrokeError};
pub use color::PanelColor;
pub use framebuffer::MonoFramebuffer;
pub use input::{Clock, Event, Input, SENSOR_MAX, Screen, SensorFilter, sensor_to_mix};
pub use layout::Layout;
pub use prompt::{LineEditor, PRESETS, PROMPT_MAX, PromptText, next_preset};
pub use serial::WithSerialLine;
pub use sketches::{SKETCH_GRID, SKETCHES, Sketch};
pub use talk::{DcBlocker, MIC_BLOCK, Microphone, PushToTalk};
pub use touch::{StrokeTracker, TouchCalibration};
