//! `pocketgan export RUN -o model.pgan [--tflite model.tflite]`: quantize a
//! run's generator (or translator) to int8, as a pocketgan model and/or a
//! standard `.tflite`.

use crate::export::translator::{CHECK_IMAGES, export_translator};
use crate::export::{ExportReport, export, tflite};
use crate::training::translation::run::load_translator;
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
    if run.is_translator() {
        return export_translator_run(args, &run, &device);
    }
    let (generator, _, state) = run.load_generator(&device)?;
    let name = args.name.clone().unwrap_or_else(|| {
        format!("dcgan-{}", run.root.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default())
    });
    let report = export(&generator, &name, &device)?;
    println!("exported step {} of {}", state.step, run.root.display());
    let checked_on = if generator.audio.is_some() { "seeds 0..63, each with a training recording (MACs: generator + encoder)" } else { "seeds 0..63" };
    write_report(args, &report, checked_on)
}

/// Writes the requested files (nothing until every one can be made) and
/// prints the model's figures.
fn write_report(args: &ExportArgs, report: &ExportReport, checked_on: &str) -> Result<()> {
    let tflite_bytes = args.tflite.as_ref().map(|_| tflite::from_model_file(&report.bytes)).transpose()?;
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
    println!("  int8 vs float PSNR on {checked_on}: {:.2} dB", report.psnr_db);
    Ok(())
}

/// `pocketgan export` of a translator's run: calibrated on its training
/// inputs, checked on held-out ones.
fn export_translator_run(args: &ExportArgs, run: &RunDir, device: &Device) -> Result<()> {
    let loaded = load_translator(run, device)?;
    let name = args.name.clone().unwrap_or_else(|| {
        format!("unet-{}", run.root.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default())
    });
    let data = loaded.config.data.load()?;
    let report = export_translator(&loaded.a_to_b, &name, &data.train.a, &data.test.a, device)?;
    println!("exported the {} translator at step {} of {}", loaded.config.method(), loaded.step, run.root.display());
    write_report(args, &report, &format!("{CHECK_IMAGES} held-out inputs"))
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
