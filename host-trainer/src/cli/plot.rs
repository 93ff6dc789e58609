//! `pocketgan plot RUN`: a run's loss curves, and an image run's progress strip.

use crate::nets::GeneratorConfig;
use crate::render::grid::progress_strip;
use crate::render::loss_plot::loss_curves;
use crate::training::run_dir::RunDir;
use anyhow::Result;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct PlotArgs {
    /// The run folder (from `pocketgan train` or `pocketgan toy`).
    run: PathBuf,
}

/// Runs `pocketgan plot`.
pub fn run(args: &PlotArgs) -> Result<()> {
    let run = RunDir::new(args.run.clone());
    let [png, svg] = loss_curves(&run.root)?;
    println!("wrote {} and {}", png.display(), svg.display());
    // Image runs also get the strip of their sample grids so far.
    if let Ok(generator) = <GeneratorConfig as burn::config::Config>::load(run.generator_config())
        && let Some(strip) = progress_strip(&run.samples(), generator.height, 2)?
    {
        println!("wrote {}", strip.display());
    }
    Ok(())
}
