//! `pocketgan sample`: the int8 generator on the host, through exactly the
//! shared code a board runs, to a PNG.

use crate::preview::Grid;
use anyhow::{Context, Result, anyhow, bail};
use pocketgan_shared::latent::latent_for_seed;
use pocketgan_shared::pixels::{Dither, GeneratedImage, Rendered, rgb565};
use pocketgan_shared::{Model, generate};
use std::path::Path;

/// The pixel format a display uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PixelFormat {
    /// 8-bit gray (or RGB888 for color models).
    Gray8,
    /// 16-bit RGB565 (ST7789-style color displays).
    Rgb565,
    /// 1 bit per pixel, ordered dithering (SSD1306-style OLEDs).
    Mono,
    /// 1 bit per pixel, plain threshold.
    MonoThreshold,
}

/// How to lay out samples.
#[derive(Debug, Clone)]
pub struct SampleOptions {
    /// First seed; sample `k` uses seed `seed + k`.
    pub seed: u32,
    /// Number of samples.
    pub count: usize,
    /// Class for a conditional model (`None`: cycle through the classes).
    pub class: Option<u16>,
    /// Emulate a display of this size (width, height): each sample is
    /// scaled to fit and centred, as the board draws it.
    pub display: Option<(u16, u16)>,
    /// Upscaling without a display.
    pub scale: u16,
    /// Pixel format.
    pub pixels: PixelFormat,
    /// Grid columns.
    pub columns: usize,
}

/// Renders the samples as a display would show them, one RGB8 image each.
pub fn render_samples(model: &Model<'_>, opts: &SampleOptions) -> Result<(usize, usize, Vec<Vec<u8>>)> {
    let h = model.header();
    let (iw, ih, ic) = (h.image.width, h.image.height, h.image.channels);
    let mut scratch = vec![0i8; model.scratch_len()];
    let mut latent = vec![0i8; h.latent_dim as usize];
    if let Some(c) = opts.class
        && c >= h.classes {
            bail!("--class {c}: the model has {} classes", h.classes);
        }
    let dither = if opts.pixels == PixelFormat::Mono { Dither::Bayer8 } else { Dither::Threshold };
    let mut size = (0, 0);
    let mut out = Vec::with_capacity(opts.count);
    for k in 0..opts.count {
        let seed = opts.seed.wrapping_add(k as u32);
        latent_for_seed(seed, &mut latent);
        let class = match (opts.class, h.classes) {
            (_, 0) => None,
            (Some(c), _) => Some(c),
            (None, n) => Some((k % n as usize) as u16),
        };
        let codes = generate(model, &latent, class, &mut scratch).map_err(|e| anyhow!("{e}"))?;
        let image = GeneratedImage::new(codes, iw, ih, ic).map_err(|e| anyhow!("{e}"))?;
        let (rendered, canvas, origin) = match opts.display {
            Some(d) => {
                let r = Rendered::fit(image, d).map_err(|e| anyhow!("{e}"))?;
                (r, d, r.origin_in(d))
            }
            None => {
                let r = Rendered::with_scale(image, opts.scale);
                (r, r.size(), (0, 0))
            }
        };
        size = (canvas.0 as usize, canvas.1 as usize);
        let mut rgb = vec![0u8; size.0 * size.1 * 3];
        let (rw, rh) = rendered.size();
        for y in 0..rh {
            for x in 0..rw {
                let color = match opts.pixels {
                    PixelFormat::Gray8 => rendered.pixel_rgb(x, y),
                    PixelFormat::Rgb565 => {
                        let [r, g, b] = rendered.pixel_rgb(x, y);
                        expand_565(rgb565(r, g, b))
                    }
                    PixelFormat::Mono | PixelFormat::MonoThreshold => {
                        let (dx, dy) = (origin.0 + x, origin.1 + y);
                        if dither.lit(rendered.pixel(x, y), dx, dy) { [255; 3] } else { [0; 3] }
                    }
                };
                let p = ((origin.1 + y) as usize * size.0 + (origin.0 + x) as usize) * 3;
                rgb[p..p + 3].copy_from_slice(&color);
            }
        }
        out.push(rgb);
    }
    Ok((size.0, size.1, out))
}

fn expand_565(v: u16) -> [u8; 3] {
    let (r, g, b) = ((v >> 11) & 31, (v >> 5) & 63, v & 31);
    [((r * 255 + 15) / 31) as u8, ((g * 255 + 31) / 63) as u8, ((b * 255 + 15) / 31) as u8]
}

/// `pocketgan sample`.
pub fn run(model_path: &Path, opts: &SampleOptions, out: &Path) -> Result<()> {
    if opts.count == 0 {
        bail!("--n must be at least 1");
    }
    let bytes = std::fs::read(model_path).with_context(|| format!("cannot read model file {}", model_path.display()))?;
    let model = Model::parse(&bytes).map_err(|e| anyhow!("{}: {e}", model_path.display()))?;
    let (w, h, images) = render_samples(&model, opts)?;
    let grid = Grid { width: w, height: h, channels: 3, images };
    grid.save_png(out, opts.columns, 1)?;
    Ok(())
}
