//! `pocketgan sample`: the int8 generator on the host, through exactly the
//! shared code a board runs, to a PNG.

use crate::render::grid::Grid;
use anyhow::{Context, Result, anyhow, bail};
use pocketgan_shared::latent::{interpolate, latent_for_seed};
use pocketgan_shared::pixels::{Dither, GeneratedImage, Rendered, rgb565};
use pocketgan_shared::text::Prompt;
use pocketgan_shared::{Condition, Model, generate_with};
use super::hearing::hear_file;
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
    /// Prompts for a text model: `count` samples of each, in turn (empty:
    /// cycle through one-word prompts of its vocabulary).
    pub prompts: Vec<String>,
    /// Recordings for a sound model (WAV files): `count` samples of what
    /// it hears in each, in turn.
    pub recordings: Vec<std::path::PathBuf>,
    /// Emulate a display of this size (width, height): each sample is
    /// scaled to fit and centred, as the board draws it.
    pub display: Option<(u16, u16)>,
    /// Upscaling without a display.
    pub scale: u16,
    /// Pixel format.
    pub pixels: PixelFormat,
    /// Grid columns.
    pub columns: usize,
    /// Walk each sample's latent this far (out of 256) towards the next
    /// seed's, as a board's sensor does (0: the seed's own latent).
    pub mix: u16,
    /// For `PixelFormat::Mono`: gray values below it are black before
    /// dithering (the boards use `DEFAULT_BLACK_LEVEL`).
    pub black_level: u8,
}

/// Samples rendered for a display.
pub struct Frames {
    /// Width of each frame in pixels.
    pub width: usize,
    /// Height of each frame in pixels.
    pub height: usize,
    /// Each frame as RGB8, for pictures.
    pub rgb: Vec<Vec<u8>>,
    /// Each frame in the display's own bytes: `gray8` one byte a pixel (three
    /// for color models), `rgb565` little-endian words, `mono` rows of
    /// `ceil(width / 8)` bytes with the leftmost pixel in the top bit — the
    /// bytes a board's framebuffer holds.
    pub raw: Vec<Vec<u8>>,
}

/// The condition of the `k`-th sample when none is asked for: class `k %
/// classes` of a conditional model, the one-word prompt of word `k %
/// words` of a text model, nothing otherwise.
pub fn cycled_condition(model: &Model<'_>, k: usize) -> Condition<'static> {
    let classes = model.header().classes as usize;
    match model.vocabulary() {
        Some(v) if !v.is_empty() => Condition::Words(1 << (k % v.len())),
        _ if classes > 0 => Condition::Class((k % classes) as u16),
        _ => Condition::None,
    }
}

/// Runs the int8 model as a board does for each seed in `seeds`, the k-th
/// sample drawing [`cycled_condition`]; `each` gets k and the output
/// codes (HWC).
pub fn for_each_seed(model: &Model<'_>, seeds: std::ops::Range<u32>, mut each: impl FnMut(usize, &[i8])) -> Result<()> {
    let mut scratch = vec![0i8; model.scratch_len()];
    let mut latent = vec![0i8; model.header().latent_dim as usize];
    for (k, seed) in seeds.enumerate() {
        latent_for_seed(seed, &mut latent);
        each(k, generate_with(model, &latent, cycled_condition(model, k), &mut scratch).map_err(|e| anyhow!("{e}"))?);
    }
    Ok(())
}

/// What a text model made of a prompt: its known words, and a note for
/// the user when some words are unknown or none is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedPrompt {
    /// The known words' bits ([`pocketgan_shared::text::Prompt::known`]).
    pub known: u64,
    /// What to tell the user (unknown words named, or the empty prompt), if anything.
    pub note: Option<String>,
}

/// Tokenizes `prompt` against a text model's vocabulary, as a board does;
/// an error for a model without one.
pub fn parse_prompt(model: &Model<'_>, prompt: &str) -> Result<ParsedPrompt> {
    let Some(vocabulary) = model.vocabulary() else {
        bail!("--prompt needs a text model (trained with `pocketgan train --captions`); this one {}", what_it_takes(model));
    };
    let parsed = Prompt::parse(&vocabulary, prompt);
    let mut notes = Vec::new();
    if parsed.unknown_count > 0 {
        let mut named: Vec<String> = parsed.unknown().iter().map(|w| format!("\"{w}\"")).collect();
        if parsed.unknown_count > named.len() {
            named.push(format!("and {} more", parsed.unknown_count - named.len()));
        }
        notes.push(format!("unknown word{} {} (left out; `pocketgan inspect MODEL` lists the {} words it knows)",
            if parsed.unknown_count == 1 { "" } else { "s" }, named.join(", "), vocabulary.len()));
    }
    if parsed.known == 0 {
        notes.push("no known word: an unconditional sample".to_string());
    }
    let note = (!notes.is_empty()).then(|| format!("prompt \"{prompt}\": {}", notes.join("; ")));
    Ok(ParsedPrompt { known: parsed.known, note })
}

/// What a model takes, for error messages.
pub fn what_it_takes(model: &Model<'_>) -> String {
    let h = model.header();
    if model.is_translator() {
        "is a translator (image in, image out)".to_string()
    } else if let Some(v) = model.vocabulary() {
        format!("is a text model ({} words)", v.len())
    } else if let Some(labels) = model.labels() {
        format!("is a sound model ({} labels: give it --audio FILE.wav)", labels.len())
    } else if h.classes > 0 {
        format!("is conditional on {} classes (use --class)", h.classes)
    } else {
        "is unconditional".to_string()
    }
}

/// Renders the samples as a display would show them.
pub fn render_samples(model: &Model<'_>, opts: &SampleOptions) -> Result<Frames> {
    let h = model.header();
    let prompts: Vec<u64> = opts.prompts.iter().map(|p| parse_prompt(model, p).map(|p| p.known)).collect::<Result<_>>()?;
    if opts.class.is_some() && model.vocabulary().is_some() {
        bail!("--class: this is a text model: say what to draw with --prompt \"…\"");
    }
    let heard: Vec<Vec<i8>> = opts
        .recordings
        .iter()
        .map(|path| hear_file(model, path).map(|h| h.heard.condition().to_vec()))
        .collect::<Result<_>>()?;
    if model.audio().is_some() && heard.is_empty() {
        bail!("this is a sound model: it draws what it hears; give it a recording with --audio FILE.wav");
    }
    if opts.class.is_some() && model.audio().is_some() {
        bail!("--class: this is a sound model: say the digit in a recording and pass it with --audio FILE.wav");
    }
    let (iw, ih, ic) = (h.image.width, h.image.height, h.image.channels);
    let mut scratch = vec![0i8; model.scratch_len()];
    let mut latent = vec![0i8; h.latent_dim as usize];
    let (mut from, mut toward) = (latent.clone(), latent.clone());
    if let Some(c) = opts.class
        && c >= h.classes {
            bail!("--class {c}: the model has {} classes", h.classes);
        }
    let mut size = (0, 0);
    let total = opts.count * prompts.len().max(heard.len()).max(1);
    let (mut all_rgb, mut all_raw) = (Vec::with_capacity(total), Vec::with_capacity(total));
    for sample in 0..total {
        // Each prompt gets the same seeds: prompt rows line up seed for seed.
        let k = sample % opts.count;
        let seed = opts.seed.wrapping_add(k as u32);
        if opts.mix == 0 {
            latent_for_seed(seed, &mut latent);
        } else {
            latent_for_seed(seed, &mut from);
            latent_for_seed(seed.wrapping_add(1), &mut toward);
            interpolate(&from, &toward, opts.mix, &mut latent);
        }
        let condition = match (opts.class, prompts.get(sample / opts.count), heard.get(sample / opts.count)) {
            (_, _, Some(heard)) => Condition::Heard(heard),
            (_, Some(&known), None) => Condition::Words(known),
            (Some(c), None, None) => Condition::Class(c),
            (None, None, None) => cycled_condition(model, k),
        };
        let codes = generate_with(model, &latent, condition, &mut scratch).map_err(|e| anyhow!("{e}"))?;
        let (frame_size, rgb, raw) = render_frame(codes, (iw, ih, ic), opts)?;
        size = frame_size;
        all_rgb.push(rgb);
        all_raw.push(raw);
    }
    Ok(Frames { width: size.0, height: size.1, rgb: all_rgb, raw: all_raw })
}

/// One image's output codes (`iw × ih × ic`, HWC) rendered as `opts` says:
/// the frame's size, its RGB8 pixels, and the display's own bytes.
pub fn render_frame(codes: &[i8], (iw, ih, ic): (u16, u16, u16), opts: &SampleOptions) -> Result<((usize, usize), Vec<u8>, Vec<u8>)> {
    let image = GeneratedImage::new(codes, iw, ih, ic).map_err(|e| anyhow!("{e}"))?;
    let dither = if opts.pixels == PixelFormat::Mono { Dither::Bayer8 { black_level: opts.black_level } } else { Dither::Threshold };
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
    let size = (canvas.0 as usize, canvas.1 as usize);
    let mut rgb = vec![0u8; size.0 * size.1 * 3];
    let stride = size.0.div_ceil(8);
    let mut raw = match opts.pixels {
        PixelFormat::Gray8 => vec![0u8; size.0 * size.1 * if ic == 1 { 1 } else { 3 }],
        PixelFormat::Rgb565 => vec![0u8; size.0 * size.1 * 2],
        PixelFormat::Mono | PixelFormat::MonoThreshold => vec![0u8; stride * size.1],
    };
    let (rw, rh) = rendered.size();
    for y in 0..rh {
        for x in 0..rw {
            let (dx, dy) = (origin.0 + x, origin.1 + y);
            let i = dy as usize * size.0 + dx as usize;
            let color = match opts.pixels {
                PixelFormat::Gray8 if ic == 1 => {
                    let g = rendered.pixel(x, y);
                    raw[i] = g;
                    [g; 3]
                }
                PixelFormat::Gray8 => {
                    let c = rendered.pixel_rgb(x, y);
                    raw[i * 3..i * 3 + 3].copy_from_slice(&c);
                    c
                }
                PixelFormat::Rgb565 => {
                    let [r, g, b] = rendered.pixel_rgb(x, y);
                    let v = rgb565(r, g, b);
                    raw[i * 2..i * 2 + 2].copy_from_slice(&v.to_le_bytes());
                    expand_565(v)
                }
                PixelFormat::Mono | PixelFormat::MonoThreshold => {
                    if dither.lit(rendered.pixel(x, y), dx, dy) {
                        raw[dy as usize * stride + dx as usize / 8] |= 0x80 >> (dx % 8);
                        [255; 3]
                    } else {
                        [0; 3]
                    }
                }
            };
            rgb[i * 3..i * 3 + 3].copy_from_slice(&color);
        }
    }
    Ok((size, rgb, raw))
}

fn expand_565(v: u16) -> [u8; 3] {
    let (r, g, b) = ((v >> 11) & 31, (v >> 5) & 63, v & 31);
    [((r * 255 + 15) / 31) as u8, ((g * 255 + 31) / 63) as u8, ((b * 255 + 15) / 31) as u8]
}

/// `pocketgan sample`: a PNG grid at `png`, and/or one raw framebuffer
/// file per sample in `raw_dir` (`sample-000.raw`, …).
pub fn run(model_path: &Path, opts: &SampleOptions, png: Option<&Path>, raw_dir: Option<&Path>) -> Result<()> {
    if opts.count == 0 {
        bail!("--n must be at least 1");
    }
    if png.is_none() && raw_dir.is_none() {
        bail!("say where the samples go: -o grid.png, --raw DIR, or both");
    }
    if opts.mix > 256 {
        bail!("--mix {}: the walk goes from 0 (the seed itself) to 256 (the next seed)", opts.mix);
    }
    let bytes = std::fs::read(model_path).with_context(|| format!("cannot read model file {}", model_path.display()))?;
    let model = Model::parse(&bytes).map_err(|e| anyhow!("{}: {e}", model_path.display()))?;
    for prompt in &opts.prompts {
        if let Some(note) = parse_prompt(&model, prompt)?.note {
            eprintln!("note: {note}");
        }
    }
    for path in &opts.recordings {
        let heard = hear_file(&model, path)?;
        for note in &heard.notes {
            eprintln!("note: {}: {note}", path.display());
        }
        eprintln!("{}: {}", path.display(), heard.describe(&model));
    }
    let frames = render_samples(&model, opts)?;
    if let Some(dir) = raw_dir {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create the folder {}", dir.display()))?;
        for (k, raw) in frames.raw.iter().enumerate() {
            let path = dir.join(format!("sample-{k:03}.raw"));
            std::fs::write(&path, raw).with_context(|| format!("cannot write {}", path.display()))?;
        }
    }
    if let Some(png) = png {
        let grid = Grid { width: frames.width, height: frames.height, channels: 3, images: frames.rgb };
        grid.save_png(png, opts.columns, 1)?;
    }
    Ok(())
}
