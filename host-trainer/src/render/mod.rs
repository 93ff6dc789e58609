//! Pictures, drawn from plain numbers and pixels (no networks, no run
//! folders): sample grids and the progress strip, loss curves, toy plots,
//! and the font their text uses.

pub mod font;
pub mod grid;
pub mod loss_plot;
pub mod toy_picture;
