//! `pocketgan sample MODEL`: what a board draws, as a PNG grid (or whole
//! board screens with `--board`).

use super::parse::parse_size;
use crate::board::fit;
use crate::board::sample::{PixelFormat, SampleOptions};
use crate::board::screen::board_screens;
use crate::render::grid::Grid;
use anyhow::{Context, Result, bail};
use pocketgan_shared::pixels::DEFAULT_BLACK_LEVEL;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct SampleArgs {
    /// The model file.
    model: PathBuf,
    /// First seed; sample k uses seed + k (as successive button presses do).
    #[arg(long, default_value_t = 0)]
    seed: u32,
    /// Number of samples.
    #[arg(long = "n", default_value_t = 64)]
    count: usize,
    /// Class for a conditional model (default: cycle through the classes).
    #[arg(long)]
    class: Option<u16>,
    /// What a text model draws, e.g. "a thick right-leaning seven"; repeat
    /// for several prompts (--n samples of each, the same seeds for each).
    /// Unknown words are named and left out; `pocketgan inspect` lists the
    /// vocabulary. Without it a text model cycles through one-word prompts.
    #[arg(long, conflicts_with_all = ["class", "board"])]
    prompt: Vec<String>,
    /// What a sound model hears: a WAV file of a spoken digit (any common
    /// rate and channel count: resampled to 8 kHz mono, and said so); repeat
    /// for several recordings (--n samples of each, the same seeds for each).
    #[arg(long, value_name = "FILE.wav", conflicts_with_all = ["class", "board", "prompt"])]
    audio: Vec<PathBuf>,
    /// Emulate a display, e.g. 128x64: each sample scaled to fit and centred.
    #[arg(long, value_parser = parse_size)]
    display: Option<(u16, u16)>,
    /// Upscaling factor when no --display is given.
    #[arg(long, default_value_t = 2)]
    scale: u16,
    /// The display's pixel format.
    #[arg(long, value_enum, default_value_t = PixelFormat::Gray8)]
    pixels: PixelFormat,
    /// Samples per grid row.
    #[arg(long, default_value_t = 8)]
    columns: usize,
    /// Walk each latent this far towards the next seed's, 0-256 (what a
    /// board's sensor does; 0 = the seed itself, 256 = the next seed).
    #[arg(long, default_value_t = 0)]
    mix: u16,
    /// With --pixels mono: gray values below this are black before
    /// dithering, so a near-black background shows no specks (0: dither
    /// everything). Boards, and --board screens, use the default.
    #[arg(long, default_value_t = DEFAULT_BLACK_LEVEL, conflicts_with = "board")]
    black_level: u8,
    /// Output PNG (a grid of the samples).
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Also write each sample as the display's raw framebuffer bytes,
    /// DIR/sample-000.raw, … (mono: rows MSB-first; rgb565: little-endian).
    #[arg(long, value_name = "DIR")]
    raw: Option<PathBuf>,
    /// Draw whole screens as this board shows them (image, caption with
    /// the estimated time), one per button press from --seed; replaces
    /// --display/--pixels: stm32f411-blackpill, rp-pico, rp-pico2,
    /// emulated (128×64 OLED) or rp-pico-touch (320×240 RGB565).
    #[arg(long, conflicts_with_all = ["display", "raw", "mix"])]
    board: Option<String>,
}

/// Runs `pocketgan sample`.
pub fn run(args: &SampleArgs) -> Result<()> {
    let SampleArgs { ref model, seed, count, class, ref prompt, ref audio, display, scale, pixels, columns, mix, black_level, ref output, ref raw, ref board } = *args;
    if let Some(board_id) = board {
        let Some(output) = output else { bail!("--board draws a PNG: say where with -o screens.png") };
        if count == 0 {
            bail!("--n must be at least 1");
        }
        let bytes = std::fs::read(model).with_context(|| format!("cannot read model file {}", model.display()))?;
        let board = fit::board(board_id)?;
        let screens =
            board_screens(&bytes, &board, seed, count - 1).with_context(|| format!("{} on {}", model.display(), board.id))?;
        let (w, h) = board.display;
        Grid { width: w as usize, height: h as usize, channels: 3, images: screens }.save_png(output, columns, 2)?;
        println!("wrote {count} screens of {} (seeds {seed}-{}) to {}", board.id, seed as u64 + count as u64 - 1, output.display());
        return Ok(());
    }
    let opts = SampleOptions { seed, count, class, prompts: prompt.clone(), recordings: audio.clone(), display, scale: scale.max(1), pixels, columns, mix, black_level };
    crate::board::sample::run(model, &opts, output.as_deref(), raw.as_deref())?;
    let seeds = format!("seeds {}-{}", seed, seed as u64 + count as u64 - 1);
    let each = if prompt.len() > 1 {
        format!(" of each of {} prompts", prompt.len())
    } else if audio.len() > 1 {
        format!(" of each of {} recordings", audio.len())
    } else {
        String::new()
    };
    for place in output.iter().chain(raw.iter()) {
        println!("wrote {count} samples{each} ({seeds}) to {}", place.display());
    }
    Ok(())
}
