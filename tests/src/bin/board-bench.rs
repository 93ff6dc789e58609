//! `cargo run --release -p pocketgan-tests --bin board-bench [MODEL]`
//!
//! Builds the boards with MODEL built in (the default model otherwise),
//! runs the generator on the emulated board — Cortex-M4 code and Cortex-M0+
//! (ARMv6-M) code on `mps2-an386`, Cortex-M33 code on `mps2-an505` — under
//! QEMU's `-icount shift=0`, and prints a table:
//! instructions per image, MACs, instructions per MAC, the estimated time
//! at each real board's clock (assuming one instruction per cycle: an
//! estimate, not a cycle count), each layer with the reference and the
//! optimized kernels side by side (`bench-layers`, one run per core),
//! for a sound model the cost of hearing one second (`bench-mfcc`), and
//! each board binary's flash and RAM.

use pocketgan_host_trainer::board::fit::board;
use pocketgan_shared::Model;
use pocketgan_tests::emulator::{
    build_board, emulator_missing, footprint, generation_ticks, layer_ticks, repo_root, run_emulated,
};
use std::path::PathBuf;
use std::process::ExitCode;

const PRESSES: usize = 3;

/// A sound model's hearing (`bench-mfcc`): one second of the test signal
/// through the front end, and heard end to end with the encoder, on each core.
fn hearing_table(model_path: &std::path::Path, dir: &std::path::Path) -> Result<(), String> {
    println!();
    println!("Hearing one second of audio (bench-mfcc: front end, gate and encoder; target ≤ 30 ms on the M4 at 100 MHz)");
    println!();
    println!("| code | front end instr. | encoder instr. | heard end to end | est. ms at |");
    println!("|---|---:|---:|---:|---|");
    for (target, label, board_id) in [
        ("thumbv7em-none-eabihf", "Cortex-M4F", "stm32f411-blackpill"),
        ("thumbv6m-none-eabi", "Cortex-M0+", "rp-pico"),
        ("thumbv8m.main-none-eabihf", "Cortex-M33", "rp-pico2"),
    ] {
        let elf = build_board("emulated", Some(target), Some(model_path), dir)?;
        let run = run_emulated(&elf, "bench-mfcc\n", &dir.join(format!("{target}-hear")))?;
        let number_after = |line: &str, key: &str| -> Option<u64> {
            line.split(key).nth(1)?.split(|c: char| !c.is_ascii_digit()).find(|w| !w.is_empty())?.parse().ok()
        };
        let front = run.log.lines().find(|l| l.contains("bench-mfcc:")).and_then(|l| number_after(l, "frames, "));
        let hear = run.log.lines().find(|l| l.contains("bench-hear:"));
        let (Some(front), Some(total), Some(encoder)) =
            (front, hear.and_then(|l| number_after(l, "bench-hear: ")), hear.and_then(|l| number_after(l, "encoder ")))
        else {
            return Err(format!("bench-mfcc gave no hearing lines on {label}:\n{}", run.log));
        };
        let b = board(board_id).map_err(|e| e.to_string())?;
        let ms = total as f64 / b.clock_hz as f64 * 1000.0;
        println!("| {label} | {front} | {encoder} | {total} | {ms:.1} ms ({}, {} MHz) |", b.id, b.clock_hz / 1_000_000);
    }
    Ok(())
}

/// The recording a sound model hears before it draws.
const RECORDING: &str = "test-signal.pcm";

/// One second of `audio::test_signal` as the emulated board's raw samples.
fn write_test_recording(work: &std::path::Path) -> Result<(), String> {
    let mut samples = vec![0i16; 8000];
    pocketgan_shared::audio::test_signal(&mut samples);
    std::fs::create_dir_all(work).map_err(|e| e.to_string())?;
    let bytes: Vec<u8> = samples.iter().flat_map(|s| s.to_le_bytes()).collect();
    std::fs::write(work.join(RECORDING), bytes).map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    match bench() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn bench() -> Result<(), String> {
    if let Some(why) = emulator_missing() {
        return Err(format!("the board benchmark needs {why}"));
    }
    let model_path = std::env::args().nth(1).map(PathBuf::from).unwrap_or_else(|| repo_root().join("models/dcgan-digits.pgan"));
    let model_path = model_path.canonicalize().map_err(|e| format!("{}: {e}", model_path.display()))?;
    let bytes = std::fs::read(&model_path).map_err(|e| format!("{}: {e}", model_path.display()))?;
    let model = Model::parse(&bytes).map_err(|e| format!("{}: {e}", model_path.display()))?;
    let macs = model.macs();
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    // A sound model draws nothing until it hears something: it first hears
    // one second of the test signal (the boot screen's zero-tick line is
    // left out of the count).
    let sound = model.audio().is_some();
    let script = if sound {
        format!("boot-seed 0\nlisten {RECORDING}\n{}", "press\n".repeat(PRESSES - 1))
    } else {
        format!("boot-seed 0\n{}", "press\n".repeat(PRESSES - 1))
    };

    let shown = model_path.strip_prefix(repo_root()).unwrap_or(&model_path);
    println!("model {} ({} B, {} MACs/image, {} B scratch)\n", shown.display(), bytes.len(), macs, model.scratch_len());
    let kind = if model.is_translator() { "Translator" } else { "Generator" };
    println!("{kind} on the emulated board (QEMU mps2-an386; mps2-an505 for the M33; -icount shift=0: 1 instruction = 1 ns), {PRESSES} images each");
    println!();
    println!("| code | instructions/image | MACs/image | instructions/MAC | vs M4 code | est. ms/image at |");
    println!("|---|---:|---:|---:|---:|---|");
    let mut m4 = None;
    for (target, label, board_id) in
        [
            ("thumbv7em-none-eabihf", "Cortex-M4F (thumbv7em)", "stm32f411-blackpill"),
            ("thumbv6m-none-eabi", "Cortex-M0+ (thumbv6m)", "rp-pico"),
            ("thumbv8m.main-none-eabihf", "Cortex-M33 (thumbv8m.main, mps2-an505)", "rp-pico2"),
        ]
    {
        let elf = build_board("emulated", Some(target), Some(&model_path), dir.path())?;
        let work = dir.path().join(target);
        if sound {
            write_test_recording(&work)?;
        }
        let run = run_emulated(&elf, &script, &work)?;
        if run.status != Some(0) {
            return Err(format!("the emulated board failed ({:?}):\n{}", run.status, run.log));
        }
        let mut ticks = generation_ticks(&run.log);
        ticks.retain(|&t| t > 0);
        if ticks.len() != PRESSES {
            return Err(format!("expected {PRESSES} images in the log:\n{}", run.log));
        }
        ticks.sort_unstable();
        let instructions = ticks[PRESSES / 2];
        let per_mac = instructions as f64 / macs as f64;
        let base = *m4.get_or_insert(per_mac);
        let b = board(board_id).map_err(|e| e.to_string())?;
        let ms = instructions as f64 / b.clock_hz as f64 * 1000.0;
        println!(
            "| {label} | {instructions} | {macs} | {per_mac:.2} | {:.2}x | {ms:.0} ms ({}, {} MHz) |",
            per_mac / base,
            b.id,
            b.clock_hz / 1_000_000
        );
    }

    if model.audio().is_some() {
        hearing_table(&model_path, dir.path())?;
    }

    println!();
    println!("Each layer, reference vs optimized kernels on the same input (bench-layers; outputs compared on the board)");
    println!();
    println!("| code | layer | MACs | reference instr. | instr./MAC | optimized instr. | instr./MAC | optimized vs reference | est. ms at the board's clock (ref → opt) |");
    println!("|---|---|---:|---:|---:|---:|---:|---:|---|");
    let layers: Vec<_> = model.layers().collect::<Result<_, _>>().map_err(|e| e.to_string())?;
    for (target, label, board_id) in
        [
            ("thumbv7em-none-eabihf", "M4F", "stm32f411-blackpill"),
            ("thumbv6m-none-eabi", "M0+", "rp-pico"),
            ("thumbv8m.main-none-eabihf", "M33", "rp-pico2"),
        ]
    {
        let elf = build_board("emulated", Some(target), Some(&model_path), dir.path())?;
        let run = run_emulated(&elf, "bench-layers\n", &dir.path().join(format!("{target}-layers")))?;
        let ticks = layer_ticks(&run.log);
        if run.status != Some(0) || ticks.len() != layers.len() || ticks.iter().any(|t| !t.equal) {
            return Err(format!("bench-layers failed on {label} ({:?}):\n{}", run.status, run.log));
        }
        let clock = board(board_id).map_err(|e| e.to_string())?.clock_hz as f64;
        let ms = |instructions: u64| instructions as f64 / clock * 1000.0;
        let (mut total_ref, mut total_opt) = (0, 0);
        for (i, (layer, t)) in layers.iter().zip(&ticks).enumerate() {
            let macs = layer.macs();
            total_ref += t.reference;
            total_opt += t.optimized;
            println!(
                "| {label} | {i}: {} | {macs} | {} | {:.2} | {} | {:.2} | {:.2}x | {:.1} → {:.1} |",
                op_name(layer),
                t.reference,
                t.reference as f64 / macs as f64,
                t.optimized,
                t.optimized as f64 / macs as f64,
                t.optimized as f64 / t.reference as f64,
                ms(t.reference),
                ms(t.optimized)
            );
        }
        println!(
            "| {label} | all layers | {macs} | {total_ref} | {:.2} | {total_opt} | {:.2} | {:.2}x | {:.1} → {:.1} ({board_id}) |",
            total_ref as f64 / macs as f64,
            total_opt as f64 / macs as f64,
            total_opt as f64 / total_ref as f64,
            ms(total_ref),
            ms(total_opt)
        );
    }

    println!();
    println!("Board binaries (arm-none-eabi-size -A; RAM excludes the stack)");
    println!();
    println!("| board | flash used | of | RAM used | of | model file | app buffers |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for id in ["emulated", "stm32f411-blackpill", "rp-pico", "rp-pico2", "rp-pico-touch"] {
        // A board whose RAM the model does not fit refuses it at build time.
        let elf = match build_board(id, None, Some(&model_path), dir.path()) {
            Ok(elf) => elf,
            Err(e) if e.contains("needs more RAM") => {
                println!("| {id} | does not fit: the model needs more RAM than the board's budget | | | | {} B | {} B |", bytes.len(), model.scratch_len());
                continue;
            }
            Err(e) => return Err(e),
        };
        let f = footprint(&elf)?;
        let b = board(id).map_err(|e| e.to_string())?;
        println!(
            "| {id} | {} B | {} B | {} B | {} B | {} B | {} B |",
            f.flash,
            b.flash,
            f.ram,
            b.ram,
            bytes.len(),
            pocketgan_firmware::Buffers::ram_bytes_for(&model)
        );
    }
    Ok(())
}

/// A layer's op in a table cell.
fn op_name(layer: &pocketgan_shared::Layer<'_>) -> String {
    match layer.op {
        pocketgan_shared::Op::Linear => "Linear".into(),
        pocketgan_shared::Op::Conv2d(g) => format!("Conv k{} s{}", g.kernel[0], g.stride[0]),
        pocketgan_shared::Op::ConvTranspose2d(g) => format!("ConvT k{} s{}", g.kernel[0], g.stride[0]),
    }
}
