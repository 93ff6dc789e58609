//! Building and running the emulated board (QEMU `mps2-an386`) from tests
//! and benchmarks.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ lives in the repository").to_path_buf()
}

/// Builds can't overlap: two builds with different models share one target
/// folder, so each build copies its ELF out before the next starts.
static BUILD: Mutex<()> = Mutex::new(());

/// Builds `board` (a folder under `boards/`) for `target` (its own for
/// `None`) with `model` built in (the default model for `None`) and returns
/// a private copy of its ELF in `out_dir`.
pub fn build_board(board: &str, target: Option<&str>, model: Option<&Path>, out_dir: &Path) -> Result<PathBuf, String> {
    let _guard = BUILD.lock().unwrap_or_else(|e| e.into_inner());
    let root = repo_root();
    let mut cmd = Command::new(root.join("boards/build"));
    cmd.arg(board);
    match &target {
        Some(t) => cmd.env("BOARD_TARGET", t),
        None => cmd.env_remove("BOARD_TARGET"),
    };
    match model {
        Some(m) => cmd.env("POCKETGAN_MODEL", m),
        None => cmd.env_remove("POCKETGAN_MODEL"),
    };
    // Test runs set these for the host build; the board build has its own.
    for var in ["CARGO_TARGET_DIR", "RUSTFLAGS", "CARGO_BUILD_TARGET"] {
        cmd.env_remove(var);
    }
    let out = cmd.output().map_err(|e| format!("cannot run boards/build: {e}"))?;
    if !out.status.success() {
        return Err(format!("boards/build {board} failed:\n{}", String::from_utf8_lossy(&out.stderr)));
    }
    let target = match target {
        Some(t) => t.to_owned(),
        None => board_target(board)?,
    };
    let elf = root.join("boards/target").join(&target).join("release").join(format!("pocketgan-board-{board}"));
    let copy = out_dir.join(format!("pocketgan-board-{board}-{target}.elf"));
    std::fs::copy(&elf, &copy).map_err(|e| format!("cannot copy {}: {e}", elf.display()))?;
    Ok(copy)
}

/// The target triple in `boards/BOARD/.cargo/config.toml`.
pub fn board_target(board: &str) -> Result<String, String> {
    let config = repo_root().join("boards").join(board).join(".cargo/config.toml");
    let text = std::fs::read_to_string(&config).map_err(|e| format!("{}: {e}", config.display()))?;
    text.lines()
        .find_map(|l| l.strip_prefix("target = \"").and_then(|r| r.strip_suffix('"')))
        .map(str::to_owned)
        .ok_or_else(|| format!("{} names no target", config.display()))
}

/// What one run of the emulated board left behind.
#[derive(Debug)]
pub struct EmulatorRun {
    /// QEMU's exit status (the firmware's).
    pub status: Option<i32>,
    /// The decoded defmt log.
    pub log: String,
    /// Every frame the board presented, in order.
    pub frames: Vec<Vec<u8>>,
}

/// Runs the emulated board's `elf` on `script` (see
/// `boards/emulated/src/script.rs`) in `work_dir`.
pub fn run_emulated(elf: &Path, script: &str, work_dir: &Path) -> Result<EmulatorRun, String> {
    std::fs::create_dir_all(work_dir).map_err(|e| e.to_string())?;
    std::fs::write(work_dir.join("pocketgan-input.txt"), script).map_err(|e| e.to_string())?;
    let runner = repo_root().join("boards/emulated/run-qemu");
    // A hung emulator must fail the test, not the CI job's time limit.
    let out = Command::new("timeout")
        .arg("300")
        .arg(&runner)
        .arg(elf)
        .current_dir(work_dir)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", runner.display()))?;
    let log = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let mut names: Vec<_> = std::fs::read_dir(work_dir)
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|n| n.starts_with("frame-") && n.ends_with(".fb"))
        .collect();
    names.sort();
    let frames = names.iter().map(|n| std::fs::read(work_dir.join(n)).map_err(|e| e.to_string())).collect::<Result<_, _>>()?;
    Ok(EmulatorRun { status: out.status.code(), log, frames })
}

/// The model a board builds in without `POCKETGAN_MODEL`: the one its
/// `.cargo/config.toml` names (`POCKETGAN_MODEL = { value = "…", relative =
/// true }`), else the committed default generator.
pub fn board_default_model(board: &str) -> PathBuf {
    let dir = repo_root().join("boards").join(board);
    let config = std::fs::read_to_string(dir.join(".cargo/config.toml")).unwrap_or_default();
    config
        .lines()
        .find(|l| l.trim_start().starts_with("POCKETGAN_MODEL"))
        .and_then(|l| l.split('"').nth(1))
        .map(|rel| dir.join(rel))
        .unwrap_or_else(|| repo_root().join("models/dcgan-digits.pgan"))
}

/// Makes a script's `image FILE` lines readable by the board, which reads
/// only binary PGM/PPM at the model's input size: each FILE (relative to
/// `script_dir`) is loaded as `pocketgan translate` loads its inputs
/// (resized with a note, gray or RGB as the model takes), written to
/// `work_dir` as `image-K.pgm` (or `.ppm`), and the line renamed to it.
/// Likewise each `listen FILE` (a WAV of any rate and channel count, read
/// as `pocketgan sample --audio` reads it) becomes `recording-K.pcm`, the
/// board's raw 16-bit 8 kHz mono samples. Returns the new script and the notes.
pub fn prepare_images(script: &str, model_file: &[u8], script_dir: &Path, work_dir: &Path) -> Result<(String, Vec<String>), String> {
    let mut out = String::with_capacity(script.len());
    let mut notes = Vec::new();
    let mut count = 0;
    let model = pocketgan_shared::Model::parse(model_file).map_err(|e| format!("the model: {e}"));
    for (number, line) in script.lines().enumerate() {
        let words = line.split('#').next().unwrap_or("").trim();
        if let Some(file) = words.strip_prefix("listen ") {
            // A recording: any WAV to the board's raw 8 kHz mono samples.
            let path = script_dir.join(file.trim());
            let audio = pocketgan_host_trainer::data::wav::load_wav(&path).map_err(|e| format!("line {}: {e:#}", number + 1))?;
            notes.extend(audio.notes.iter().map(|n| format!("{}: {n}", file.trim())));
            std::fs::create_dir_all(work_dir).map_err(|e| e.to_string())?;
            let name = format!("recording-{count}.pcm");
            let bytes: Vec<u8> = audio.samples.iter().flat_map(|s| s.to_le_bytes()).collect();
            std::fs::write(work_dir.join(&name), bytes).map_err(|e| e.to_string())?;
            out.push_str(&format!("listen {name}   # {}\n", file.trim()));
            count += 1;
            continue;
        }
        let Some(file) = words.strip_prefix("image ") else {
            out.push_str(line);
            out.push('\n');
            continue;
        };
        // The model matters only to a script with images.
        let model = model.as_ref().map_err(String::clone)?;
        let shape = pocketgan_host_trainer::board::translate::input_shape(model).map_err(|e| format!("line {}: {e}", number + 1))?;
        let path = script_dir.join(file.trim());
        let (pixels, note) = pocketgan_host_trainer::board::translate::load_input(&path, shape).map_err(|e| format!("line {}: {e:#}", number + 1))?;
        notes.extend(note);
        std::fs::create_dir_all(work_dir).map_err(|e| e.to_string())?;
        let (magic, ext) = if shape.channels == 3 { ("P6", "ppm") } else { ("P5", "pgm") };
        let name = format!("image-{count}.{ext}");
        let mut bytes = format!("{magic}\n{} {}\n255\n", shape.width, shape.height).into_bytes();
        bytes.extend_from_slice(&pixels);
        std::fs::write(work_dir.join(&name), bytes).map_err(|e| e.to_string())?;
        out.push_str(&format!("image {name}   # {}\n", file.trim()));
        count += 1;
    }
    Ok((out, notes))
}

/// The `pocketgan` binary of this build, built if it is missing.
pub fn pocketgan_binary() -> Result<PathBuf, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    // target/<profile>/deps/<test> → target/<profile>/pocketgan
    let profile_dir = exe.parent().and_then(Path::parent).ok_or("unexpected test binary location")?;
    let bin = profile_dir.join("pocketgan");
    if !bin.exists() {
        let release = profile_dir.file_name().is_some_and(|n| n == "release");
        let mut cmd = Command::new(env!("CARGO"));
        cmd.current_dir(repo_root()).args(["build", "-p", "pocketgan-host-trainer", "--bin", "pocketgan"]);
        if release {
            cmd.arg("--release");
        }
        let status = cmd.status().map_err(|e| e.to_string())?;
        if !status.success() || !bin.exists() {
            return Err(format!("could not build {}", bin.display()));
        }
    }
    Ok(bin)
}

/// Whether `qemu-system-arm`, `defmt-print` and a way to build for the
/// board are present; the reason if not.
pub fn emulator_missing() -> Option<String> {
    let have = |cmd: &str| Command::new("sh").arg("-c").arg(format!("command -v {cmd}")).output().is_ok_and(|o| o.status.success());
    for (cmd, fix) in [
        ("qemu-system-arm", "apt-get install qemu-system-arm"),
        ("defmt-print", "cargo install defmt-print"),
        ("arm-none-eabi-size", "apt-get install gcc-arm-none-eabi"),
    ] {
        if !have(cmd) {
            return Some(format!("{cmd} is missing ({fix}); scripts/test installs it"));
        }
    }
    None
}

/// Flash and RAM of a firmware image, from `arm-none-eabi-size -A`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Footprint {
    /// Bytes stored in flash: vectors, boot loader, code, constants, and
    /// the initial values of `.data`.
    pub flash: u64,
    /// Bytes of RAM taken statically: `.data`, `.bss`, `.uninit` (the stack
    /// comes on top).
    pub ram: u64,
}

/// Measures `elf` with `arm-none-eabi-size -A` (the Berkeley format would
/// count `.data` under text).
pub fn footprint(elf: &Path) -> Result<Footprint, String> {
    let out = Command::new("arm-none-eabi-size").arg("-A").arg(elf).output().map_err(|e| format!("arm-none-eabi-size: {e}"))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let (mut flash, mut ram) = (0, 0);
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let mut words = line.split_whitespace();
        let (Some(name), Some(size)) = (words.next(), words.next().and_then(|s| s.parse::<u64>().ok())) else { continue };
        match name {
            // .boot2: the RP2040's boot loader; .start_block, .bi_entries,
            // .end_block: the RP2350's image definition and binary info.
            ".vector_table" | ".boot2" | ".start_block" | ".bi_entries" | ".end_block" | ".text" | ".rodata" => flash += size,
            ".data" => {
                flash += size;
                ram += size;
            }
            ".bss" | ".uninit" => ram += size,
            _ => {}
        }
    }
    Ok(Footprint { flash, ram })
}

/// The ticks (instructions, under `-icount shift=0`) of each image the
/// emulated board logged, in order: generated (`seed …`) or translated.
pub fn generation_ticks(log: &str) -> Vec<u64> {
    log.lines()
        .filter(|l| l.contains(" ms (") && (l.contains("seed ") || l.contains("translated: ")))
        .filter_map(|l| l.rsplit_once(" ms (")?.1.strip_suffix(" ticks)")?.parse().ok())
        .collect()
}

/// One layer of the emulated board's `bench-layers` run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LayerTicks {
    /// Instructions the reference kernel took.
    pub reference: u64,
    /// Instructions the optimized kernel took.
    pub optimized: u64,
    /// Whether the two kernels' outputs were identical.
    pub equal: bool,
}

/// The per-layer lines of a `bench-layers` log, in layer order.
pub fn layer_ticks(log: &str) -> Vec<LayerTicks> {
    log.lines()
        .filter_map(|l| {
            let rest = l.split_once("layer ")?.1.split_once(": reference ")?.1;
            let (reference, rest) = rest.split_once(" ticks, optimized ")?;
            let (optimized, outputs) = rest.split_once(" ticks, outputs ")?;
            Some(LayerTicks {
                reference: reference.parse().ok()?,
                optimized: optimized.parse().ok()?,
                equal: outputs.trim() == "equal",
            })
        })
        .collect()
}
