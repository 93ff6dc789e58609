//! A picture of a toy GAN at one moment: the discriminator's output over
//! the plane as a blue (says fake) to green (says real) field, real samples
//! in grey and generated samples in orange — GAN Lab's main view, as a PNG.
//! It draws numbers it is given; `training::toy_run::picture` computes them
//! from a toy GAN.

use anyhow::{Context, Result};
use std::path::Path;

/// Side of the picture in pixels.
pub const SIDE: u32 = 320;
/// Field cells per side.
pub const CELLS: usize = 64;

/// The picture, [`SIDE`] pixels square, of the square of half-side
/// `extent`: `field` holds the critic's value at the centres of a
/// [`CELLS`] × [`CELLS`] grid (row-major, top row first), drawn from its
/// lowest to its highest value; `real` and `generated` are points.
pub fn draw(field: &[f32], extent: f32, real: &[[f32; 2]], generated: &[[f32; 2]]) -> image::RgbImage {
    let (lo, hi) = field.iter().fold((f32::INFINITY, f32::NEG_INFINITY), |(l, h), &v| (l.min(v), h.max(v)));
    let span = (hi - lo).max(1e-6);
    let mut img = image::RgbImage::new(SIDE, SIDE);
    for (x, y, px) in img.enumerate_pixels_mut() {
        let cell = (y as usize * CELLS / SIDE as usize) * CELLS + x as usize * CELLS / SIDE as usize;
        let t = field.get(cell).map(|v| (v - lo) / span).unwrap_or(0.5);
        // Light blue (0) to light green (1).
        *px = image::Rgb([(225.0 - 35.0 * t) as u8, (225.0 + 20.0 * t) as u8, (250.0 - 60.0 * t) as u8]);
    }
    let to_px = |p: [f32; 2]| -> Option<(i64, i64)> {
        let x = ((p[0] / extent + 1.0) / 2.0 * SIDE as f32) as i64;
        let y = ((-p[1] / extent + 1.0) / 2.0 * SIDE as f32) as i64;
        (p[0].is_finite() && p[1].is_finite()).then_some((x, y))
    };
    let mut dot = |p: [f32; 2], color: [u8; 3]| {
        if let Some((x, y)) = to_px(p) {
            for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1), (-1, 0), (0, -1)] {
                let (x, y) = (x + dx, y + dy);
                if (0..SIDE as i64).contains(&x) && (0..SIDE as i64).contains(&y) {
                    img.put_pixel(x as u32, y as u32, image::Rgb(color));
                }
            }
        }
    };
    real.iter().for_each(|&p| dot(p, [90, 90, 90]));
    generated.iter().for_each(|&p| dot(p, [235, 120, 20]));
    img
}

/// Puts up to `frames` of the snapshot pictures (first and last included,
/// the rest evenly spaced) side by side: the generator's motion in one image.
pub fn save_strip(snapshots: &[std::path::PathBuf], frames: usize, out: &Path) -> Result<()> {
    if snapshots.is_empty() || frames == 0 {
        return Ok(());
    }
    let picks: Vec<usize> = if snapshots.len() <= frames {
        (0..snapshots.len()).collect()
    } else {
        (0..frames).map(|k| k * (snapshots.len() - 1) / (frames - 1).max(1)).collect()
    };
    let frames = picks
        .iter()
        .map(|&i| Ok(image::open(&snapshots[i]).with_context(|| format!("cannot read {}", snapshots[i].display()))?.to_rgb8()))
        .collect::<Result<Vec<_>>>()?;
    side_by_side(&frames).save(out).with_context(|| format!("cannot write {}", out.display()))
}

/// Pictures [`SIDE`] pixels high, left to right, 4 pixels apart on white.
pub fn side_by_side(pictures: &[image::RgbImage]) -> image::RgbImage {
    let n = pictures.len() as u32;
    let mut all = image::RgbImage::from_pixel(SIDE * n + 4 * n.saturating_sub(1), SIDE, image::Rgb([255, 255, 255]));
    for (slot, picture) in pictures.iter().enumerate() {
        image::imageops::replace(&mut all, picture, (slot as u32 * (SIDE + 4)) as i64, 0);
    }
    all
}
