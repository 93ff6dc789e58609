//! Ethos-U NPUs through Arm's Vela compiler: compile a `.tflite` for an
//! accelerator configuration and read Vela's performance estimate.
//!
//! Vela (PyPI `ethos-u-vela` 5.2.0) is a separate program; `scripts/python-setup`
//! installs it into `target/python`. Nothing here runs on an NPU: the
//! cycles and times are Vela's static estimate (see docs/npu.md).

use crate::files::write_atomic;
use anyhow::{Context, Result, anyhow, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The accelerator configurations Vela 5.2.0 accepts.
pub const ACCELERATORS: [&str; 11] = [
    "ethos-u55-32",
    "ethos-u55-64",
    "ethos-u55-128",
    "ethos-u55-256",
    "ethos-u65-256",
    "ethos-u65-512",
    "ethos-u85-128",
    "ethos-u85-256",
    "ethos-u85-512",
    "ethos-u85-1024",
    "ethos-u85-2048",
];

/// What to compile for.
#[derive(Debug, Clone, Default)]
pub struct VelaTarget {
    /// `--accelerator-config`.
    pub accelerator: String,
    /// A Vela `.ini` file with system and memory configurations (`--config`).
    pub config: Option<PathBuf>,
    /// `--system-config` (a name in the config file, or Vela's built-in ones).
    pub system_config: Option<String>,
    /// `--memory-mode`.
    pub memory_mode: Option<String>,
}

/// Vela's estimate for one compiled model.
#[derive(Debug, Clone, PartialEq)]
pub struct VelaEstimate {
    /// Accelerator as Vela names it (`Ethos_U55_128`).
    pub accelerator: String,
    /// System configuration used.
    pub system_config: String,
    /// Memory mode used.
    pub memory_mode: String,
    /// NPU clock, Hz.
    pub clock_hz: f64,
    /// Cycles the NPU computes.
    pub npu_cycles: f64,
    /// Total cycles, memory transfers included.
    pub total_cycles: f64,
    /// Seconds per inference at the clock.
    pub seconds: f64,
    /// SRAM used, KiB (tensor arena on the NPU's SRAM).
    pub sram_kib: f64,
    /// Flash used (on- and off-chip), KiB: weights and command stream.
    pub flash_kib: f64,
    /// DRAM used, KiB.
    pub dram_kib: f64,
    /// Operators Vela put on the NPU.
    pub npu_ops: u32,
    /// Operators left to the CPU (TFLite Micro's kernels).
    pub cpu_ops: u32,
    /// MACs Vela counts (a transposed convolution's inserted zeros included on U55/U65).
    pub macs: f64,
}

impl VelaEstimate {
    /// The estimate as a Markdown table row; see [`VelaEstimate::TABLE_HEADER`].
    pub fn table_row(&self) -> String {
        format!(
            "| {} | {} | {} | {:.0} MHz | {:.0} | {:.0} | {:.3} ms | {:.1} KiB | {:.1} KiB | {} | {} |",
            self.accelerator,
            self.system_config,
            self.memory_mode,
            self.clock_hz / 1e6,
            self.npu_cycles,
            self.total_cycles,
            self.seconds * 1e3,
            self.sram_kib,
            self.flash_kib + self.dram_kib,
            self.npu_ops,
            self.cpu_ops
        )
    }

    /// Column names for [`VelaEstimate::table_row`].
    pub const TABLE_HEADER: &'static str = "| accelerator | system config | memory mode | NPU clock | NPU cycles | total cycles | time (estimate) | SRAM | flash | ops on NPU | ops on CPU |\n|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|";
}

/// The `vela` program: `explicit`, else `$POCKETGAN_VELA`, else `vela` on
/// `PATH`, else the one `scripts/python-setup` installs (`target/python`,
/// found beside this executable or below the current folder).
pub fn find_vela(explicit: Option<&Path>) -> Result<PathBuf> {
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(p) = explicit {
        candidates.push(p.to_path_buf());
    } else {
        if let Some(p) = std::env::var_os("POCKETGAN_VELA") {
            candidates.push(PathBuf::from(p));
        }
        candidates.push(PathBuf::from("vela"));
        if let Ok(exe) = std::env::current_exe() {
            // target/release/pocketgan → target/python/bin/vela
            if let Some(target) = exe.parent().and_then(Path::parent) {
                candidates.push(target.join("python/bin/vela"));
            }
        }
        candidates.push(PathBuf::from("target/python/bin/vela"));
    }
    for c in &candidates {
        if Command::new(c).arg("--version").output().is_ok_and(|o| o.status.success()) {
            return Ok(c.clone());
        }
    }
    match explicit {
        Some(p) => bail!("{} does not run as Vela (`{} --version` failed)", p.display(), p.display()),
        None => bail!(
            "Arm's Vela compiler is not installed: run scripts/python-setup (it installs ethos-u-vela 5.2.0 into \
             target/python), or `pip install ethos-u-vela==5.2.0` and put `vela` on PATH, or pass --vela PATH"
        ),
    }
}

/// Compiles `tflite` (the file's bytes, named `name`) with Vela for
/// `target`, writes Vela's compiled model to `output` (atomically), and
/// returns its estimate.
pub fn compile(vela: &Path, tflite: &[u8], name: &str, target: &VelaTarget, output: Option<&Path>) -> Result<VelaEstimate> {
    if !ACCELERATORS.contains(&target.accelerator.as_str()) {
        bail!("unknown accelerator '{}': choose one of {}", target.accelerator, ACCELERATORS.join(", "));
    }
    if target.config.is_some() && (target.system_config.is_none() || target.memory_mode.is_none()) {
        bail!("a Vela --config file needs both --system-config and --memory-mode (names of sections in that file)");
    }
    let work = tempfile::tempdir().context("cannot make a folder for Vela's output")?;
    let input = work.path().join(format!("{name}.tflite"));
    std::fs::write(&input, tflite).context("cannot write Vela's input")?;
    let out_dir = work.path().join("out");
    let mut cmd = Command::new(vela);
    cmd.arg(&input).arg("--accelerator-config").arg(&target.accelerator).arg("--output-dir").arg(&out_dir);
    if let Some(config) = &target.config {
        let config = config.canonicalize().with_context(|| format!("cannot read the Vela config file {}", config.display()))?;
        cmd.arg("--config").arg(config);
    }
    if let Some(s) = &target.system_config {
        cmd.arg("--system-config").arg(s);
    }
    if let Some(m) = &target.memory_mode {
        cmd.arg("--memory-mode").arg(m);
    }
    let run = cmd.output().with_context(|| format!("cannot run {}", vela.display()))?;
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    if !run.status.success() {
        let tail: Vec<&str> = stderr.lines().chain(stdout.lines()).filter(|l| !l.trim().is_empty()).collect();
        let tail = tail[tail.len().saturating_sub(8)..].join("\n  ");
        bail!("Vela could not compile the model for {} ({}):\n  {tail}", target.accelerator, run.status);
    }
    let summary = std::fs::read_dir(&out_dir)
        .context("Vela wrote no output folder")?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.file_name().is_some_and(|n| n.to_string_lossy().contains("_summary_")))
        .ok_or_else(|| anyhow!("Vela wrote no summary CSV (its output: {})", stdout.trim()))?;
    let csv = std::fs::read_to_string(&summary).context("cannot read Vela's summary")?;
    let estimate = parse_estimate(&csv, &stdout)?;
    if let Some(output) = output {
        let compiled = std::fs::read(out_dir.join(format!("{name}_vela.tflite"))).context("Vela wrote no compiled model")?;
        write_atomic(output, &compiled)?;
    }
    Ok(estimate)
}

/// Reads Vela's summary CSV (one header row, one data row) and the
/// operator counts it prints (`NPU operators = 4 (100.0%)`), which the CSV
/// does not hold.
pub fn parse_estimate(csv: &str, stdout: &str) -> Result<VelaEstimate> {
    let mut lines = csv.lines();
    let (Some(header), Some(row)) = (lines.next(), lines.next()) else { bail!("Vela's summary CSV has no data row") };
    let columns: Vec<&str> = header.split(',').map(str::trim).collect();
    let values: Vec<&str> = row.split(',').map(str::trim).collect();
    let text = |name: &str| -> Result<String> {
        let i = columns.iter().position(|c| *c == name).ok_or_else(|| anyhow!("Vela's summary has no '{name}' column"))?;
        values.get(i).map(|v| v.to_string()).ok_or_else(|| anyhow!("Vela's summary row is short"))
    };
    let number = |name: &str| -> Result<f64> { text(name)?.parse().map_err(|_| anyhow!("Vela's '{name}' is not a number")) };
    let ops = |kind: &str| -> Result<u32> {
        let line = stdout
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{kind} operators")))
            .ok_or_else(|| anyhow!("Vela did not print its {kind} operator count"))?;
        line.split('=').nth(1).and_then(|v| v.split_whitespace().next()).and_then(|v| v.parse().ok()).ok_or_else(|| anyhow!("cannot read '{line}'"))
    };
    Ok(VelaEstimate {
        accelerator: text("accelerator_configuration")?,
        system_config: text("system_config")?,
        memory_mode: text("memory_mode")?,
        clock_hz: number("core_clock")?,
        npu_cycles: number("cycles_npu")?,
        total_cycles: number("cycles_total")?,
        seconds: number("inference_time")?,
        sram_kib: number("sram_memory_used")?,
        flash_kib: number("on_chip_flash_memory_used")? + number("off_chip_flash_memory_used")?,
        dram_kib: number("dram_memory_used")?,
        npu_ops: ops("NPU")?,
        cpu_ops: ops("CPU")?,
        macs: number("nn_macs")?,
    })
}

/// A board with an Ethos-U NPU that `pocketgan fit` knows: the Vela
/// configuration that describes it.
#[derive(Debug, Clone)]
pub struct NpuBoard {
    /// `--board` name.
    pub id: &'static str,
    /// Human name.
    pub name: &'static str,
    /// The NPU.
    pub accelerator: &'static str,
    /// A Vela `.ini` with one system configuration and one memory mode.
    pub vela_ini: &'static str,
    /// Its system configuration's name.
    pub system_config: &'static str,
    /// Its memory mode's name.
    pub memory_mode: &'static str,
    /// SRAM for the tensor arena, bytes.
    pub sram: u64,
    /// Flash for the model, bytes.
    pub flash: u64,
}

/// Seeed Studio's Grove Vision AI Module V2: Himax WiseEye2 HX6538, two
/// Cortex-M55 and an Ethos-U55 with 64 MACs at 400 MHz, 2 MB SRAM, 16 MB
/// QSPI flash. The Vela configuration is the one Seeed's deployment guides
/// give (flash at 1/64 of the NPU clock).
pub const GROVE_VISION_AI_V2: NpuBoard = NpuBoard {
    id: "grove-vision-ai-v2",
    name: "Seeed Grove Vision AI Module V2 (Himax WiseEye2 HX6538)",
    accelerator: "ethos-u55-64",
    vela_ini: "; Seeed Grove Vision AI V2 (Himax WE2): Ethos-U55-64 at 400 MHz, arena in SRAM, weights in QSPI flash\n\
[System_Config.Grove_Vision_AI_V2]\n\
core_clock=400e6\n\
axi0_port=Sram\n\
axi1_port=OffChipFlash\n\
Sram_clock_scale=1.0\n\
Sram_burst_length=32\n\
Sram_read_latency=16\n\
Sram_write_latency=16\n\
OffChipFlash_clock_scale=0.015625\n\
OffChipFlash_burst_length=32\n\
OffChipFlash_read_latency=64\n\
OffChipFlash_write_latency=64\n\
\n\
[Memory_Mode.Weights_In_Flash]\n\
const_mem_area=Axi1\n\
arena_mem_area=Axi0\n\
cache_mem_area=Axi0\n",
    system_config: "Grove_Vision_AI_V2",
    memory_mode: "Weights_In_Flash",
    sram: 2 * 1024 * 1024,
    flash: 16 * 1024 * 1024,
};

/// The NPU boards `pocketgan fit` knows.
pub const NPU_BOARDS: [NpuBoard; 1] = [GROVE_VISION_AI_V2];

/// Compiles `tflite` for `board`'s NPU and memories (its Vela
/// configuration written to a temporary file), writing the compiled model
/// to `output` if given, and returns Vela's estimate.
pub fn compile_for_board(board: &NpuBoard, vela: &Path, tflite: &[u8], name: &str, output: Option<&Path>) -> Result<VelaEstimate> {
    let dir = tempfile::tempdir().context("cannot make a folder for the board's Vela config")?;
    let ini = dir.path().join(format!("{}.ini", board.id));
    std::fs::write(&ini, board.vela_ini).context("cannot write the board's Vela config")?;
    let target = VelaTarget {
        accelerator: board.accelerator.to_string(),
        config: Some(ini),
        system_config: Some(board.system_config.to_string()),
        memory_mode: Some(board.memory_mode.to_string()),
    };
    compile(vela, tflite, name, &target, output)
}

/// The NPU board named `id`.
pub fn npu_board(id: &str) -> Option<&'static NpuBoard> {
    NPU_BOARDS.iter().find(|b| b.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = "experiment,network,accelerator_configuration,system_config,memory_mode,core_clock,inference_time,sram_memory_used,dram_memory_used,on_chip_flash_memory_used,off_chip_flash_memory_used,nn_macs,cycles_npu,cycles_total\n\
default,default,Ethos_U55_128,Ethos_U55_High_End_Embedded,Shared_Sram,500000000.0,0.000434868,37.984375,0.0,0.0,158.515625,6925072,98670,217434\n";
    const STDOUT: &str = "Network summary for default\nCPU operators = 0 (0.0%)\nNPU operators = 4 (100.0%)\n";

    #[test]
    fn reads_vela_s_summary() {
        let e = parse_estimate(CSV, STDOUT).unwrap();
        assert_eq!((e.npu_ops, e.cpu_ops), (4, 0));
        assert_eq!((e.npu_cycles, e.total_cycles, e.clock_hz), (98670.0, 217434.0, 5e8));
        assert!((e.flash_kib - 158.515625).abs() < 1e-9);
        assert!(e.table_row().contains("| 0.435 ms |"), "{}", e.table_row());
    }

    #[test]
    fn unreadable_summaries_are_errors() {
        assert!(parse_estimate("a,b\n", STDOUT).unwrap_err().to_string().contains("no data row"));
        assert!(parse_estimate(CSV, "nothing").unwrap_err().to_string().contains("operator count"));
        let no_column = CSV.replace("cycles_npu", "cycles_nope");
        assert!(parse_estimate(&no_column, STDOUT).unwrap_err().to_string().contains("cycles_npu"));
    }

    #[test]
    fn a_missing_vela_says_how_to_install_it() {
        let e = find_vela(Some(Path::new("/nonexistent/vela"))).unwrap_err().to_string();
        assert!(e.contains("/nonexistent/vela"), "{e}");
    }
}
