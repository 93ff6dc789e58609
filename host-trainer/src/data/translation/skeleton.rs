//! One-pixel skeletons of strokes: the input side of the *skeleton → digit*
//! pairs, by Zhang and Suen's thinning (CACM 27(3), 1984).
//!
//! Each pass has two sub-iterations that peel, in parallel, the contour
//! pixels that are not needed to keep the stroke connected: first the
//! south-east boundary and north-west corners, then the north-west boundary
//! and south-east corners. Alternating keeps the skeleton centred.

/// Ink at or above this level (of 255) is stroke. MNIST's strokes are
/// anti-aliased; half way keeps their width without the blur.
pub const STROKE_THRESHOLD: u8 = 128;

/// The skeleton of `image`'s strokes (a `width × height` gray image): 255
/// on the skeleton, 0 elsewhere.
pub fn skeleton(image: &[u8], width: usize, height: usize) -> Vec<u8> {
    assert_eq!(image.len(), width * height, "skeleton wants one gray image");
    let mut on: Vec<bool> = image.iter().map(|&p| p >= STROKE_THRESHOLD).collect();
    let mut remove = Vec::new();
    loop {
        let mut changed = false;
        for first in [true, false] {
            remove.clear();
            for y in 0..height {
                for x in 0..width {
                    if on[y * width + x] && removable(&on, width, height, x, y, first) {
                        remove.push(y * width + x);
                    }
                }
            }
            changed |= !remove.is_empty();
            for &i in &remove {
                on[i] = false;
            }
        }
        if !changed {
            break;
        }
    }
    on.iter().map(|&b| if b { 255 } else { 0 }).collect()
}

/// Zhang–Suen's test for the pixel at (x, y). Neighbours P2…P9 run
/// clockwise from north; pixels outside the image are background.
fn removable(on: &[bool], width: usize, height: usize, x: usize, y: usize, first: bool) -> bool {
    let at = |dx: isize, dy: isize| {
        let (nx, ny) = (x as isize + dx, y as isize + dy);
        nx >= 0 && ny >= 0 && (nx as usize) < width && (ny as usize) < height && on[ny as usize * width + nx as usize]
    };
    // P2 (N), P3 (NE), P4 (E), P5 (SE), P6 (S), P7 (SW), P8 (W), P9 (NW).
    let p = [at(0, -1), at(1, -1), at(1, 0), at(1, 1), at(0, 1), at(-1, 1), at(-1, 0), at(-1, -1)];
    let neighbours = p.iter().filter(|&&b| b).count();
    // Background-to-ink transitions around the ring: exactly one means the
    // pixel is on a simple contour, so removing it cannot split the stroke.
    let transitions = (0..8).filter(|&i| !p[i] && p[(i + 1) % 8]).count();
    let [p2, _, p4, _, p6, _, p8, _] = p;
    let corners = if first { !(p2 && p4 && p6) && !(p4 && p6 && p8) } else { !(p2 && p4 && p8) && !(p2 && p6 && p8) };
    (2..=6).contains(&neighbours) && transitions == 1 && corners
}

#[cfg(test)]
mod tests {
    use super::skeleton;

    fn draw(image: &[u8], width: usize) -> Vec<String> {
        image.chunks(width).map(|row| row.iter().map(|&p| if p == 255 { '#' } else { '.' }).collect()).collect()
    }

    #[test]
    fn a_thick_bar_thins_to_a_centred_line() {
        // A 3-pixel-tall, 7-pixel-long bar in a 9×5 image.
        let mut image = vec![0u8; 45];
        for y in 1..4 {
            for x in 1..8 {
                image[y * 9 + x] = 255;
            }
        }
        let thin = skeleton(&image, 9, 5);
        let rows = draw(&thin, 9);
        // One row of ink, in the middle. Zhang–Suen also peels the bar's
        // ends, so the line is shorter than the bar.
        assert_eq!(rows[0], ".........");
        assert_eq!(rows[1], ".........");
        assert_eq!(rows[3], ".........");
        assert!(rows[2].matches('#').count() >= 3 && rows[2].trim_matches('.').chars().all(|c| c == '#'), "{rows:?}");
    }

    #[test]
    fn a_ring_keeps_its_hole_and_a_line_stays_as_it_is() {
        // A 2-pixel-thick square ring: thinning must not break it open.
        let mut image = vec![0u8; 100];
        for y in 1..9 {
            for x in 1..9 {
                if !(3..7).contains(&x) || !(3..7).contains(&y) {
                    image[y * 10 + x] = 255;
                }
            }
        }
        let thin = skeleton(&image, 10, 10);
        let ink = thin.iter().filter(|&&p| p == 255).count();
        assert!(ink >= 16 && ink < 36, "ring skeleton has {ink} pixels");
        // Still closed: a flood fill from the centre cannot reach the border.
        let mut seen = vec![false; 100];
        let mut stack = vec![(5usize, 5usize)];
        while let Some((x, y)) = stack.pop() {
            if seen[y * 10 + x] || thin[y * 10 + x] == 255 {
                continue;
            }
            seen[y * 10 + x] = true;
            assert!(x > 0 && y > 0 && x < 9 && y < 9, "the ring was broken open:\n{}", draw(&thin, 10).join("\n"));
            stack.extend([(x - 1, y), (x + 1, y), (x, y - 1), (x, y + 1)]);
        }
        // A one-pixel line is already a skeleton.
        let mut line = vec![0u8; 25];
        (0..5).for_each(|x| line[2 * 5 + x] = 200);
        assert_eq!(skeleton(&line, 5, 5), line.iter().map(|&p| if p > 0 { 255 } else { 0 }).collect::<Vec<_>>());
    }
}
