//! Any byte string: parsing must return, never panic; a model that parses
//! must generate (a translator: translate; a text model: from all its
//! words) and render without panicking.
//!
//! Each input is tried as it is and with its preamble resealed (payload
//! length and CRC-32 recomputed), so mutations reach the postcard decoder
//! and the validator instead of stopping at the checksum.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pocketgan_shared::format::{PREAMBLE_LEN, crc32};
use pocketgan_shared::pixels::{Dither, GeneratedImage, Rendered};
use pocketgan_shared::{Condition, Model, generate_with, latent::latent_for_seed, translate};

fn exercise(data: &[u8]) {
    let Ok(model) = Model::parse(data) else { return };
    // Cap the work per input so the fuzzer keeps exploring the parser.
    if model.scratch_len() > 1 << 20 || model.macs() > 1 << 24 {
        return;
    }
    let mut scratch = vec![0i8; model.scratch_len()];
    let out = if model.is_translator() {
        // Any codes will do: a diagonal ramp, so every channel sees values.
        let image: Vec<i8> = (0..model.input_len()).map(|i| (i * 37 % 256) as u8 as i8).collect();
        translate(&model, &image, &mut scratch).expect("a parsed translator translates")
    } else {
        let mut latent = vec![0i8; model.header().latent_dim as usize];
        latent_for_seed(data.len() as u32, &mut latent);
        let condition = match model.vocabulary() {
            // A text model: every word of its vocabulary at once.
            Some(v) => Condition::Words(if v.len() >= 64 { u64::MAX } else { (1u64 << v.len()) - 1 }),
            None if model.header().classes > 0 => Condition::Class(model.header().classes - 1),
            None => Condition::None,
        };
        generate_with(&model, &latent, condition, &mut scratch).expect("a parsed model generates")
    };
    let image = model.header().image;
    let img = GeneratedImage::new(out, image.width, image.height, image.channels).expect("output matches header");
    let rendered = Rendered::with_scale(img, 1);
    let (w, h) = rendered.size();
    let mut mono = vec![0u8; (w as usize).div_ceil(8) * h as usize];
    rendered.fill_mono(Dither::BAYER8, &mut mono).expect("buffer sized from the image");
}

fuzz_target!(|data: &[u8]| {
    exercise(data);
    if data.len() >= PREAMBLE_LEN {
        let mut sealed = data.to_vec();
        let len = (data.len() - PREAMBLE_LEN) as u32;
        let crc = crc32(&data[PREAMBLE_LEN..]);
        sealed[8..12].copy_from_slice(&len.to_le_bytes());
        sealed[12..16].copy_from_slice(&crc.to_le_bytes());
        exercise(&sealed);
    }
});
