//! Sample grids as PNG files.

use crate::files::write_atomic;
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
        save_rgb_png(path, &rgb, w as u32, h as u32)
    }
}

/// Encodes `rgb` (8-bit RGB, `width`×`height`) as a PNG and writes it
/// atomically ([`write_atomic`]), so a reader never sees half a picture.
pub fn save_rgb_png(path: &Path, rgb: &[u8], width: u32, height: u32) -> Result<()> {
    use image::ImageEncoder;
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new(&mut png)
        .write_image(rgb, width, height, image::ExtendedColorType::Rgb8)
        .with_context(|| format!("cannot encode {}", path.display()))?;
    write_atomic(path, &png)
}

/// A float image value in `[-1, 1]` as an 8-bit intensity.
pub fn float_to_u8(v: f32) -> u8 {
    ((v.clamp(-1.0, 1.0) + 1.0) * 127.5).round() as u8
}

/// Rows shown by [`progress_strip`] at most.
pub const PROGRESS_ROWS: usize = 8;

/// Draws how the first row of seeds (0..7) evolved: the top row of up to
/// [`PROGRESS_ROWS`] sample grids in `samples` (`step-N.png`, written by
/// [`Grid::save_png`] with 8 columns at `scale` from `image_height`-pixel
/// images), first and last included, each labelled with its step, into
/// `samples/progress.png`. Returns its path, or `None` with fewer than two grids.
pub fn progress_strip(samples: &Path, image_height: usize, scale: usize) -> Result<Option<std::path::PathBuf>> {
    let mut grids: Vec<(usize, std::path::PathBuf)> = std::fs::read_dir(samples)
        .with_context(|| format!("cannot read {}", samples.display()))?
        .filter_map(|e| {
            let path = e.ok()?.path();
            let step = path.file_name()?.to_str()?.strip_prefix("step-")?.strip_suffix(".png")?.parse().ok()?;
            Some((step, path))
        })
        .collect();
    if grids.len() < 2 {
        return Ok(None);
    }
    grids.sort();
    let picks: Vec<usize> = if grids.len() <= PROGRESS_ROWS {
        (0..grids.len()).collect()
    } else {
        (0..PROGRESS_ROWS).map(|k| k * (grids.len() - 1) / (PROGRESS_ROWS - 1)).collect()
    };
    // The top row of a grid: gap, one cell, gap.
    let gap = 2;
    let row_h = image_height * scale + 2 * gap;
    let label_w = 110;
    let rows: Vec<(usize, image::RgbImage)> = picks
        .iter()
        .map(|&k| {
            let (step, path) = &grids[k];
            let img = image::open(path).with_context(|| format!("cannot read {}", path.display()))?.to_rgb8();
            let h = (row_h as u32).min(img.height());
            Ok((*step, image::imageops::crop_imm(&img, 0, 0, img.width(), h).to_image()))
        })
        .collect::<Result<_>>()?;
    let width = label_w + rows.iter().map(|(_, r)| r.width() as usize).max().unwrap_or(0);
    let height: usize = rows.iter().map(|(_, r)| r.height() as usize).sum();
    let mut canvas = image::RgbImage::from_pixel(width as u32, height as u32, image::Rgb([40, 40, 40]));
    let mut y = 0;
    for (_, row) in &rows {
        image::imageops::replace(&mut canvas, row, label_w as i64, y as i64);
        y += row.height() as usize;
    }
    let mut rgb = canvas.into_raw();
    draw_step_labels(&mut rgb, (width as u32, height as u32), &rows)?;
    let out = samples.join("progress.png");
    save_rgb_png(&out, &rgb, width as u32, height as u32)?;
    Ok(Some(out))
}

/// "step N" to the left of each row, in the plots' font.
fn draw_step_labels(rgb: &mut [u8], size: (u32, u32), rows: &[(usize, image::RgbImage)]) -> Result<()> {
    use plotters::prelude::*;
    crate::render::font::register_font();
    let area = BitMapBackend::with_buffer(rgb, size).into_drawing_area();
    let style = TextStyle::from(("monospace", 15).into_font()).color(&RGBColor(220, 220, 220));
    let mut y = 0i32;
    for (step, row) in rows {
        let middle = y + row.height() as i32 / 2 - 8;
        area.draw_text(&format!("step {step}"), &style, (10, middle)).map_err(|e| anyhow::anyhow!("drawing labels: {e:?}"))?;
        y += row.height() as i32;
    }
    area.present().map_err(|e| anyhow::anyhow!("drawing labels: {e:?}"))?;
    Ok(())
}
