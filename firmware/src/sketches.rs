//! Example inputs for a translator, in flash: a board without a touch
//! screen steps through them with its button, and `pocketgan translate
//! --sketches` draws the same ones on the host (with this code), so the
//! emulated board's frames can be checked against the host's.
//!
//! Each sketch is a few polylines on a 28×28 grid, the size of the
//! translation data, drawn as one-pixel lines like the skeletons and
//! outlines the translators learned from; on another canvas size the
//! points are scaled.

use crate::canvas::{Canvas, StrokeError};

/// One example input: a name for the log and its strokes.
#[derive(Debug, Clone, Copy)]
pub struct Sketch {
    /// What it shows ("three", "tee").
    pub name: &'static str,
    /// Polylines through points of a 28×28 grid, `(x, y)`, each `< 28`.
    pub strokes: &'static [&'static [(u8, u8)]],
}

/// The grid the sketches are drawn on.
pub const SKETCH_GRID: u16 = 28;

impl Sketch {
    /// Clears `canvas` and draws the sketch, scaled to its size.
    pub fn draw(&self, canvas: &mut Canvas<'_>) -> Result<(), StrokeError> {
        canvas.clear();
        let (w, h) = canvas.size();
        // Nearest grid point of the canvas: (28 − 1) maps to (w − 1).
        let scale = |v: u8, side: u16| -> u16 {
            let last = (SKETCH_GRID - 1) as u32;
            ((v as u32 * (side.max(1) as u32 - 1) + last / 2) / last) as u16
        };
        for stroke in self.strokes {
            let mut points = stroke.iter().map(|&(x, y)| (scale(x, w), scale(y, h)));
            let Some(mut last) = points.next() else { continue };
            canvas.line(last, last)?;
            for next in points {
                canvas.line(last, next)?;
                last = next;
            }
        }
        Ok(())
    }
}

/// The bundled sketches: the ten digits as a pen writes them (for a
/// skeleton → digit translator), then five garment outlines (for outline →
/// garment).
pub const SKETCHES: &[Sketch] = &[
    Sketch {
        name: "zero",
        strokes: &[&[(14, 4), (18, 5), (21, 10), (21, 18), (18, 23), (14, 24), (10, 23), (7, 18), (7, 10), (10, 5), (14, 4)]],
    },
    Sketch { name: "one", strokes: &[&[(11, 8), (15, 4), (15, 24)]] },
    Sketch { name: "two", strokes: &[&[(8, 8), (10, 5), (14, 4), (18, 5), (20, 8), (19, 12), (8, 24), (21, 24)]] },
    Sketch {
        name: "three",
        strokes: &[&[(8, 6), (12, 4), (17, 4), (20, 7), (19, 11), (14, 13), (19, 15), (21, 19), (18, 23), (13, 24), (8, 22)]],
    },
    Sketch { name: "four", strokes: &[&[(17, 24), (17, 4), (7, 17), (22, 17)]] },
    Sketch {
        name: "five",
        strokes: &[&[(20, 4), (10, 4), (9, 13), (13, 11), (18, 12), (21, 16), (20, 21), (15, 24), (8, 22)]],
    },
    Sketch {
        name: "six",
        strokes: &[&[(18, 4), (12, 7), (8, 13), (7, 19), (10, 23), (15, 24), (19, 21), (19, 16), (15, 13), (10, 14), (7, 18)]],
    },
    Sketch { name: "seven", strokes: &[&[(7, 4), (21, 4), (16, 13), (12, 24)]] },
    Sketch {
        name: "eight",
        strokes: &[&[
            (14, 13), (18, 11), (19, 7), (16, 4), (12, 4), (9, 7), (10, 11), (14, 13), (19, 16), (20, 21), (16, 24), (11, 24),
            (8, 21), (9, 16), (14, 13),
        ]],
    },
    Sketch {
        name: "nine",
        strokes: &[&[(19, 9), (17, 5), (12, 4), (8, 7), (8, 11), (11, 14), (16, 14), (19, 11), (19, 9), (18, 17), (15, 24)]],
    },
    Sketch { name: "tee", strokes: &[&[(9, 3), (19, 3), (26, 8), (23, 13), (21, 11), (21, 26), (7, 26), (7, 11), (5, 13), (2, 8), (9, 3)]] },
    Sketch { name: "trouser", strokes: &[&[(8, 2), (20, 2), (21, 26), (16, 26), (14, 9), (12, 26), (7, 26), (8, 2)]] },
    Sketch { name: "dress", strokes: &[&[(11, 2), (17, 2), (17, 8), (20, 14), (23, 26), (5, 26), (8, 14), (11, 8), (11, 2)]] },
    Sketch { name: "sneaker", strokes: &[&[(2, 13), (10, 11), (15, 14), (20, 15), (26, 17), (26, 21), (2, 21), (2, 13)]] },
    Sketch { name: "bag", strokes: &[&[(4, 10), (24, 10), (24, 25), (4, 25), (4, 10)], &[(9, 10), (10, 5), (18, 5), (19, 10)]] },
];

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use crate::canvas::INK;

    #[test]
    fn every_sketch_stays_on_its_grid_and_draws_on_any_canvas() {
        for sketch in SKETCHES {
            for stroke in sketch.strokes {
                assert!(!stroke.is_empty(), "{}", sketch.name);
                assert!(stroke.iter().all(|&(x, y)| (x as u16) < SKETCH_GRID && (y as u16) < SKETCH_GRID), "{}", sketch.name);
            }
            for (side, channels) in [(28u16, 1u16), (32, 3), (16, 1)] {
                let mut pixels = std::vec![9u8; side as usize * side as usize * channels as usize];
                let mut canvas = Canvas::new(&mut pixels, side, side, channels).unwrap();
                sketch.draw(&mut canvas).unwrap();
                let inked = canvas.pixels().iter().filter(|&&p| p == INK).count();
                assert!(inked >= 10 * channels as usize, "{} on {side}×{side}: {inked} inked", sketch.name);
                assert!(canvas.pixels().iter().all(|&p| p == 0 || p == INK));
            }
        }
    }

    #[test]
    fn on_the_grid_size_points_are_drawn_where_they_are_written() {
        let mut pixels = [0u8; 28 * 28];
        let mut canvas = Canvas::new(&mut pixels, 28, 28, 1).unwrap();
        let seven = SKETCHES.iter().find(|s| s.name == "seven").unwrap();
        seven.draw(&mut canvas).unwrap();
        for &(x, y) in seven.strokes[0] {
            assert_eq!(canvas.pixels()[y as usize * 28 + x as usize], INK, "({x}, {y})");
        }
        // The first row is the seven's top bar, x 7..=21.
        let top: std::vec::Vec<usize> = (0..28).filter(|&x| canvas.pixels()[4 * 28 + x] == INK).collect();
        assert_eq!(top, (7..=21).collect::<std::vec::Vec<_>>());
    }
}
