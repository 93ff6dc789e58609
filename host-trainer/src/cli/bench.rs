//! `pocketgan bench …`: benchmarks.

use crate::training::bench::{print_table, train_bench};
use anyhow::{Result, bail};

#[derive(clap::Subcommand, Debug)]
pub enum BenchCommand {
    /// Milliseconds per DCGAN training step on flex (and wgpu when available).
    Train {
        /// Batch size.
        #[arg(long, default_value_t = 64)]
        batch: usize,
        /// Timed steps per configuration (after warm-up).
        #[arg(long, default_value_t = 15)]
        steps: usize,
    },
}

/// Runs `pocketgan bench`.
pub fn run(what: &BenchCommand) -> Result<()> {
    match *what {
        BenchCommand::Train { batch, steps } => {
            if batch == 0 || steps == 0 {
                bail!("--batch and --steps must be at least 1");
            }
            let rows = train_bench(batch, steps)?;
            print_table(&rows, batch);
            Ok(())
        }
    }
}
