//! `pocketgan inspect MODEL`: what is inside a model file.

use anyhow::Result;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct InspectArgs {
    /// The model file.
    model: PathBuf,
}

/// Runs `pocketgan inspect`.
pub fn run(args: &InspectArgs) -> Result<()> {
    crate::board::inspect::run(&args.model)
}
