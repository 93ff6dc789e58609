//! A 1-bit framebuffer in RAM, for emulated boards and tests.

use core::convert::Infallible;
use embedded_graphics::Pixel;
use embedded_graphics::draw_target::DrawTarget;
use embedded_graphics::geometry::{OriginDimensions, Size};
use embedded_graphics::pixelcolor::BinaryColor;

/// A monochrome display kept in a caller's buffer: rows of
/// `ceil(width / 8)` bytes, most significant bit leftmost, 1 = lit — the
/// layout of [`pocketgan_shared::pixels::Rendered::fill_mono`] and of
/// `pocketgan sample --raw` for `--pixels mono`.
pub struct MonoFramebuffer<'a> {
    bytes: &'a mut [u8],
    width: u16,
    height: u16,
}

impl<'a> MonoFramebuffer<'a> {
    /// Bytes a `width × height` framebuffer needs.
    pub const fn bytes_for(width: u16, height: u16) -> usize {
        (width as usize).div_ceil(8) * height as usize
    }

    /// A framebuffer over `bytes`, or `None` if `bytes` is shorter than
    /// [`Self::bytes_for`]`(width, height)`.
    pub fn new(bytes: &'a mut [u8], width: u16, height: u16) -> Option<Self> {
        let len = Self::bytes_for(width, height);
        let bytes = bytes.get_mut(..len)?;
        Some(MonoFramebuffer { bytes, width, height })
    }

    /// The raw rows.
    pub fn bytes(&self) -> &[u8] {
        self.bytes
    }

    /// Whether pixel `(x, y)` is lit (false outside the display).
    pub fn is_lit(&self, x: u16, y: u16) -> bool {
        if x >= self.width || y >= self.height {
            return false;
        }
        let stride = (self.width as usize).div_ceil(8);
        self.bytes[y as usize * stride + x as usize / 8] & (0x80 >> (x % 8)) != 0
    }

    /// Copies the rectangle at `(x, y)` of size `width × height` into `out`
    /// in the same row layout (a framebuffer of that size); returns the bytes
    /// written, or `None` if the rectangle leaves the display or `out` is too
    /// short.
    pub fn crop(&self, x: u16, y: u16, width: u16, height: u16, out: &mut [u8]) -> Option<usize> {
        if x.checked_add(width)? > self.width || y.checked_add(height)? > self.height {
            return None;
        }
        let mut crop = MonoFramebuffer::new(out, width, height)?;
        crop.bytes.fill(0);
        for cy in 0..height {
            for cx in 0..width {
                if self.is_lit(x + cx, y + cy) {
                    crop.set(cx, cy, true);
                }
            }
        }
        Some(crop.bytes.len())
    }

    fn set(&mut self, x: u16, y: u16, on: bool) {
        let stride = (self.width as usize).div_ceil(8);
        let (i, bit) = (y as usize * stride + x as usize / 8, 0x80u8 >> (x % 8));
        if on { self.bytes[i] |= bit } else { self.bytes[i] &= !bit }
    }
}

impl OriginDimensions for MonoFramebuffer<'_> {
    fn size(&self) -> Size {
        Size::new(self.width as u32, self.height as u32)
    }
}

impl DrawTarget for MonoFramebuffer<'_> {
    type Color = BinaryColor;
    type Error = Infallible;

    fn draw_iter<I: IntoIterator<Item = Pixel<BinaryColor>>>(&mut self, pixels: I) -> Result<(), Infallible> {
        for Pixel(p, color) in pixels {
            if p.x >= 0 && p.y >= 0 && p.x < self.width as i32 && p.y < self.height as i32 {
                self.set(p.x as u16, p.y as u16, color.is_on());
            }
        }
        Ok(())
    }

    fn clear(&mut self, color: BinaryColor) -> Result<(), Infallible> {
        self.bytes.fill(if color.is_on() { 0xff } else { 0 });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use embedded_graphics::prelude::*;

    #[test]
    fn pixels_land_msb_first_and_crop_keeps_layout() {
        let mut buf = [0u8; MonoFramebuffer::bytes_for(12, 3)];
        let mut fb = MonoFramebuffer::new(&mut buf, 12, 3).unwrap();
        fb.draw_iter([Pixel(Point::new(0, 0), BinaryColor::On), Pixel(Point::new(9, 2), BinaryColor::On)]).unwrap();
        fb.draw_iter([Pixel(Point::new(-1, 0), BinaryColor::On), Pixel(Point::new(12, 0), BinaryColor::On)]).unwrap();
        assert_eq!(fb.bytes(), &[0x80, 0, 0, 0, 0, 0x40]);
        let mut out = [0u8; 2];
        assert_eq!(fb.crop(8, 1, 2, 2, &mut out), Some(2));
        assert_eq!(out, [0x00, 0x40]);
        assert_eq!(fb.crop(11, 0, 2, 1, &mut out), None);
    }
}
