//! `pocketgan fit MODEL --board B`: flash, RAM and time per image on a board
//! (for an NPU board: Vela's estimate of the exported `.tflite`).

use crate::board::npu::{self, NpuBoard};
use crate::export::tflite;
use anyhow::{Context, Result, anyhow, bail};
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct FitArgs {
    /// The model file.
    model: PathBuf,
    /// The board: stm32f411-blackpill, rp-pico, rp-pico2, emulated, or
    /// grove-vision-ai-v2 (Ethos-U55 NPU: Vela's estimate).
    #[arg(long)]
    board: String,
    /// Vela, for an NPU board (default: $POCKETGAN_VELA, `vela` on PATH, or
    /// target/python from scripts/python-setup).
    #[arg(long, value_name = "PATH")]
    vela: Option<PathBuf>,
}

/// Runs `pocketgan fit`.
pub fn run(args: &FitArgs) -> Result<()> {
    match npu::npu_board(&args.board) {
        Some(board) => fit_npu(&args.model, board, args.vela.as_deref()),
        None => crate::board::fit::run(&args.model, &args.board),
    }
}

fn fit_npu(model_path: &Path, board: &NpuBoard, vela: Option<&Path>) -> Result<()> {
    let bytes = std::fs::read(model_path).with_context(|| format!("cannot read model file {}", model_path.display()))?;
    let file = tflite::from_model_file(&bytes).map_err(|e| anyhow!("{}: {e:#}; not compiled for an NPU", model_path.display()))?;
    let vela = npu::find_vela(vela)?;
    let e = npu::compile_for_board(board, &vela, &file, "model", None)?;
    println!("{} on {} ({}, {} at {:.0} MHz)", model_path.display(), board.id, board.name, board.accelerator, e.clock_hz / 1e6);
    let row = |what: &str, kib: f64, have: u64, detail: &str| {
        let needed = (kib * 1024.0).ceil() as u64;
        let verdict = if needed <= have { "ok".to_string() } else { format!("OVER by {} B", needed - have) };
        println!("  {what:<6} {needed:>9} B of {have:>9} B  {:>5.1}%  {verdict:<8} ({detail})", needed as f64 / have as f64 * 100.0);
        needed <= have
    };
    let flash_ok = row("flash", e.flash_kib, board.flash, "Vela: encoded weights and command stream");
    let sram_ok = row("SRAM", e.sram_kib + e.dram_kib, board.sram, "Vela: tensor arena");
    println!(
        "  time   ~{:.3} ms per image (Vela's estimate, not a measurement: {:.0} NPU / {:.0} total cycles; {} ops on the NPU, {} on the CPU)",
        e.seconds * 1e3,
        e.npu_cycles,
        e.total_cycles,
        e.npu_ops,
        e.cpu_ops
    );
    if !(flash_ok && sram_ok) {
        bail!("{} does not fit {}: train a smaller generator (--g-base, --latent)", model_path.display(), board.id);
    }
    println!("fits: pocketgan npu {} --board {} -o model_vela.tflite, then docs/npu.md", model_path.display(), board.id);
    Ok(())
}
