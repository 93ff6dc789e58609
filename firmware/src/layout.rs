//! Where the image and the caption go on a display.

use embedded_graphics::geometry::{Point, Size};
use embedded_graphics::primitives::Rectangle;

/// Caption columns need room for about ten characters of a 6-pixel font.
const MIN_CAPTION_WIDTH: u32 = 60;
/// One line of a 10-pixel font, plus a gap.
const MIN_CAPTION_HEIGHT: u32 = 12;
/// Gap between the image viewport and the caption.
const GAP: u32 = 2;

/// The split of a display into an image viewport and a caption area.
///
/// The viewport always starts at the display's top-left corner, so a board
/// image equals what `pocketgan sample --display WxH` draws for a display
/// of the viewport's size — dither pattern included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// Where the generated image is drawn (scaled and centred inside).
    pub viewport: Rectangle,
    /// Where the caption goes, if the display has room for one.
    pub caption: Option<Rectangle>,
}

impl Layout {
    /// The layout for a display of `size`: a square viewport with the
    /// caption beside it on wide displays, below it on tall ones, and no
    /// caption on displays that are nearly square.
    pub fn for_display(size: Size) -> Layout {
        let (w, h) = (size.width, size.height);
        if w >= h + GAP + MIN_CAPTION_WIDTH {
            Layout {
                viewport: Rectangle::new(Point::zero(), Size::new(h, h)),
                caption: Some(Rectangle::new(Point::new((h + GAP) as i32, 0), Size::new(w - h - GAP, h))),
            }
        } else if h >= w + GAP + MIN_CAPTION_HEIGHT {
            Layout {
                viewport: Rectangle::new(Point::zero(), Size::new(w, w)),
                caption: Some(Rectangle::new(Point::new(0, (w + GAP) as i32), Size::new(w, h - w - GAP))),
            }
        } else {
            Layout { viewport: Rectangle::new(Point::zero(), size), caption: None }
        }
    }
}

impl Layout {
    /// A translator's two squares: its input beside its output on a wide
    /// display (the output square at the right edge), above it on a tall
    /// one. The input square is the one [`Layout::for_display`] gives a
    /// display of the same height (or width).
    pub fn input_and_output(size: Size) -> (Rectangle, Rectangle) {
        let (w, h) = (size.width, size.height);
        if w >= h {
            let side = h.min(w / 2);
            (Rectangle::new(Point::zero(), Size::new(side, side)), Rectangle::new(Point::new((w - side) as i32, 0), Size::new(side, side)))
        } else {
            let side = w.min(h / 2);
            (Rectangle::new(Point::zero(), Size::new(side, side)), Rectangle::new(Point::new(0, (h - side) as i32), Size::new(side, side)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_displays() {
        // SSD1306 128×64: 64×64 image, caption to the right.
        let l = Layout::for_display(Size::new(128, 64));
        assert_eq!(l.viewport, Rectangle::new(Point::zero(), Size::new(64, 64)));
        assert_eq!(l.caption, Some(Rectangle::new(Point::new(66, 0), Size::new(62, 64))));
        // ST7789 135×240 (portrait): caption below.
        let l = Layout::for_display(Size::new(135, 240));
        assert_eq!(l.viewport.size, Size::new(135, 135));
        assert_eq!(l.caption.unwrap().top_left, Point::new(0, 137));
        // 128×128: no room.
        let l = Layout::for_display(Size::new(128, 128));
        assert_eq!(l.viewport.size, Size::new(128, 128));
        assert_eq!(l.caption, None);
    }
}
