//! The `pocketgan` command line: [`Cli`] names the commands, and each
//! command has a file here that parses its flags, calls the library and
//! prints what happened.

pub mod bench;
pub mod data;
pub mod demo;
pub mod eval;
pub mod export;
pub mod fit;
pub mod inspect;
pub mod lab;
pub mod npu;
pub mod parse;
pub mod plot;
pub mod run_flow;
pub mod sample;
pub mod serve_device;
pub mod sweep;
pub mod toy;
pub mod train;
pub mod train_translator;
pub mod translate;

use anyhow::Result;
use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Train GANs on your workstation, run them on a microcontroller.
#[derive(Parser, Debug)]
#[command(
    name = "pocketgan",
    version,
    about = "Train GANs on your workstation, run them on a microcontroller",
    after_help = "Typical use:\n  pocketgan demo                                   train 2 min, export, preview\n  pocketgan train --data digits --run runs/mine    train a DCGAN\n  pocketgan train --resume runs/mine               continue after Ctrl-C (or train longer: --steps)\n  pocketgan plot runs/mine                         loss curves to PNG and SVG\n  pocketgan train --objective wgan-gp --conditional  another objective, class labels\n  pocketgan train-translator --data skeletons      pix2pix: skeleton → digit\n  pocketgan translate unet.pgan sketch.png -o out.png  what a board draws from a sketch\n  pocketgan toy --data ring --objective hinge      a 2-D toy GAN, pictures of it learning\n  pocketgan lab                                    watch it learn live at http://127.0.0.1:8765/\n  pocketgan eval runs/mine                         Fréchet distance, classes, float vs int8\n  pocketgan export runs/mine -o mine.pgan          quantize to int8\n  pocketgan sample mine.pgan -o grid.png           what a board draws\n  pocketgan inspect mine.pgan                      what is inside\n  pocketgan fit mine.pgan --board rp-pico          will it fit a board"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Train briefly on the bundled digits, export to int8 and draw what a board shows.
    Demo(demo::DemoArgs),
    /// Train a DCGAN with any objective (minimax, non-saturating, wgan, wgan-gp, hinge, least-squares) into a run folder.
    Train(train::TrainArgs),
    /// Train an image-to-image translator (a U-Net): pix2pix from pairs, CycleGAN from two unpaired sets.
    TrainTranslator(train_translator::TranslatorArgs),
    /// Train a GAN on a 2-D toy distribution and watch it cover the modes (GAN Lab's setting).
    Toy(toy::ToyArgs),
    /// Watch a 2-D GAN learn in your browser (GAN Lab's views, every objective, int8 view).
    Lab(lab::LabArgs),
    /// Draw a run's loss curves to RUN/losses.png and .svg, and its samples/progress.png (also while it trains).
    Plot(plot::PlotArgs),
    /// Score a run: modes and high-quality share (toy runs); Fréchet distance,
    /// class accuracy and class spread of the float and the int8 generator (image runs).
    Eval(eval::EvalArgs),
    /// Train each objective, each technique and the recommended recipe for a fixed budget with
    /// several seeds; print markdown tables (the full default set takes hours on 2 cores:
    /// narrow it with --rows, --toys, --objectives, --image-steps 0).
    Compare(crate::eval::compare::CompareArgs),
    /// Compare's runs as separate jobs: plan them into a folder, run the missing ones here
    /// (--on local --jobs K) or as a Slurm job array (--on slurm), collect the tables.
    Sweep {
        #[command(subcommand)]
        what: sweep::SweepCommand,
    },
    /// Quantize a run's generator to int8: a .pgan model file and/or a standard int8 .tflite.
    Export(export::ExportArgs),
    /// Compile a model for an Arm Ethos-U NPU with Vela and print Vela's cycle, time and memory estimate.
    Npu(npu::NpuArgs),
    /// Generate samples with the int8 model, exactly as a board would, into a PNG grid.
    Sample(sample::SampleArgs),
    /// Translate images with an int8 translator, exactly as a board would, into a PNG (input | output).
    Translate(translate::TranslateArgs),
    /// Check a model against a board: flash, RAM and estimated time per image.
    Fit(fit::FitArgs),
    /// Show what is inside a model file and whether it is valid.
    Inspect(inspect::InspectArgs),
    /// Benchmarks.
    Bench {
        #[command(subcommand)]
        what: bench::BenchCommand,
    },
    /// Lend this machine's GPU (or CPU) to `pocketgan train --device remote:ws://HOST:PORT` elsewhere
    /// (builds with --features remote).
    ServeDevice(serve_device::ServeDeviceArgs),
    /// Data set utilities.
    Data {
        #[command(subcommand)]
        what: data::DataCommand,
    },
}

/// Runs the command line; the exit code says how it ended (130: stopped
/// by Ctrl-C with its work saved).
pub fn run() -> Result<ExitCode> {
    let done = |r: Result<()>| r.map(|()| ExitCode::SUCCESS);
    match &Cli::parse().command {
        Command::Demo(args) => demo::run(args),
        Command::Train(args) => train::run(args),
        Command::TrainTranslator(args) => train_translator::run(args),
        Command::Toy(args) => done(toy::run(args)),
        Command::Lab(args) => done(lab::run(args)),
        Command::Plot(args) => done(plot::run(args)),
        Command::Eval(args) => done(eval::run(args)),
        Command::Compare(args) => done(crate::eval::compare::run(args)),
        Command::Sweep { what } => done(sweep::run(what)),
        Command::Export(args) => done(export::run(args)),
        Command::Npu(args) => done(npu::run(args)),
        Command::Sample(args) => done(sample::run(args)),
        Command::Translate(args) => done(translate::run(args)),
        Command::Fit(args) => done(fit::run(args)),
        Command::Inspect(args) => done(inspect::run(args)),
        Command::Bench { what } => done(bench::run(what)),
        Command::ServeDevice(args) => done(serve_device::run(args)),
        Command::Data { what } => done(data::run(what)),
    }
}
