//! `pocketgan export RUN -o model.pgan [--tflite model.tflite]`: quantize a
//! run's generator to int8, as a pocketgan model and/or a standard `.tflite`.

use crate::export::{export, tflite};
use crate::files::write_atomic;
use crate::training::run_dir::RunDir;
use anyhow::{Context, Result, anyhow, bail};
use burn::tensor::Device;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct ExportArgs {
    /// The run folder, or an existing `.pgan` model file to convert to
    /// `.tflite` (with --tflite) as it is.
    run: PathBuf,
    /// Output pocketgan model file.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Also (or only) write the model as a standard int8 TensorFlow Lite
    /// file: same tensors, scales and arithmetic, runs in LiteRT, TFLite
    /// Micro and Arm's Vela (see docs/npu.md).
    #[arg(long, value_name = "FILE")]
    tflite: Option<PathBuf>,
    /// Name stored in the model (default: from the run folder).
    #[arg(long)]
    name: Option<String>,
}

/// Runs `pocketgan export` and prints the model's figures.
pub fn run(args: &ExportArgs) -> Result<()> {
    if args.output.is_none() && args.tflite.is_none() {
        bail!("say where to write the model: -o model.pgan, --tflite model.tflite, or both");
    }
    if args.run.is_file() {
        return convert_model_file(args);
    }
    let device = Device::flex();
    let run = RunDir::new(args.run.clone());
    let (generator, _, state) = run.load_generator(&device)?;
    let name = args.name.clone().unwrap_or_else(|| {
        format!("dcgan-{}", run.root.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default())
    });
    let report = export(&generator, &name, &device)?;
    // Write nothing until every requested file can be made.
    let tflite_bytes = args.tflite.as_ref().map(|_| tflite::from_model_file(&report.bytes)).transpose()?;
    println!("exported step {} of {}", state.step, run.root.display());
    if let Some(path) = &args.output {
        write_atomic(path, &report.bytes)?;
        println!("  model: {} ({} bytes)", path.display(), report.bytes.len());
    }
    if let (Some(path), Some(bytes)) = (&args.tflite, &tflite_bytes) {
        write_tflite(path, bytes)?;
    }
    println!("  parameters: {}", report.parameters);
    println!("  MACs per image: {}", report.macs);
    println!("  scratch RAM: {} bytes", report.scratch);
    println!("  int8 vs float PSNR on seeds 0..63: {:.2} dB", report.psnr_db);
    Ok(())
}

fn write_tflite(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic(path, bytes)?;
    println!("  tflite: {} ({} bytes; LiteRT, TFLite Micro, `pocketgan npu`)", path.display(), bytes.len());
    Ok(())
}

/// `pocketgan export model.pgan --tflite model.tflite`.
fn convert_model_file(args: &ExportArgs) -> Result<()> {
    let Some(path) = &args.tflite else {
        bail!("{} is a model file, not a run folder: give --tflite FILE to convert it", args.run.display());
    };
    if args.output.is_some() || args.name.is_some() {
        bail!("-o and --name need a run folder; a model file converts to .tflite as it is");
    }
    let bytes = std::fs::read(&args.run).with_context(|| format!("cannot read {}", args.run.display()))?;
    let out = tflite::from_model_file(&bytes).map_err(|e| anyhow!("{}: {e:#}", args.run.display()))?;
    println!("converted {}", args.run.display());
    write_tflite(path, &out)
}
