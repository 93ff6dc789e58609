//! `pocketgan export RUN -o model.pgan`: quantize a run's generator to int8.

use crate::export::export;
use crate::files::write_atomic;
use crate::training::run_dir::RunDir;
use anyhow::Result;
use burn::tensor::Device;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct ExportArgs {
    /// The run folder.
    run: PathBuf,
    /// Output model file.
    #[arg(short, long)]
    output: PathBuf,
    /// Name stored in the model (default: from the run folder).
    #[arg(long)]
    name: Option<String>,
}

/// Runs `pocketgan export` and prints the model's figures.
pub fn run(args: &ExportArgs) -> Result<()> {
    let device = Device::flex();
    let run = RunDir::new(args.run.clone());
    let (generator, _, state) = run.load_generator(&device)?;
    let name = args.name.clone().unwrap_or_else(|| {
        format!("dcgan-{}", run.root.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default())
    });
    let report = export(&generator, &name, &device)?;
    write_atomic(&args.output, &report.bytes)?;
    println!("exported step {} of {} to {}", state.step, run.root.display(), args.output.display());
    println!("  parameters: {}", report.parameters);
    println!("  MACs per image: {}", report.macs);
    println!("  file: {} bytes", report.bytes.len());
    println!("  scratch RAM: {} bytes", report.scratch);
    println!("  int8 vs float PSNR on seeds 0..63: {:.2} dB", report.psnr_db);
    Ok(())
}
