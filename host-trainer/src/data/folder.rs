//! A folder of the user's own PNG/JPEG images.

use super::ImageSet;
use anyhow::{Result, bail};
use image::imageops::FilterType;
use std::path::{Path, PathBuf};

/// How folder images are brought to one size.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FolderOptions {
    /// Side of the square training images (a multiple of 4, e.g. 28, 32, 64).
    pub size: usize,
    /// 1 for grayscale, 3 for RGB.
    pub channels: usize,
}

impl Default for FolderOptions {
    fn default() -> Self {
        FolderOptions { size: 32, channels: 1 }
    }
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| anyhow::anyhow!("cannot read folder {}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, out)?;
        } else if matches!(
            path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref(),
            Some("png" | "jpg" | "jpeg")
        ) {
            out.push(path);
        }
    }
    Ok(())
}

/// Loads every PNG/JPEG under `dir`, center-cropped to a square and resized.
pub fn load(dir: &Path, options: &FolderOptions) -> Result<ImageSet> {
    if options.size < 4 || !options.size.is_multiple_of(4) || options.size > 256 {
        bail!("--image-size must be a multiple of 4 between 4 and 256 (got {})", options.size);
    }
    if options.channels != 1 && options.channels != 3 {
        bail!("--channels must be 1 (gray) or 3 (RGB), got {}", options.channels);
    }
    let mut files = Vec::new();
    collect(dir, &mut files)?;
    files.sort();
    if files.is_empty() {
        bail!("{} holds no .png, .jpg or .jpeg files (searched recursively)", dir.display());
    }
    let side = options.size as u32;
    let mut pixels = Vec::with_capacity(files.len() * options.size * options.size * options.channels);
    for path in &files {
        let img = image::open(path).map_err(|e| {
            anyhow::anyhow!("cannot read image {}: {e} (remove or replace the file)", path.display())
        })?;
        let (w, h) = (img.width(), img.height());
        if w < side / 2 || h < side / 2 {
            bail!(
                "image {} is {w}×{h}, too small for --image-size {side} (at least {}×{} needed)",
                path.display(),
                side / 2,
                side / 2
            );
        }
        let s = w.min(h);
        let square = img.crop_imm((w - s) / 2, (h - s) / 2, s, s).resize_exact(side, side, FilterType::Triangle);
        if options.channels == 1 {
            pixels.extend_from_slice(square.to_luma8().as_raw());
        } else {
            pixels.extend_from_slice(square.to_rgb8().as_raw());
        }
    }
    Ok(ImageSet {
        description: format!("{} images from {}", files.len(), dir.display()),
        height: options.size,
        width: options.size,
        channels: options.channels,
        pixels,
        labels: None,
    })
}
