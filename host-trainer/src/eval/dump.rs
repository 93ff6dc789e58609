//! What `pocketgan compare --dump DIR` writes, so anyone can score the
//! comparison's samples with their own tools:
//!
//! ```text
//! DIR/<toy>/<row>-seed<k>.csv            the 2 500 evaluated points: x,y
//! DIR/<data>/<row>-seed<k>-float.png     the float generator, seeds 0..63
//! DIR/<data>/<row>-seed<k>-int8.png      the int8 model, the same seeds
//! ```
//!
//! The points are exactly those the table's mode metrics scored; the
//! images are the first 64 of the seeds its Fréchet distances used.

use crate::board::sample::for_each_seed;
use crate::files::write_atomic;
use crate::nets::Generator;
use crate::nets::seeded::{float_images, seed_inputs};
use crate::render::grid::Grid;
use anyhow::{Context, Result};
use burn::tensor::Device;
use pocketgan_shared::Model;
use pocketgan_shared::pixels::code_to_u8;
use std::fmt::Write;
use std::path::Path;

/// Images per dumped grid.
pub const GRID_IMAGES: usize = 64;

/// Writes `points` as `x,y` rows with a header.
pub fn write_points(path: &Path, points: &[[f32; 2]]) -> Result<()> {
    let mut csv = String::from("x,y\n");
    for p in points {
        let _ = writeln!(csv, "{},{}", p[0], p[1]);
    }
    create_parent(path)?;
    write_atomic(path, csv.as_bytes())
}

/// Writes the float generator's and the int8 model's grids of seeds 0..63
/// as `<stem>-float.png` and `<stem>-int8.png`.
pub fn write_image_grids(stem: &Path, generator: &Generator, model: &Model<'_>, device: &Device) -> Result<()> {
    create_parent(stem)?;
    let image = model.header().image;
    let (h, w, c) = (image.height as usize, image.width as usize, image.channels as usize);
    let z = seed_inputs(0, GRID_IMAGES, generator.latent_dim, generator.classes, device);
    let float = Grid { width: w, height: h, channels: c, images: float_images(generator, z) };
    float.save_png(&with_suffix(stem, "-float.png"), 8, 2)?;
    let mut images = Vec::with_capacity(GRID_IMAGES);
    for_each_seed(model, 0..GRID_IMAGES as u32, |_, codes| images.push(codes.iter().map(|&v| code_to_u8(v)).collect()))?;
    Grid { width: w, height: h, channels: c, images }.save_png(&with_suffix(stem, "-int8.png"), 8, 2)
}

fn with_suffix(stem: &Path, suffix: &str) -> std::path::PathBuf {
    let mut name = stem.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(suffix);
    stem.with_file_name(name)
}

fn create_parent(path: &Path) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
    }
    Ok(())
}
