//! `cargo run --release -p pocketgan-tests --bin emulated-board -- [SCRIPT] [--model MODEL] [-o frames.png]`
//!
//! Builds the emulated board (with MODEL built in, the default model
//! otherwise), runs it in QEMU on SCRIPT (a file of `boot-seed N`, `press`,
//! `long-press`, `sensor 0-4095` lines, for a text model `prompt TEXT`, and for a translator `stroke …`,
//! `clear` and `image FILE` with FILE any image `pocketgan translate` reads;
//! a short demo script without one),
//! prints the board's defmt log and writes every frame it showed to a PNG.

use pocketgan_host_trainer::render::grid::Grid;
use pocketgan_tests::emulator::{board_default_model, build_board, emulator_missing, prepare_images, run_emulated};
use std::path::PathBuf;
use std::process::ExitCode;

const DEMO_SCRIPT: &str = "boot-seed 0\npress\npress\nsensor 1024\nsensor 2048\nsensor 3072\nsensor 4095\npress\n";
const USAGE: &str = "usage: emulated-board [SCRIPT] [--model MODEL.pgan] [-o FRAMES.png]\n(script lines: see boards/emulated/src/script.rs; `image FILE` paths are relative to the script)";

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<ExitCode, String> {
    let (mut script, mut model, mut output) = (None, None, PathBuf::from("emulated-frames.png"));
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--model" => model = Some(PathBuf::from(args.next().ok_or(USAGE)?)),
            "-o" | "--output" => output = PathBuf::from(args.next().ok_or(USAGE)?),
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(ExitCode::SUCCESS);
            }
            s if s.starts_with('-') => return Err(format!("unknown option {s}\n{USAGE}")),
            s => script = Some(PathBuf::from(s)),
        }
    }
    if let Some(why) = emulator_missing() {
        return Err(format!("the emulated board needs {why}"));
    }
    let (script, script_dir) = match &script {
        Some(p) => (
            std::fs::read_to_string(p).map_err(|e| format!("cannot read the script {}: {e}", p.display()))?,
            p.parent().map(|d| d.to_path_buf()).unwrap_or_default(),
        ),
        None => (DEMO_SCRIPT.to_owned(), PathBuf::new()),
    };
    let model = model.map(|m| m.canonicalize().map_err(|e| format!("{}: {e}", m.display()))).transpose()?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let model_file = match &model {
        Some(m) => std::fs::read(m).map_err(|e| format!("{}: {e}", m.display()))?,
        None => std::fs::read(board_default_model("emulated")).map_err(|e| e.to_string())?,
    };
    // `image FILE` lines: the board reads PGM/PPM only.
    let (script, notes) = prepare_images(&script, &model_file, &script_dir, &dir.path().join("run"))?;
    for note in notes {
        eprintln!("{note}");
    }
    let elf = build_board("emulated", None, model.as_deref(), dir.path())?;
    let result = run_emulated(&elf, &script, &dir.path().join("run"))?;
    print!("{}", result.log);
    if !result.frames.is_empty() {
        let images = result
            .frames
            .iter()
            .map(|f| (0..64 * 128).flat_map(|i| [if f[i / 8] & (0x80 >> (i % 8)) != 0 { 255 } else { 0 }; 3]).collect())
            .collect();
        Grid { width: 128, height: 64, channels: 3, images }.save_png(&output, 2, 2).map_err(|e| e.to_string())?;
        println!("{} frames -> {}", result.frames.len(), output.display());
    }
    Ok(match result.status {
        Some(0) => ExitCode::SUCCESS,
        Some(code) => ExitCode::from(code.clamp(1, 255) as u8),
        None => ExitCode::FAILURE,
    })
}
