//! `pocketgan translate`: an int8 translator on the host, through exactly
//! the shared code a board runs: 8-bit pixels to input codes
//! ([`code_of_u8`]), [`pocketgan_shared::translate`], output codes to
//! pixels ([`code_to_u8`]).

use anyhow::{Context, Result, anyhow, bail};
use image::imageops::FilterType;
use pocketgan_shared::Model;
use pocketgan_shared::format::TensorShape;
use pocketgan_shared::pixels::{code_of_u8, code_to_u8};
use std::path::Path;

/// The translator's input shape, or a one-line error for a generator.
pub fn input_shape(model: &Model<'_>) -> Result<TensorShape> {
    match model.header().input_image {
        Some(image) => Ok(image.shape),
        None => bail!(
            "\"{}\" is a generator (latent in, image out), not a translator: draw it with `pocketgan sample`",
            model.header().name
        ),
    }
}

/// Translates one image of 8-bit HWC pixels in the model's input shape;
/// returns 8-bit HWC pixels of the output.
pub fn translate_pixels(model: &Model<'_>, pixels: &[u8], scratch: &mut Vec<i8>) -> Result<Vec<u8>> {
    Ok(translate_codes(model, pixels, scratch)?.iter().map(|&c| code_to_u8(c)).collect())
}

/// As [`translate_pixels`], returning the output codes (what a board
/// renders for its display).
pub fn translate_codes(model: &Model<'_>, pixels: &[u8], scratch: &mut Vec<i8>) -> Result<Vec<i8>> {
    scratch.resize(model.scratch_len(), 0);
    let codes: Vec<i8> = pixels.iter().map(|&p| code_of_u8(p)).collect();
    Ok(pocketgan_shared::translate(model, &codes, scratch).map_err(|e| anyhow!("{e}"))?.to_vec())
}

/// An input image file as the model's input: gray or RGB as the model
/// takes, and, if its size differs, the centre square resized to the
/// model's (the note says so, for the caller to print).
pub fn load_input(path: &Path, shape: TensorShape) -> Result<(Vec<u8>, Option<String>)> {
    let img = image::open(path).with_context(|| format!("cannot read the input image {}", path.display()))?;
    let (w, h) = (img.width(), img.height());
    let (side_w, side_h) = (shape.width as u32, shape.height as u32);
    let (img, note) = if (w, h) == (side_w, side_h) {
        (img, None)
    } else {
        let s = w.min(h);
        let square = img.crop_imm((w - s) / 2, (h - s) / 2, s, s).resize_exact(side_w, side_h, FilterType::Triangle);
        let cropped = if w != h { ", its centre square" } else { "" };
        let note = format!("note: {} is {w}×{h}; the translator takes {side_w}×{side_h}, so it was resized{cropped}", path.display());
        (square, Some(note))
    };
    let pixels = if shape.channels == 1 { img.to_luma8().into_raw() } else { img.to_rgb8().into_raw() };
    Ok((pixels, note))
}
