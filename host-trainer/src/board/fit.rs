//! `pocketgan fit`: will a model fit a board, and how fast will it draw?
//!
//! The board facts come from the board crates themselves — each
//! `boards/NAME/memory.x` (flash and RAM) and `boards/NAME/board.toml`
//! (clock, the firmware's own share of flash and RAM, instructions per MAC
//! of the kernels on that core) — compiled into this tool.

use crate::board::sample::PixelFormat;
use anyhow::{Context, Result, anyhow, bail};
use pocketgan_shared::Model;
use serde::Deserialize;
use std::path::Path;

/// A board `pocketgan fit` knows.
#[derive(Debug, Clone)]
pub struct Board {
    /// The board crate's folder name (`--board`).
    pub id: &'static str,
    /// Human name.
    pub name: String,
    /// CPU core.
    pub core: String,
    /// Core clock in Hz.
    pub clock_hz: u64,
    /// Flash for the firmware, from memory.x.
    pub flash: u64,
    /// RAM, from memory.x.
    pub ram: u64,
    /// Flash the firmware itself takes besides the model file.
    pub firmware_flash: u64,
    /// RAM the firmware itself takes besides the model's buffers.
    pub firmware_ram: u64,
    /// Instructions per multiply-accumulate of the kernels on this core,
    /// measured on the default generator.
    pub instructions_per_mac: f64,
    /// The same, measured on the default translator.
    pub translator_instructions_per_mac: f64,
    /// The display's width and height.
    pub display: (u16, u16),
    /// The display's pixels.
    pub pixels: PixelFormat,
}

impl Board {
    /// Instructions per MAC for `model`: the translators' figure for a
    /// translator, the generators' otherwise.
    pub fn instructions_per_mac_for(&self, model: &Model<'_>) -> f64 {
        if model.is_translator() { self.translator_instructions_per_mac } else { self.instructions_per_mac }
    }

    /// Estimated microseconds to run `model` once: its MACs at the
    /// measured instructions per MAC, about one instruction a cycle.
    pub fn estimate_us(&self, model: &Model<'_>) -> f64 {
        model.macs() as f64 * self.instructions_per_mac_for(model) / self.clock_hz as f64 * 1e6
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BoardToml {
    name: String,
    core: String,
    display: [u16; 2],
    pixels: String,
    clock_hz: u64,
    firmware_flash: u64,
    firmware_ram: u64,
    instructions_per_mac: f64,
    translator_instructions_per_mac: f64,
}

const BOARD_FILES: [(&str, &str, &str); 5] = [
    ("stm32f411-blackpill", include_str!("../../../boards/stm32f411-blackpill/memory.x"), include_str!("../../../boards/stm32f411-blackpill/board.toml")),
    ("rp-pico", include_str!("../../../boards/rp-pico/memory.x"), include_str!("../../../boards/rp-pico/board.toml")),
    ("rp-pico2", include_str!("../../../boards/rp-pico2/memory.x"), include_str!("../../../boards/rp-pico2/board.toml")),
    ("rp-pico-touch", include_str!("../../../boards/rp-pico-touch/memory.x"), include_str!("../../../boards/rp-pico-touch/board.toml")),
    ("emulated", include_str!("../../../boards/emulated/memory.x"), include_str!("../../../boards/emulated/board.toml")),
];

/// The `LENGTH` of `region` in a linker `MEMORY` block, in bytes
/// (`512K`, `2048K - 0x100`, `0x20000`, …).
pub fn region_length(memory_x: &str, region: &str) -> Option<u64> {
    let line = memory_x.lines().find(|l| l.trim_start().starts_with(region) && l.contains("LENGTH"))?;
    let expr = line.split("LENGTH").nth(1)?.trim_start().strip_prefix('=')?.trim();
    let mut total: i64 = 0;
    let mut sign = 1;
    for token in expr.split_whitespace() {
        match token {
            "+" => sign = 1,
            "-" => sign = -1,
            t => {
                let (digits, unit) = match t.chars().last()? {
                    'K' => (&t[..t.len() - 1], 1024),
                    'M' => (&t[..t.len() - 1], 1024 * 1024),
                    _ => (t, 1),
                };
                let value = match digits.strip_prefix("0x") {
                    Some(hex) => i64::from_str_radix(hex, 16).ok()?,
                    None => digits.parse::<i64>().ok()?,
                };
                total += sign * value * unit;
            }
        }
    }
    u64::try_from(total).ok()
}

/// Every board this tool knows.
pub fn boards() -> Result<Vec<Board>> {
    BOARD_FILES
        .iter()
        .map(|(id, memory_x, toml_text)| {
            let t: BoardToml = toml::from_str(toml_text).with_context(|| format!("boards/{id}/board.toml"))?;
            let region = |r| region_length(memory_x, r).ok_or_else(|| anyhow!("boards/{id}/memory.x has no {r} LENGTH"));
            Ok(Board {
                id,
                name: t.name,
                core: t.core,
                clock_hz: t.clock_hz,
                flash: region("FLASH")?,
                ram: region("RAM")?,
                firmware_flash: t.firmware_flash,
                firmware_ram: t.firmware_ram,
                instructions_per_mac: t.instructions_per_mac,
                translator_instructions_per_mac: t.translator_instructions_per_mac,
                display: (t.display[0], t.display[1]),
                pixels: <PixelFormat as clap::ValueEnum>::from_str(&t.pixels, false)
                    .map_err(|e| anyhow!("boards/{id}/board.toml: pixels = \"{}\": {e}", t.pixels))?,
            })
        })
        .collect()
}

/// The board named `id`.
pub fn board(id: &str) -> Result<Board> {
    let all = boards()?;
    let mut names: Vec<_> = all.iter().map(|b| b.id).collect();
    names.extend(super::npu::NPU_BOARDS.iter().map(|b| b.id));
    all.into_iter()
        .find(|b| b.id == id)
        .ok_or_else(|| anyhow!("unknown board '{id}': choose one of {}", names.join(", ")))
}

/// What a model needs of a board.
#[derive(Debug, Clone)]
pub struct Fit {
    /// Flash: model file plus firmware.
    pub flash_needed: u64,
    /// RAM: the app's buffers plus firmware.
    pub ram_needed: u64,
    /// Multiply-accumulates per image.
    pub macs: u64,
    /// Estimated milliseconds per image.
    pub latency_ms: f64,
}

impl Fit {
    /// Whether it fits.
    pub fn fits(&self, board: &Board) -> bool {
        self.flash_needed <= board.flash && self.ram_needed <= board.ram
    }
}

/// Flash, RAM and latency of `model` (its file is `file_len` bytes) on `board`.
pub fn fit(model: &Model<'_>, file_len: usize, board: &Board) -> Fit {
    // The firmware's buffers: scratch plus two latents and their blend (a
    // translator: its canvas and the canvas's codes).
    let buffers = pocketgan_firmware::Buffers::ram_bytes_for(model) as u64;
    let macs = model.macs();
    Fit {
        flash_needed: file_len as u64 + board.firmware_flash,
        ram_needed: buffers + board.firmware_ram,
        macs,
        latency_ms: board.estimate_us(model) / 1000.0,
    }
}

fn row(what: &str, needed: u64, detail: String, have: u64) -> String {
    let pct = needed as f64 / have as f64 * 100.0;
    let verdict = if needed <= have { "ok".to_string() } else { format!("OVER by {} B", needed - have) };
    format!("  {what:<6} {needed:>9} B of {have:>9} B  {pct:>5.1}%  {verdict:<16} ({detail})")
}

/// `pocketgan fit MODEL --board NAME`.
pub fn run(model_path: &Path, board_id: &str) -> Result<()> {
    let board = board(board_id)?;
    let bytes = std::fs::read(model_path).with_context(|| format!("cannot read model file {}", model_path.display()))?;
    let model = Model::parse(&bytes).map_err(|e| anyhow!("{}: {e}", model_path.display()))?;
    let f = fit(&model, bytes.len(), &board);
    println!("{} on {} ({}, {} MHz)", model_path.display(), board.id, board.name, board.clock_hz / 1_000_000);
    println!("{}", row("flash", f.flash_needed, format!("model file {} B + firmware {} B", bytes.len(), board.firmware_flash), board.flash));
    println!(
        "{}",
        row("RAM", f.ram_needed, format!("app buffers {} B + firmware {} B", f.ram_needed - board.firmware_ram, board.firmware_ram), board.ram)
    );
    println!(
        "  time   ~{:.0} ms per image (estimate: {} MACs x {:.2} instructions/MAC on a {} at {} MHz, ~1 instruction/cycle)",
        f.latency_ms,
        f.macs,
        board.instructions_per_mac_for(&model),
        board.core,
        board.clock_hz / 1_000_000
    );
    if !f.fits(&board) {
        bail!(
            "{} does not fit {}: it needs {} B of flash ({} available) and {} B of RAM ({} available). \
             Train a smaller generator (--g-base, --latent) or pick a board with more memory.",
            model_path.display(),
            board.id,
            f.flash_needed,
            board.flash,
            f.ram_needed,
            board.ram
        );
    }
    println!("fits: build it in with POCKETGAN_MODEL={} boards/build {}", model_path.display(), board.id);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_x_lengths() {
        assert_eq!(region_length("  FLASH : ORIGIN = 0x10000100, LENGTH = 2048K - 0x100", "FLASH"), Some(2048 * 1024 - 256));
        assert_eq!(region_length("RAM : ORIGIN = 0x20000000, LENGTH = 128K\n", "RAM"), Some(131072));
        assert_eq!(region_length("RAM : ORIGIN = 0, LENGTH = 0x400", "RAM"), Some(1024));
        assert_eq!(region_length("RAM : ORIGIN = 0", "RAM"), None);
    }

    #[test]
    fn known_boards() {
        let b = boards().unwrap();
        let f411 = b.iter().find(|b| b.id == "stm32f411-blackpill").unwrap();
        assert_eq!((f411.flash, f411.ram, f411.clock_hz), (512 * 1024, 128 * 1024, 100_000_000));
        let pico = b.iter().find(|b| b.id == "rp-pico").unwrap();
        assert_eq!((pico.flash, pico.ram), (2048 * 1024 - 256, 256 * 1024));
        let pico2 = b.iter().find(|b| b.id == "rp-pico2").unwrap();
        assert_eq!((pico2.flash, pico2.ram, pico2.clock_hz), (4096 * 1024, 512 * 1024, 150_000_000));
        assert!(board("uno").unwrap_err().to_string().contains("stm32f411-blackpill, rp-pico, rp-pico2, rp-pico-touch, emulated"));
    }
}
