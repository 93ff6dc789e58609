//! Printed digits: the *printed* side of the unpaired printed ↔ handwritten
//! pair, rendered from the TrueType and OpenType fonts of Debian's font
//! packages, placed the way MNIST placed its handwriting (the digit scaled
//! into a 20-pixel box, its centre of mass at the centre of 28 × 28), with
//! small random sizes, shifts, rotations and ink weights.

use crate::data::ImageSet;
use crate::data::folder::collect_files;
use ab_glyph::{Font, FontVec, PxScale, point};
use anyhow::{Result, bail};
use pocketgan_shared::LatentSampler;
use std::path::PathBuf;

/// The image side (MNIST's).
pub const SIDE: usize = 28;

/// Where Debian installs the font packages the printed digits come from,
/// with the package each folder belongs to (for the error message).
pub const FONT_FOLDERS: [(&str, &str); 5] = [
    ("/usr/share/fonts/truetype/dejavu", "fonts-dejavu-core fonts-dejavu-extra"),
    ("/usr/share/fonts/truetype/liberation", "fonts-liberation"),
    ("/usr/share/fonts/truetype/liberation2", "fonts-liberation2"),
    ("/usr/share/fonts/truetype/freefont", "fonts-freefont-ttf"),
    ("/usr/share/fonts/opentype/urw-base35", "fonts-urw-base35"),
];

/// Files in those folders whose digits are not digits (symbol and maths faces).
const NOT_DIGIT_FACES: [&str; 4] = ["Math", "D050000L", "StandardSymbols", "Dingbats"];

/// The glyph size fonts are rasterized at before the digit is placed:
/// large enough that 3 × 3 supersampling of a 20-pixel digit is sharp.
const RASTER_PX: f32 = 96.0;

/// One font face that draws all ten digits.
pub struct DigitFont {
    /// The file's name without its extension (e.g. `DejaVuSerif-Bold`).
    pub name: String,
    font: FontVec,
}

/// Every usable face in [`FONT_FOLDERS`] and in `$POCKETGAN_FONTS`, sorted
/// by name so the same packages give the same data set on every machine.
pub fn find_fonts() -> Result<Vec<DigitFont>> {
    let mut folders: Vec<PathBuf> = FONT_FOLDERS.iter().map(|(f, _)| PathBuf::from(f)).collect();
    if let Ok(extra) = std::env::var("POCKETGAN_FONTS") {
        folders.push(PathBuf::from(extra));
    }
    let mut files = Vec::new();
    // A font package that is not installed leaves its folder out.
    for folder in folders.iter().filter(|f| f.is_dir()) {
        collect_files(folder, &["ttf", "otf"], &mut files)?;
    }
    let mut fonts = Vec::new();
    for path in files {
        let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        if NOT_DIGIT_FACES.iter().any(|bad| name.contains(bad)) {
            continue;
        }
        let Ok(bytes) = std::fs::read(&path) else { continue };
        let Ok(font) = FontVec::try_from_vec(bytes) else { continue };
        if ('0'..='9').all(|d| font.glyph_id(d).0 != 0) {
            fonts.push(DigitFont { name, font });
        }
    }
    fonts.sort_by(|a, b| a.name.cmp(&b.name));
    fonts.dedup_by(|a, b| a.name == b.name);
    if fonts.is_empty() {
        let packages: Vec<&str> = FONT_FOLDERS.iter().map(|(_, p)| *p).collect();
        bail!(
            "no fonts to print digits with (looked in {}): run `apt-get install {}`, or point \
             POCKETGAN_FONTS at a folder of .ttf/.otf files",
            folders.iter().map(|f| f.display().to_string()).collect::<Vec<_>>().join(", "),
            packages.join(" ")
        );
    }
    Ok(fonts)
}

/// `count` printed digits (labels 0–9 in turn), each from a face, size,
/// shift, rotation and ink weight drawn with `seed`.
pub fn render_digits(fonts: &[DigitFont], count: usize, seed: u32) -> Result<ImageSet> {
    if fonts.is_empty() {
        bail!("no fonts to print digits with");
    }
    let glyphs: Vec<Vec<Coverage>> = fonts.iter().map(|f| ('0'..='9').map(|d| Coverage::of(&f.font, d)).collect()).collect();
    let mut rng = LatentSampler::new(seed);
    let mut uniform = move |lo: f32, hi: f32| lo + (hi - lo) * (rng.next_u32() as f32 / 4_294_967_296.0);
    let mut pixels = Vec::with_capacity(count * SIDE * SIDE);
    let mut labels = Vec::with_capacity(count);
    for i in 0..count {
        let digit = i % 10;
        let face = (uniform(0.0, fonts.len() as f32) as usize).min(fonts.len() - 1);
        let placement = Placement {
            box_px: uniform(16.0, 21.0),
            shift: (uniform(-1.5, 1.5), uniform(-1.5, 1.5)),
            rotation: uniform(-12.0, 12.0).to_radians(),
            ink_gain: uniform(1.0, 1.8),
        };
        pixels.extend(glyphs[face][digit].place(&placement));
        labels.push(digit as u8);
    }
    Ok(ImageSet {
        description: format!("{count} printed digits from {} font faces", fonts.len()),
        height: SIDE,
        width: SIDE,
        channels: 1,
        pixels,
        labels: Some(labels),
    })
}

/// One glyph rasterized at [`RASTER_PX`]: coverage in `[0, 1]`, row-major.
struct Coverage {
    width: usize,
    height: usize,
    values: Vec<f32>,
    /// The centre of mass, in raster pixels.
    centre: (f32, f32),
}

/// Where and how a glyph lands in the 28 × 28 image.
struct Placement {
    /// The side of the box the glyph's longer side is scaled to (MNIST: 20).
    box_px: f32,
    /// The centre of mass's offset from the image centre, in pixels.
    shift: (f32, f32),
    /// Counter-clockwise, in radians.
    rotation: f32,
    /// Coverage is multiplied by this (and clipped): heavier strokes.
    ink_gain: f32,
}

impl Coverage {
    fn of(font: &FontVec, digit: char) -> Coverage {
        let glyph = font.glyph_id(digit).with_scale_and_position(PxScale::from(RASTER_PX), point(0.0, 0.0));
        let Some(outlined) = font.outline_glyph(glyph) else {
            return Coverage { width: 1, height: 1, values: vec![0.0], centre: (0.5, 0.5) };
        };
        let bounds = outlined.px_bounds();
        let (width, height) = (bounds.width().ceil() as usize + 1, bounds.height().ceil() as usize + 1);
        let mut values = vec![0f32; width * height];
        outlined.draw(|x, y, c| {
            let (x, y) = (x as usize, y as usize);
            if x < width && y < height {
                values[y * width + x] = c.clamp(0.0, 1.0);
            }
        });
        let (mut sum, mut sx, mut sy) = (0f64, 0f64, 0f64);
        for y in 0..height {
            for x in 0..width {
                let v = values[y * width + x] as f64;
                sum += v;
                sx += v * (x as f64 + 0.5);
                sy += v * (y as f64 + 0.5);
            }
        }
        let centre = if sum > 0.0 { ((sx / sum) as f32, (sy / sum) as f32) } else { (width as f32 / 2.0, height as f32 / 2.0) };
        Coverage { width, height, values, centre }
    }

    /// Bilinear coverage at raster point (x, y); zero outside.
    fn at(&self, x: f32, y: f32) -> f32 {
        let (x, y) = (x - 0.5, y - 0.5);
        let (x0, y0) = (x.floor(), y.floor());
        let (fx, fy) = (x - x0, y - y0);
        let get = |xi: f32, yi: f32| {
            if xi < 0.0 || yi < 0.0 || xi as usize >= self.width || yi as usize >= self.height {
                0.0
            } else {
                self.values[yi as usize * self.width + xi as usize]
            }
        };
        let top = get(x0, y0) * (1.0 - fx) + get(x0 + 1.0, y0) * fx;
        let bottom = get(x0, y0 + 1.0) * (1.0 - fx) + get(x0 + 1.0, y0 + 1.0) * fx;
        top * (1.0 - fy) + bottom * fy
    }

    /// The 28 × 28 image: each pixel the mean of 3 × 3 samples mapped back
    /// into the raster through the inverse of scale, rotation and shift.
    fn place(&self, p: &Placement) -> Vec<u8> {
        let scale = p.box_px / self.width.max(self.height) as f32;
        let (sin, cos) = p.rotation.sin_cos();
        let centre = (SIDE as f32 / 2.0 + p.shift.0, SIDE as f32 / 2.0 + p.shift.1);
        let mut out = Vec::with_capacity(SIDE * SIDE);
        for y in 0..SIDE {
            for x in 0..SIDE {
                let mut sum = 0.0;
                for sy in 0..3 {
                    for sx in 0..3 {
                        let ox = x as f32 + (sx as f32 + 0.5) / 3.0 - centre.0;
                        let oy = y as f32 + (sy as f32 + 0.5) / 3.0 - centre.1;
                        // Undo the rotation, then the scale.
                        let rx = (cos * ox - sin * oy) / scale;
                        let ry = (sin * ox + cos * oy) / scale;
                        sum += self.at(self.centre.0 + rx, self.centre.1 + ry);
                    }
                }
                out.push(((sum / 9.0 * p.ink_gain).min(1.0) * 255.0).round() as u8);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::{SIDE, find_fonts, render_digits};

    #[test]
    fn printed_digits_are_centred_labelled_and_reproducible() {
        let fonts = find_fonts().expect("the font packages scripts/test installs");
        assert!(fonts.len() >= 20, "only {} faces found", fonts.len());
        let set = render_digits(&fonts, 40, 7).unwrap();
        assert_eq!((set.len(), set.height, set.channels), (40, SIDE, 1));
        assert_eq!(&set.labels.as_ref().unwrap()[..12], &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
        for i in 0..set.len() {
            let img = set.image(i);
            let ink: f64 = img.iter().map(|&p| p as f64).sum();
            assert!(ink > 255.0 * 15.0, "digit {i} is nearly empty");
            // MNIST's placement: the centre of mass within a couple of pixels of the middle,
            // and nothing in the outermost two rows.
            let cy: f64 = img.iter().enumerate().map(|(k, &p)| (k / SIDE) as f64 * p as f64).sum::<f64>() / ink;
            let cx: f64 = img.iter().enumerate().map(|(k, &p)| (k % SIDE) as f64 * p as f64).sum::<f64>() / ink;
            assert!((cx - 13.5).abs() < 2.5 && (cy - 13.5).abs() < 2.5, "digit {i} centred at ({cx:.1}, {cy:.1})");
            assert!(img[..SIDE].iter().all(|&p| p == 0), "digit {i} touches the top");
        }
        assert_eq!(render_digits(&fonts, 40, 7).unwrap().pixels, set.pixels);
        assert_ne!(render_digits(&fonts, 40, 8).unwrap().pixels, set.pixels);
    }
}
