//! `pocketgan npu MODEL --accelerator ethos-u55-128`: compile a model for an
//! Arm Ethos-U NPU with Vela and print Vela's performance estimate.

use crate::board::npu::{self, NPU_BOARDS, VelaEstimate, VelaTarget};
use crate::export::tflite;
use anyhow::{Context, Result, anyhow, bail};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct NpuArgs {
    /// The model: a `.tflite` (from `pocketgan export --tflite`) or a `.pgan`
    /// (converted first).
    model: PathBuf,
    /// Vela's accelerator configuration: ethos-u55-32/64/128/256,
    /// ethos-u65-256/512, ethos-u85-128/256/512/1024/2048.
    #[arg(long, default_value = "ethos-u55-128")]
    accelerator: String,
    /// Compile for a board's NPU and memory instead (grove-vision-ai-v2).
    #[arg(long, conflicts_with_all = ["accelerator", "config", "system_config", "memory_mode"])]
    board: Option<String>,
    /// A Vela configuration file (.ini) with system configurations and
    /// memory modes; needs --system-config and --memory-mode.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// System configuration (Vela's own: Ethos_U55_High_End_Embedded,
    /// Ethos_U55_Deep_Embedded, Ethos_U65_High_End, Ethos_U85_SYS_DRAM_Mid, …).
    #[arg(long)]
    system_config: Option<String>,
    /// Memory mode (Shared_Sram, Sram_Only, Dedicated_Sram, …).
    #[arg(long)]
    memory_mode: Option<String>,
    /// Where to write Vela's compiled model (default: MODEL_vela.tflite
    /// beside the model).
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// The vela program (default: $POCKETGAN_VELA, `vela` on PATH, or
    /// target/python from scripts/python-setup).
    #[arg(long, value_name = "PATH")]
    vela: Option<PathBuf>,
}

/// Runs `pocketgan npu`.
pub fn run(args: &NpuArgs) -> Result<()> {
    let bytes = std::fs::read(&args.model).with_context(|| format!("cannot read {}", args.model.display()))?;
    let tflite_file = if bytes.starts_with(&pocketgan_shared::format::MAGIC) {
        tflite::from_model_file(&bytes).map_err(|e| anyhow!("{}: {e:#}", args.model.display()))?
    } else if bytes.get(4..8) == Some(b"TFL3") {
        bytes
    } else {
        bail!("{} is neither a .tflite file nor a pocketgan model: export one with `pocketgan export RUN --tflite model.tflite`", args.model.display());
    };
    let stem = args.model.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "model".into());
    let output = args.output.clone().unwrap_or_else(|| args.model.with_file_name(format!("{stem}_vela.tflite")));
    let vela = npu::find_vela(args.vela.as_deref())?;
    let estimate = match &args.board {
        Some(id) => {
            let Some(board) = npu::npu_board(id) else {
                let known: Vec<_> = NPU_BOARDS.iter().map(|b| b.id).collect();
                bail!("unknown NPU board '{id}': choose one of {}", known.join(", "));
            };
            npu::compile_for_board(board, &vela, &tflite_file, &stem, Some(&output))?
        }
        None => {
            let target = VelaTarget {
                accelerator: args.accelerator.clone(),
                config: args.config.clone(),
                system_config: args.system_config.clone(),
                memory_mode: args.memory_mode.clone(),
            };
            npu::compile(&vela, &tflite_file, &stem, &target, Some(&output))?
        }
    };
    print_estimate(&estimate);
    println!("compiled model: {} (run it with TensorFlow Lite Micro and Arm's Ethos-U driver: docs/npu.md)", output.display());
    Ok(())
}

fn print_estimate(e: &VelaEstimate) {
    println!("Vela's estimate (static, not a measurement: nothing here runs on an NPU)\n");
    println!("{}", VelaEstimate::TABLE_HEADER);
    println!("{}", e.table_row());
    println!("\nVela counts {:.0} MACs (on Ethos-U55/U65 a stride-2 transposed convolution runs over a zero-stuffed input).", e.macs);
}
