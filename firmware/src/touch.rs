//! A resistive touch screen as a translator's stylus: raw controller
//! readings to display pixels ([`TouchCalibration`]), display pixels inside
//! the input square to canvas pixels and stroke events ([`StrokeTracker`]).
//! The board reads the controller; everything else is here, where the host
//! tests it.

use crate::input::Event;

/// How a touch controller's raw 12-bit readings map to display pixels.
///
/// Each edge is the raw reading at that edge of the display; an edge may be
/// larger than its opposite (the axis runs the other way). `swap_axes`
/// when the controller's X reading follows the display's rows (a panel
/// mounted in landscape, as the usual 2.8" ILI9341 modules are).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TouchCalibration {
    /// Raw reading at the display's left edge.
    pub raw_left: u16,
    /// Raw reading at the right edge.
    pub raw_right: u16,
    /// Raw reading at the top edge.
    pub raw_top: u16,
    /// Raw reading at the bottom edge.
    pub raw_bottom: u16,
    /// Whether the controller's (x, y) are the display's (y, x).
    pub swap_axes: bool,
}

impl TouchCalibration {
    /// The display pixel under a raw reading `(x, y)`, on a display of
    /// `size`; readings beyond an edge land on it.
    pub fn to_display(&self, raw: (u16, u16), size: (u16, u16)) -> (u16, u16) {
        let (across, down) = if self.swap_axes { (raw.1, raw.0) } else { raw };
        let along = |v: u16, from: u16, to: u16, pixels: u16| -> u16 {
            let (v, from, to) = (v as i32, from as i32, to as i32);
            if from == to || pixels == 0 {
                return 0;
            }
            let t = (v - from) * (pixels as i32 - 1) / (to - from);
            t.clamp(0, pixels as i32 - 1) as u16
        };
        (along(across, self.raw_left, self.raw_right, size.0), along(down, self.raw_top, self.raw_bottom, size.1))
    }
}

/// Turns pen positions on the display into [`Event::Segment`]s on the
/// canvas shown in a square of the display, and a lift into
/// [`Event::Lift`].
#[derive(Debug, Clone, Copy)]
pub struct StrokeTracker {
    origin: (u16, u16),
    side: u16,
    canvas: (u16, u16),
    last: Option<(u16, u16)>,
}

impl StrokeTracker {
    /// A tracker for a canvas of `canvas` pixels drawn in the square of
    /// `side` display pixels at `origin` (the input square of
    /// [`Layout::input_and_output`](crate::Layout::input_and_output)).
    pub const fn new(origin: (u16, u16), side: u16, canvas: (u16, u16)) -> Self {
        StrokeTracker { origin, side, canvas, last: None }
    }

    /// The canvas pixel under display pixel `p`, if it is in the square.
    pub fn canvas_point(&self, p: (u16, u16)) -> Option<(u16, u16)> {
        let (dx, dy) = (p.0.checked_sub(self.origin.0)?, p.1.checked_sub(self.origin.1)?);
        if dx >= self.side || dy >= self.side {
            return None;
        }
        let side = self.side as u32;
        Some(((dx as u32 * self.canvas.0 as u32 / side) as u16, (dy as u32 * self.canvas.1 as u32 / side) as u16))
    }

    /// The pen touches display pixel `p`: a segment from where it was, once
    /// it reaches another canvas pixel. Outside the square the pen is
    /// ignored, and the stroke goes on from where it comes back in.
    pub fn pen_at(&mut self, p: (u16, u16)) -> Option<Event> {
        let point = self.canvas_point(p)?;
        match self.last.replace(point) {
            None => Some(Event::Segment { from: point, to: point }),
            Some(last) if last != point => Some(Event::Segment { from: last, to: point }),
            Some(_) => None,
        }
    }

    /// The pen lifted: [`Event::Lift`] if it had drawn.
    pub fn pen_up(&mut self) -> Option<Event> {
        self.last.take().map(|_| Event::Lift)
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;

    #[test]
    fn calibration_maps_edges_to_edges_and_clamps_beyond_them() {
        // A landscape panel whose controller X runs down the display and
        // whose Y runs right to left.
        let cal = TouchCalibration { raw_left: 3800, raw_right: 300, raw_top: 250, raw_bottom: 3750, swap_axes: true };
        let size = (320, 240);
        assert_eq!(cal.to_display((250, 3800), size), (0, 0));
        assert_eq!(cal.to_display((3750, 300), size), (319, 239));
        assert_eq!(cal.to_display((2000, 2050), size), (159, 119));
        assert_eq!(cal.to_display((0, 4095), size), (0, 0), "beyond the edges");
        assert_eq!(cal.to_display((4095, 0), size), (319, 239));
    }

    #[test]
    fn strokes_become_segments_between_canvas_pixels_and_a_lift() {
        // A 28×28 canvas in the 160-pixel square at the display's corner.
        let mut t = StrokeTracker::new((0, 0), 160, (28, 28));
        assert_eq!(t.pen_up(), None, "no stroke yet");
        assert_eq!(t.pen_at((0, 0)), Some(Event::Segment { from: (0, 0), to: (0, 0) }));
        assert_eq!(t.pen_at((5, 5)), None, "the same canvas pixel (160 / 28 ≈ 5.7 display pixels each)");
        assert_eq!(t.pen_at((6, 0)), Some(Event::Segment { from: (0, 0), to: (1, 0) }));
        assert_eq!(t.pen_at((200, 10)), None, "the output square");
        assert_eq!(t.pen_at((159, 159)), Some(Event::Segment { from: (1, 0), to: (27, 27) }));
        assert_eq!(t.pen_up(), Some(Event::Lift));
        assert_eq!(t.pen_up(), None);
        assert_eq!(t.pen_at((80, 80)), Some(Event::Segment { from: (14, 14), to: (14, 14) }), "a new stroke");
        let offset = StrokeTracker::new((10, 20), 100, (32, 32));
        assert_eq!(offset.canvas_point((9, 50)), None);
        assert_eq!(offset.canvas_point((10, 20)), Some((0, 0)));
        assert_eq!(offset.canvas_point((109, 119)), Some((31, 31)));
        assert_eq!(offset.canvas_point((110, 50)), None);
    }
}
