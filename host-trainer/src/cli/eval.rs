//! `pocketgan eval RUN`: score a toy or image run.

use crate::metrics::images::EVAL_IMAGES;
use anyhow::Result;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct EvalArgs {
    /// The run folder (from `pocketgan train`, `pocketgan toy` or `pocketgan train-translator`).
    run: PathBuf,
    /// Generated images scored (image runs), or held-out inputs translated (translator runs).
    #[arg(long = "n", default_value_t = EVAL_IMAGES)]
    count: usize,
    /// Print the scores as JSON.
    #[arg(long)]
    json: bool,
}

/// Runs `pocketgan eval`.
pub fn run(args: &EvalArgs) -> Result<()> {
    crate::eval::report::run(&args.run, args.count, args.json)
}
