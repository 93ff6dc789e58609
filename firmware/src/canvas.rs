//! A translator's input canvas: 8-bit pixels in the model's input shape
//! (HWC), white ink on black as the translation data draws its sketches,
//! drawn with one-pixel lines. The host draws test strokes with this same
//! code, so the board's input is known to the pixel.

/// Why a stroke was not drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum StrokeError {
    /// A point lies outside the canvas.
    OutsideCanvas {
        /// The point.
        point: (u16, u16),
        /// The canvas's width and height.
        size: (u16, u16),
    },
}

/// The canvas, borrowing its pixels.
pub struct Canvas<'a> {
    pixels: &'a mut [u8],
    width: u16,
    height: u16,
    channels: u16,
}

/// Ink and paper: white strokes on black, like the skeletons and outlines
/// the translators learn from.
pub const INK: u8 = 255;

impl<'a> Canvas<'a> {
    /// A canvas over `pixels` (at least `width × height × channels` bytes),
    /// cleared.
    pub fn new(pixels: &'a mut [u8], width: u16, height: u16, channels: u16) -> Option<Self> {
        let len = width as usize * height as usize * channels as usize;
        let pixels = pixels.get_mut(..len)?;
        let mut canvas = Canvas { pixels, width, height, channels };
        canvas.clear();
        Some(canvas)
    }

    /// Width and height.
    pub fn size(&self) -> (u16, u16) {
        (self.width, self.height)
    }

    /// Channels per pixel.
    pub fn channels(&self) -> u16 {
        self.channels
    }

    /// The pixels, HWC.
    pub fn pixels(&self) -> &[u8] {
        self.pixels
    }

    /// The pixels, to be filled by a board that loads an image.
    pub fn pixels_mut(&mut self) -> &mut [u8] {
        self.pixels
    }

    /// Paints everything black.
    pub fn clear(&mut self) {
        self.pixels.fill(0);
    }

    /// A one-pixel line from `from` to `to`, both ends included
    /// (Bresenham's algorithm, so every target draws the same pixels).
    /// Nothing is drawn if either end is outside the canvas.
    pub fn line(&mut self, from: (u16, u16), to: (u16, u16)) -> Result<(), StrokeError> {
        for point in [from, to] {
            if point.0 >= self.width || point.1 >= self.height {
                return Err(StrokeError::OutsideCanvas { point, size: (self.width, self.height) });
            }
        }
        let (mut x, mut y) = (from.0 as i32, from.1 as i32);
        let (x1, y1) = (to.0 as i32, to.1 as i32);
        let (dx, dy) = ((x1 - x).abs(), -(y1 - y).abs());
        let (sx, sy) = (if x < x1 { 1 } else { -1 }, if y < y1 { 1 } else { -1 });
        let mut err = dx + dy;
        loop {
            let p = (y as usize * self.width as usize + x as usize) * self.channels as usize;
            self.pixels[p..p + self.channels as usize].fill(INK);
            if x == x1 && y == y1 {
                return Ok(());
            }
            let e2 = 2 * err;
            if e2 >= dy {
                err += dy;
                x += sx;
            }
            if e2 <= dx {
                err += dx;
                y += sy;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;

    #[test]
    fn lines_join_their_ends_with_one_pixel_per_step_and_stay_inside() {
        let mut pixels = [7u8; 5 * 4];
        let mut c = Canvas::new(&mut pixels, 5, 4, 1).unwrap();
        c.line((0, 0), (4, 2)).unwrap();
        c.line((1, 3), (1, 3)).unwrap();
        let lit: std::vec::Vec<(usize, usize)> =
            (0..20).filter(|&i| c.pixels()[i] == INK).map(|i| (i % 5, i / 5)).collect();
        // Ties (the exact line crosses y = 0.5 at x = 1) step down.
        assert_eq!(lit, [(0, 0), (1, 1), (2, 1), (3, 2), (4, 2), (1, 3)]);
        assert_eq!(c.line((0, 0), (5, 1)), Err(StrokeError::OutsideCanvas { point: (5, 1), size: (5, 4) }));
        assert_eq!(c.pixels().iter().filter(|&&p| p == INK).count(), 6, "a refused stroke draws nothing");
    }
}
