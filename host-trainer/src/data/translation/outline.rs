//! Outlines of shapes: the input side of the *outline → garment* pairs.
//!
//! pix2pix's edges2shoes drew its edges with HED; a garment's outline here
//! is the boundary of its silhouette instead: the pixels above a low
//! threshold, minus that mask eroded by a 3×3 square. Sobel or Canny edges
//! would also trace a garment's print and knit, which a user sketching a
//! shirt does not draw.

/// Ink at or above this level (of 255) belongs to the silhouette: low, so a
/// dark garment's faint fabric still counts.
pub const SILHOUETTE_THRESHOLD: u8 = 16;

/// The one-pixel-wide boundary of `image`'s silhouette (a `width × height`
/// gray image): 255 on the boundary, 0 elsewhere. Pixels outside the image
/// count as background, so a silhouette touching the border is closed there.
pub fn outline(image: &[u8], width: usize, height: usize) -> Vec<u8> {
    assert_eq!(image.len(), width * height, "outline wants one gray image");
    let inside = |x: isize, y: isize| {
        x >= 0
            && y >= 0
            && (x as usize) < width
            && (y as usize) < height
            && image[y as usize * width + x as usize] >= SILHOUETTE_THRESHOLD
    };
    let mut out = vec![0u8; image.len()];
    for y in 0..height as isize {
        for x in 0..width as isize {
            if !inside(x, y) {
                continue;
            }
            let eroded_away = (-1..=1).any(|dy| (-1..=1).any(|dx| !inside(x + dx, y + dy)));
            if eroded_away {
                out[y as usize * width + x as usize] = 255;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::outline;

    #[test]
    fn a_filled_square_becomes_its_one_pixel_border() {
        // A 4×4 block at (1,1)–(4,4) in a 6×6 image.
        let mut image = vec![0u8; 36];
        for y in 1..5 {
            for x in 1..5 {
                image[y * 6 + x] = 200;
            }
        }
        let lines = outline(&image, 6, 6);
        let drawn: Vec<String> =
            lines.chunks(6).map(|row| row.iter().map(|&p| if p == 255 { '#' } else { '.' }).collect()).collect();
        assert_eq!(drawn, ["......", ".####.", ".#..#.", ".#..#.", ".####.", "......"]);
    }

    #[test]
    fn faint_ink_counts_and_the_image_border_closes_the_outline() {
        // The whole image is faint ink: every border pixel is outline.
        let image = vec![20u8; 9];
        assert_eq!(outline(&image, 3, 3), [255, 255, 255, 255, 0, 255, 255, 255, 255]);
        // Below the threshold nothing is drawn.
        assert!(outline(&[15u8; 9], 3, 3).iter().all(|&p| p == 0));
    }
}
