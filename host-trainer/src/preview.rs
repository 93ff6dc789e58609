//! Sample grids as PNG files.

use anyhow::{Context, Result};
use std::path::Path;

/// Images of one size, 8-bit, HWC, to be laid out in a grid.
pub struct Grid {
    /// Width of each image.
    pub width: usize,
    /// Height of each image.
    pub height: usize,
    /// 1 (gray) or 3 (RGB).
    pub channels: usize,
    /// The images.
    pub images: Vec<Vec<u8>>,
}

impl Grid {
    /// Writes the grid (`columns` wide, 2-pixel dark gaps, each image
    /// upscaled `scale`×) as a PNG, atomically.
    pub fn save_png(&self, path: &Path, columns: usize, scale: usize) -> Result<()> {
        let columns = columns.max(1).min(self.images.len().max(1));
        let rows = self.images.len().div_ceil(columns);
        let gap = 2;
        let cell_w = self.width * scale + gap;
        let cell_h = self.height * scale + gap;
        let (w, h) = (columns * cell_w + gap, rows * cell_h + gap);
        let mut rgb = vec![40u8; w * h * 3];
        for (k, img) in self.images.iter().enumerate() {
            let (ox, oy) = (gap + (k % columns) * cell_w, gap + (k / columns) * cell_h);
            for y in 0..self.height * scale {
                for x in 0..self.width * scale {
                    let p = ((y / scale) * self.width + x / scale) * self.channels;
                    let color = if self.channels == 1 { [img[p]; 3] } else { [img[p], img[p + 1], img[p + 2]] };
                    let q = ((oy + y) * w + ox + x) * 3;
                    rgb[q..q + 3].copy_from_slice(&color);
                }
            }
        }
        let tmp = path.with_extension("png.tmp");
        image::save_buffer_with_format(&tmp, &rgb, w as u32, h as u32, image::ExtendedColorType::Rgb8, image::ImageFormat::Png)
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))
    }
}

/// A float image value in `[-1, 1]` as an 8-bit intensity.
pub fn float_to_u8(v: f32) -> u8 {
    ((v.clamp(-1.0, 1.0) + 1.0) * 127.5).round() as u8
}
