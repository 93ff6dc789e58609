//! `pocketgan fit MODEL --board B`: flash, RAM and time per image on a board.

use anyhow::Result;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct FitArgs {
    /// The model file.
    model: PathBuf,
    /// The board: stm32f411-blackpill, rp-pico or emulated.
    #[arg(long)]
    board: String,
}

/// Runs `pocketgan fit`.
pub fn run(args: &FitArgs) -> Result<()> {
    crate::board::fit::run(&args.model, &args.board)
}
