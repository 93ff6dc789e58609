//! A folder of the user's own PNG/JPEG images.

use super::image_set::ImageSet;
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
    /// How a non-square image becomes square.
    #[serde(default)]
    pub resize: ResizeMode,
    /// Leave out unreadable and too-small files (with a warning) instead of refusing the folder.
    #[serde(default)]
    pub skip_bad: bool,
}

impl Default for FolderOptions {
    fn default() -> Self {
        FolderOptions { size: 32, channels: 1, resize: ResizeMode::Crop, skip_bad: false }
    }
}

/// How a non-square image becomes square.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ResizeMode {
    /// Cut the centre square out (nothing is distorted; the edges are lost).
    #[default]
    Crop,
    /// Fit the whole image and fill the rest with its mean border colour.
    Pad,
    /// Squeeze the whole image into the square (shapes are distorted).
    Stretch,
}

impl FolderOptions {
    /// The largest square side (a multiple of 4) that a `width`×`height`
    /// display shows pixel for pixel: the board app draws a square viewport
    /// the display's short side wide.
    pub fn size_for_display(width: u16, height: u16) -> usize {
        (width.min(height) as usize / 4 * 4).min(256)
    }
}

/// Every file under `dir` (searched recursively) whose extension, in any
/// case, is one of `extensions`.
pub(crate) fn collect_files(dir: &Path, extensions: &[&str], out: &mut Vec<PathBuf>) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| anyhow::anyhow!("cannot read folder {}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry?.path();
        if path.is_dir() {
            collect_files(&path, extensions, out)?;
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| extensions.iter().any(|x| x.eq_ignore_ascii_case(e)))
        {
            out.push(path);
        }
    }
    Ok(())
}

/// Loads every PNG/JPEG under `dir`, center-cropped to a square and resized.
pub fn load(dir: &Path, options: &FolderOptions) -> Result<ImageSet> {
    check_options(options)?;
    let files = list_images(dir)?;
    load_files(&files, dir, options)
}

/// Refuses sizes and channel counts the networks cannot take.
pub(crate) fn check_options(options: &FolderOptions) -> Result<()> {
    if options.size < 4 || !options.size.is_multiple_of(4) || options.size > 256 {
        bail!("--image-size must be a multiple of 4 between 4 and 256 (got {})", options.size);
    }
    if options.channels != 1 && options.channels != 3 {
        bail!("--channels must be 1 (gray) or 3 (RGB), got {}", options.channels);
    }
    Ok(())
}

/// Every PNG/JPEG under `dir` (searched recursively), sorted; an error if none.
pub(crate) fn list_images(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    collect_files(dir, &["png", "jpg", "jpeg"], &mut files)?;
    files.sort();
    if files.is_empty() {
        bail!("{} holds no .png, .jpg or .jpeg files (searched recursively)", dir.display());
    }
    Ok(files)
}

/// Loads `files` (found under `dir`, named in messages), each made square
/// and resized as `options` say.
pub(crate) fn load_files(files: &[PathBuf], dir: &Path, options: &FolderOptions) -> Result<ImageSet> {
    let side = options.size as u32;
    let mut pixels = Vec::with_capacity(files.len() * options.size * options.size * options.channels);
    let mut bad = Vec::new();
    for path in files {
        match square_image(path, side, options.resize) {
            Ok(square) if options.channels == 1 => pixels.extend_from_slice(square.to_luma8().as_raw()),
            Ok(square) => pixels.extend_from_slice(square.to_rgb8().as_raw()),
            Err(why) => bad.push(format!("{}: {why}", path.display())),
        }
    }
    let used = files.len() - bad.len();
    if !bad.is_empty() {
        let shown = bad.iter().take(5).map(|b| format!("\n  {b}")).collect::<String>();
        let more = if bad.len() > 5 { format!("\n  … and {} more", bad.len() - 5) } else { String::new() };
        if !options.skip_bad {
            bail!(
                "{} of {} images in {} cannot be used:{shown}{more}\nremove or replace them, lower --image-size, \
                 or pass --skip-bad-images to train on the other {used}",
                bad.len(),
                files.len(),
                dir.display()
            );
        }
        eprintln!("warning: left out {} of {} images:{shown}{more}", bad.len(), files.len());
        if used == 0 {
            bail!("none of the {} images in {} can be used", files.len(), dir.display());
        }
    }
    Ok(ImageSet {
        description: format!("{used} image{} from {}", if used == 1 { "" } else { "s" }, dir.display()),
        height: options.size,
        width: options.size,
        channels: options.channels,
        pixels,
        labels: None,
    })
}

/// Opens `path` and makes it a `side`×`side` image, or says why it cannot.
fn square_image(path: &Path, side: u32, mode: ResizeMode) -> std::result::Result<image::DynamicImage, String> {
    let img = image::open(path).map_err(|e| format!("unreadable ({e})"))?;
    let (w, h) = (img.width(), img.height());
    // Upscaling more than 2× only invents blur; a short side of half the
    // training size is the least that still carries the picture.
    let least = side.div_ceil(2);
    let short = match mode {
        ResizeMode::Crop => w.min(h),
        ResizeMode::Pad | ResizeMode::Stretch => w.max(h),
    };
    if short < least || w == 0 || h == 0 {
        return Err(format!("{w}×{h} is too small for --image-size {side} (at least {least} pixels on the side that is kept)"));
    }
    Ok(match mode {
        ResizeMode::Crop => {
            let s = w.min(h);
            img.crop_imm((w - s) / 2, (h - s) / 2, s, s).resize_exact(side, side, FilterType::Triangle)
        }
        ResizeMode::Stretch => img.resize_exact(side, side, FilterType::Triangle),
        ResizeMode::Pad => {
            let fitted = img.resize(side, side, FilterType::Triangle).to_rgb8();
            let fill = border_mean(&fitted);
            let mut canvas = image::RgbImage::from_pixel(side, side, image::Rgb(fill));
            let (x, y) = ((side - fitted.width()) / 2, (side - fitted.height()) / 2);
            image::imageops::overlay(&mut canvas, &fitted, x as i64, y as i64);
            image::DynamicImage::ImageRgb8(canvas)
        }
    })
}

/// The mean colour of an image's outermost pixels: padding in it keeps the
/// frame from looking like part of the subject.
fn border_mean(img: &image::RgbImage) -> [u8; 3] {
    let (w, h) = img.dimensions();
    let mut sum = [0u64; 3];
    let mut n = 0u64;
    for (x, y, p) in img.enumerate_pixels() {
        if x == 0 || y == 0 || x + 1 == w || y + 1 == h {
            for c in 0..3 {
                sum[c] += p.0[c] as u64;
            }
            n += 1;
        }
    }
    sum.map(|s| (s / n.max(1)) as u8)
}
