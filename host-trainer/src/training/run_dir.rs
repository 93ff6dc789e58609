//! A training run's folder: what it holds and where.
//!
//! ```text
//! RUN/config.toml         the resolved training configuration
//! RUN/generator.json      the generator's architecture (to rebuild it for export)
//! RUN/checkpoint/         the last checkpoint: generator.bpk, discriminator.bpk,
//!                         optimizer-g.bin, optimizer-d.bin, state.json, and
//!                         generator-ema.bpk (the generator's average, --ema)
//! RUN/samples/step-N.png  sample grids from fixed latents (seeds 0..63)
//! RUN/losses.csv          step, discriminator loss, generator loss
//! RUN/losses.png, .svg    the loss curves (`pocketgan plot RUN` redraws them)
//! ```
//!
//! The random state needs no file of its own: training reseeds burn's
//! generator from (seed, step) before every step and the batch order is
//! replayed from the number of batches drawn, so (config, step,
//! batches drawn) is the whole state a resumed run needs.

use crate::nets::{Generator, GeneratorConfig};
use crate::files::write_atomic;
use anyhow::{Context, Result, bail};
use burn::module::Module;
use burn::tensor::Device;
use std::path::{Path, PathBuf};

/// The generator's average in a checkpoint (batch norm measured for it).
pub const AVERAGE_FILE: &str = "generator-ema.bpk";

/// Paths inside a run folder.
#[derive(Debug, Clone)]
pub struct RunDir {
    /// The folder.
    pub root: PathBuf,
}

/// What a checkpoint says about training progress.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct CheckpointState {
    /// Training steps completed.
    pub step: usize,
    /// Last discriminator loss.
    pub d_loss: f32,
    /// Last generator loss.
    pub g_loss: f32,
    /// Batches of real images drawn so far (absent in checkpoints written
    /// before resuming existed: those runs cannot be resumed exactly).
    #[serde(default)]
    pub batches_drawn: Option<u64>,
    /// Images in the data set when the checkpoint was written.
    #[serde(default)]
    pub images: Option<usize>,
}

impl RunDir {
    /// A run folder at `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        RunDir { root: root.into() }
    }

    /// `config.toml`.
    pub fn config(&self) -> PathBuf {
        self.root.join("config.toml")
    }
    /// `generator.json`.
    pub fn generator_config(&self) -> PathBuf {
        self.root.join("generator.json")
    }
    /// `translator.json`: present in translator runs
    /// (`pocketgan train-translator`) instead of `generator.json`.
    pub fn translator_config(&self) -> PathBuf {
        self.root.join("translator.json")
    }
    /// Whether this is a translator's run.
    pub fn is_translator(&self) -> bool {
        self.translator_config().exists()
    }
    /// The current checkpoint folder.
    pub fn checkpoint(&self) -> PathBuf {
        self.root.join("checkpoint")
    }
    /// The samples folder.
    pub fn samples(&self) -> PathBuf {
        self.root.join("samples")
    }
    /// `losses.csv`.
    pub fn losses(&self) -> PathBuf {
        self.root.join("losses.csv")
    }

    /// Loads the trained generator (for export and sampling in float): the
    /// generator's average when the run keeps one (`--ema`), else the generator.
    pub fn load_generator(&self, device: &Device) -> Result<(Generator, GeneratorConfig, CheckpointState)> {
        if !self.root.is_dir() {
            bail!("{} is not a run folder (train one with `pocketgan train --run {}`)", self.root.display(), self.root.display());
        }
        if self.is_translator() {
            bail!(
                "{} holds a translator, not a generator: `pocketgan export {}` turns it into a model, and `pocketgan translate` runs it",
                self.root.display(),
                self.root.display()
            );
        }
        let config = GeneratorConfig::read(&self.generator_config()).map_err(|e| {
            anyhow::anyhow!(
                "{} is missing or unreadable ({e}): is {} a pocketgan run folder?",
                self.generator_config().display(),
                self.root.display()
            )
        })?;
        let (dir, state) = self.checkpoint_state()?;
        let average = dir.join(AVERAGE_FILE);
        let file = if average.exists() { average } else { dir.join("generator.bpk") };
        let generator = load_module(config.init(device)?, &file)?;
        Ok((generator, config, state))
    }

    /// The folder holding the last complete checkpoint and its state.
    pub fn checkpoint_state(&self) -> Result<(PathBuf, CheckpointState)> {
        let dir = self.checkpoint();
        let dir = if dir.join("state.json").exists() { dir } else { self.root.join("checkpoint.old") };
        let state_path = dir.join("state.json");
        let text = std::fs::read_to_string(&state_path).with_context(|| {
            format!(
                "{} has no checkpoint yet (no {}): it stopped before its first --checkpoint-every interval",
                self.root.display(),
                state_path.display()
            )
        })?;
        let state = serde_json::from_str(&text).with_context(|| format!("{} is corrupt", state_path.display()))?;
        Ok((dir, state))
    }
}

/// Loads a checkpointed module into `module` (built from the run's config),
/// saying what to do when the file does not match the architecture.
pub fn load_module<M: Module>(module: M, path: &Path) -> Result<M> {
    module.try_load_file(path).map_err(|e| {
        anyhow::anyhow!(
            "cannot load {}: {e:?}. The checkpoint does not match the architecture in the run's config.toml / \
             generator.json: if they were edited, restore them, or start a new run",
            path.display()
        )
    })
}

/// Keeps the rows of `losses.csv` up to `step` (rows written after the
/// last checkpoint belong to steps a resumed run will do again).
pub fn truncate_losses(path: &Path, step: usize) -> Result<()> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut kept = String::with_capacity(text.len());
    let mut lines = text.lines();
    kept.push_str(lines.next().unwrap_or("step,d_loss,g_loss"));
    kept.push('\n');
    // Rows are written in step order, one per step; the first row that is
    // out of order, incomplete (a kill mid-write) or past `step` ends the file.
    for (expected, line) in (1..=step).zip(lines) {
        let fields: Vec<&str> = line.split(',').collect();
        if fields.len() != 3 || fields[0].parse::<usize>().ok() != Some(expected) {
            break;
        }
        kept.push_str(line);
        kept.push('\n');
    }
    write_atomic(path, kept.as_bytes())
}

/// Replaces the checkpoint folder atomically: the new one is written beside
/// it and renamed into place, so an interruption leaves the old one (or, for
/// an instant, `checkpoint.old`, which loading also accepts).
pub fn replace_checkpoint(run: &RunDir, write: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    let tmp = run.root.join("checkpoint.tmp");
    let old = run.root.join("checkpoint.old");
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp)?;
    write(&tmp)?;
    let current = run.checkpoint();
    if current.exists() {
        let _ = std::fs::remove_dir_all(&old);
        std::fs::rename(&current, &old)?;
    }
    std::fs::rename(&tmp, &current)?;
    let _ = std::fs::remove_dir_all(&old);
    Ok(())
}
