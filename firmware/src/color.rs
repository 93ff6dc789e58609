//! How a generated pixel becomes a display color, per kind of display.

use embedded_graphics::pixelcolor::{BinaryColor, Gray8, GrayColor, Rgb565, RgbColor};
use embedded_graphics::prelude::PixelColor;
use pocketgan_shared::pixels::{Dither, Rendered, rgb565};

/// A display color the app can draw generated images and text in.
///
/// Each conversion calls the shared crate's pixel functions, the ones
/// `pocketgan sample --pixels …` uses, so host and board agree exactly.
pub trait PanelColor: PixelColor {
    /// Text and frame color.
    const INK: Self;
    /// Background color.
    const PAPER: Self;
    /// The color of rendered pixel `(x, y)` drawn at display position
    /// `(display_x, display_y)` (dithering patterns follow the display
    /// grid, not the image).
    fn image_pixel(image: &Rendered<'_>, x: u16, y: u16, display_x: u16, display_y: u16) -> Self;
}

/// 1-bit displays (SSD1306 and friends): 8×8 Bayer dithering, as
/// `--pixels mono`.
impl PanelColor for BinaryColor {
    const INK: Self = BinaryColor::On;
    const PAPER: Self = BinaryColor::Off;
    fn image_pixel(image: &Rendered<'_>, x: u16, y: u16, display_x: u16, display_y: u16) -> Self {
        Dither::BAYER8.lit(image.pixel(x, y), display_x, display_y).into()
    }
}

/// 8-bit gray displays, as `--pixels gray8`.
impl PanelColor for Gray8 {
    const INK: Self = Gray8::WHITE;
    const PAPER: Self = Gray8::BLACK;
    fn image_pixel(image: &Rendered<'_>, x: u16, y: u16, _: u16, _: u16) -> Self {
        Gray8::new(image.pixel(x, y))
    }
}

/// RGB565 displays (ST7789, ILI9341), as `--pixels rgb565`.
impl PanelColor for Rgb565 {
    const INK: Self = Rgb565::WHITE;
    const PAPER: Self = Rgb565::BLACK;
    fn image_pixel(image: &Rendered<'_>, x: u16, y: u16, _: u16, _: u16) -> Self {
        let [r, g, b] = image.pixel_rgb(x, y);
        let v = rgb565(r, g, b);
        Rgb565::new((v >> 11) as u8, ((v >> 5) & 0x3f) as u8, (v & 0x1f) as u8)
    }
}
