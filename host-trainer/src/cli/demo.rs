//! `pocketgan demo`: train a small generator on the bundled digits, export
//! it to int8, and show what a board would draw.

use crate::data::DataSource;
use crate::training::device::DeviceChoice;
use crate::export;
use crate::training::run_dir::RunDir;
use crate::board::sample::{PixelFormat, SampleOptions, render_samples};
use crate::render::grid::Grid;
use crate::training::image_config::TrainConfig;
use crate::training::images::train;
use anyhow::{Result, anyhow};
use burn::tensor::Device;
use pocketgan_shared::Model;
use pocketgan_shared::pixels::DEFAULT_BLACK_LEVEL;
use super::parse::timestamp;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct DemoArgs {
    /// Training steps (about 0.12 s each on 2 CPU cores; 1 200 reach the quality
    /// the paper settings reached in 4 000).
    #[arg(long, default_value_t = 1200)]
    steps: usize,
    /// Output folder (default: runs/demo-<time>).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Compute device: cpu, wgpu, auto (wgpu if it answers, else cpu) or remote:ws://HOST:PORT
    /// (a `pocketgan serve-device` on another machine; builds with --features remote).
    #[arg(long, default_value = "cpu")]
    device: DeviceChoice,
}

/// Runs `pocketgan demo`: 130 when Ctrl-C stopped its training.
pub fn run(args: &DemoArgs) -> Result<ExitCode> {
    crate::training::interrupt::install();
    let out = args.out.clone().unwrap_or_else(|| PathBuf::from(format!("runs/demo-{}", timestamp())));
    let finished = demo(&out, args.steps, &args.device)?;
    Ok(if finished { ExitCode::SUCCESS } else { ExitCode::from(130) })
}

/// Runs the demo into `out` (which must not exist yet). Returns false when
/// Ctrl-C stopped the training (its checkpoint is written; nothing else is).
fn demo(out: &Path, steps: usize, device: &DeviceChoice) -> Result<bool> {
    let config = TrainConfig { data: DataSource::Digits, steps, sample_every: (steps / 4).max(1), checkpoint_every: steps, ..TrainConfig::default() };
    let run = RunDir::new(out);
    println!("1/3 training a DCGAN on the bundled MNIST digits for {steps} steps -> {}", out.display());
    let report = train(&config, &run, device, true)?;
    if report.interrupted {
        println!(
            "interrupted at step {} (checkpoint written): continue with `pocketgan train --resume {}`, \
             then `pocketgan export {} -o model.pgan`",
            report.steps,
            out.display(),
            out.display()
        );
        return Ok(false);
    }
    println!("    {:.0} ms/step on {}, final losses D {:.3} G {:.3}", report.ms_per_step, report.device, report.d_loss, report.g_loss);

    println!("2/3 exporting the generator to int8");
    let cpu = Device::flex();
    let (generator, _, _) = run.load_generator(&cpu)?;
    let exported = export::export(&generator, "dcgan-digits-demo", &cpu)?;
    let model_path = out.join("model.pgan");
    crate::files::write_atomic(&model_path, &exported.bytes)?;
    println!(
        "    {} ({} bytes, {} parameters, {} MACs/image, {} B scratch), int8 vs float {:.1} dB PSNR",
        model_path.display(),
        exported.bytes.len(),
        exported.parameters,
        exported.macs,
        exported.scratch,
        exported.psnr_db
    );

    println!("3/3 drawing what a board would show (the shared fixed-point code, seeds 0..63)");
    let model = Model::parse(&exported.bytes).map_err(|e| anyhow!("{e}"))?;
    let grid_path = out.join("board-samples.png");
    let opts = SampleOptions { seed: 0, count: 64, class: None, prompts: Vec::new(), recordings: Vec::new(), display: None, scale: 2, pixels: PixelFormat::Gray8, columns: 8, mix: 0, black_level: DEFAULT_BLACK_LEVEL };
    let f = render_samples(&model, &opts)?;
    Grid { width: f.width, height: f.height, channels: 3, images: f.rgb }.save_png(&grid_path, 8, 1)?;
    let oled_path = out.join("board-screen.png");
    let board = crate::board::fit::board("stm32f411-blackpill")?;
    let screens = crate::board::screen::board_screens(&exported.bytes, &board, 0, 3)?;
    let (w, h) = board.display;
    Grid { width: w as usize, height: h as usize, channels: 3, images: screens }.save_png(&oled_path, 2, 2)?;
    println!("    {}  (64 samples, 8-bit gray)", grid_path.display());
    println!("    {}  (seeds 0..3 as the Black Pill's 128x64 OLED shows them; time estimated)", oled_path.display());
    println!(
        "    float samples during training: {} (progress.png: seeds 0..7 as training went on)",
        run.samples().display()
    );
    println!("    loss curves: {}", run.root.join("losses.png").display());
    println!(
        "Next: pocketgan fit {} --board stm32f411-blackpill (or rp-pico, rp-pico2), then flash it (README, \"On a board\")",
        model_path.display()
    );
    println!(
        "A brief run draws rough digits; the committed models/dcgan-digits.pgan (4000 steps) shows \
         what longer training gives: pocketgan sample models/dcgan-digits.pgan -o grid.png"
    );
    Ok(true)
}
