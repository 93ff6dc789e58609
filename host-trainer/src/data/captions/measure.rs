//! What can be measured on one image and put in words: a digit's stroke
//! thickness, slant and width; a garment's darkness and pattern.

use crate::data::translation::skeleton::{STROKE_THRESHOLD, skeleton};

/// A digit's measures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DigitMeasures {
    /// Ink pixels (≥ [`STROKE_THRESHOLD`]) per skeleton pixel: the mean
    /// stroke width in pixels.
    pub thickness: f32,
    /// Horizontal shift per row, up the digit (positive: the top leans
    /// right), from the ink's second moments.
    pub slant: f32,
    /// Twice the standard deviation of the ink's columns, in pixels, once
    /// the slant is taken out (a leaning one is not wide for leaning).
    pub width: f32,
}

/// The ink's intensity-weighted moments: mean x, mean y, var x, var y, cov xy.
fn moments(image: &[u8], width: usize) -> Option<[f64; 5]> {
    let (mut w, mut sx, mut sy) = (0.0, 0.0, 0.0);
    for (i, &p) in image.iter().enumerate() {
        let v = p as f64;
        w += v;
        sx += v * (i % width) as f64;
        sy += v * (i / width) as f64;
    }
    if w == 0.0 {
        return None;
    }
    let (mx, my) = (sx / w, sy / w);
    let (mut vxx, mut vyy, mut vxy) = (0.0, 0.0, 0.0);
    for (i, &p) in image.iter().enumerate() {
        let (dx, dy) = ((i % width) as f64 - mx, (i / width) as f64 - my);
        let v = p as f64;
        vxx += v * dx * dx;
        vyy += v * dy * dy;
        vxy += v * dx * dy;
    }
    Some([mx, my, vxx / w, vyy / w, vxy / w])
}

/// Measures a digit (white ink on black, `width × height`); `None` for a
/// blank image.
pub fn measure_digit(image: &[u8], width: usize, height: usize) -> Option<DigitMeasures> {
    let [_, _, vxx, vyy, vxy] = moments(image, width)?;
    let ink = image.iter().filter(|&&p| p >= STROKE_THRESHOLD).count();
    let bones = skeleton(image, width, height).iter().filter(|&&p| p > 0).count();
    // Rows grow downwards: a top that leans right has x falling as y grows.
    let shear = if vyy > 0.0 { -vxy / vyy } else { 0.0 };
    // Columns' variance once x' = x + shear·y removes the lean.
    let upright_vxx = (vxx - vxy * vxy / vyy.max(f64::MIN_POSITIVE)).max(0.0);
    Some(DigitMeasures { thickness: ink as f32 / bones.max(1) as f32, slant: shear as f32, width: 2.0 * upright_vxx.sqrt() as f32 })
}

/// A garment's measures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GarmentMeasures {
    /// Mean intensity of the garment's pixels (those above 0), 0..=255:
    /// high is light.
    pub lightness: f32,
    /// Mean absolute difference between each garment pixel and its right
    /// and lower neighbours inside the garment: texture and print.
    pub pattern: f32,
}

/// Measures a garment (Fashion-MNIST: the garment light on black);
/// `None` for a blank image.
pub fn measure_garment(image: &[u8], width: usize, height: usize) -> Option<GarmentMeasures> {
    let on: Vec<usize> = (0..image.len()).filter(|&i| image[i] > 0).collect();
    if on.is_empty() {
        return None;
    }
    let lightness = on.iter().map(|&i| image[i] as f64).sum::<f64>() / on.len() as f64;
    let (mut diff, mut pairs) = (0.0, 0usize);
    for &i in &on {
        let (x, y) = (i % width, i / width);
        for j in [(x + 1 < width).then(|| i + 1), (y + 1 < height).then(|| i + width)].into_iter().flatten() {
            if image[j] > 0 {
                diff += (image[i] as f64 - image[j] as f64).abs();
                pairs += 1;
            }
        }
    }
    Some(GarmentMeasures { lightness: lightness as f32, pattern: (diff / pairs.max(1) as f64) as f32 })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 28×28 image with a vertical bar `thick` pixels wide, sheared by
    /// `shear` pixels per row up the image.
    fn bar(thick: usize, shear: f32) -> Vec<u8> {
        let mut img = vec![0u8; 28 * 28];
        for y in 4..24 {
            let centre = 14.0 + shear * (14.0 - y as f32);
            for x in 0..28 {
                if ((x as f32) - centre).abs() < thick as f32 / 2.0 {
                    img[y * 28 + x] = 255;
                }
            }
        }
        img
    }

    #[test]
    fn thick_strokes_measure_thicker_than_thin_ones() {
        let thin = measure_digit(&bar(1, 0.0), 28, 28).unwrap();
        let thick = measure_digit(&bar(5, 0.0), 28, 28).unwrap();
        assert!((0.8..1.3).contains(&thin.thickness), "{thin:?}");
        assert!((3.5..7.0).contains(&thick.thickness), "{thick:?}");
        assert!(thin.slant.abs() < 0.01 && thick.slant.abs() < 0.01);
    }

    #[test]
    fn a_sheared_digit_leans_the_way_it_was_sheared_and_is_not_wider_for_it() {
        let upright = measure_digit(&bar(3, 0.0), 28, 28).unwrap();
        let right = measure_digit(&bar(3, 0.4), 28, 28).unwrap();
        let left = measure_digit(&bar(3, -0.4), 28, 28).unwrap();
        assert!((right.slant - 0.4).abs() < 0.05, "{right:?}");
        assert!((left.slant + 0.4).abs() < 0.05, "{left:?}");
        assert!((right.width - upright.width).abs() < 0.5, "{right:?} vs {upright:?}");
        let wide = measure_digit(&bar(9, 0.0), 28, 28).unwrap();
        assert!(wide.width > upright.width + 2.0, "{wide:?} vs {upright:?}");
        assert_eq!(measure_digit(&[0; 28 * 28], 28, 28), None);
    }

    #[test]
    fn garments_are_light_or_dark_and_plain_or_patterned() {
        let plain_dark: Vec<u8> = (0..28 * 28).map(|i| if (i % 28) > 5 && (i % 28) < 22 { 60 } else { 0 }).collect();
        let striped_light: Vec<u8> = (0..28 * 28).map(|i| if (i % 28) > 5 && (i % 28) < 22 { if (i / 28) % 2 == 0 { 250 } else { 150 } } else { 0 }).collect();
        let a = measure_garment(&plain_dark, 28, 28).unwrap();
        let b = measure_garment(&striped_light, 28, 28).unwrap();
        assert_eq!((a.lightness, a.pattern), (60.0, 0.0));
        assert!(b.lightness > 190.0 && b.pattern > 40.0, "{b:?}");
    }
}
