//! A training run's folder: what it holds and where.
//!
//! ```text
//! RUN/config.toml         the resolved training configuration
//! RUN/generator.json      the generator's architecture (to rebuild it for export)
//! RUN/checkpoint/         the last checkpoint: generator.bpk, discriminator.bpk,
//!                         optimizer-g.bin, optimizer-d.bin, state.json
//! RUN/samples/step-N.png  sample grids from fixed latents (seeds 0..63)
//! RUN/losses.csv          step, discriminator loss, generator loss
//! ```

use crate::nets::{Generator, GeneratorConfig};
use anyhow::{Context, Result, bail};
use burn::config::Config;
use burn::module::Module;
use burn::tensor::Device;
use std::path::{Path, PathBuf};

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

    /// Loads the trained generator (for export and sampling in float).
    pub fn load_generator(&self, device: &Device) -> Result<(Generator, GeneratorConfig, CheckpointState)> {
        if !self.root.is_dir() {
            bail!("{} is not a run folder (train one with `pocketgan train --run {}`)", self.root.display(), self.root.display());
        }
        let config = GeneratorConfig::load(self.generator_config()).map_err(|e| {
            anyhow::anyhow!(
                "{} is missing or unreadable ({e}): is {} a pocketgan run folder?",
                self.generator_config().display(),
                self.root.display()
            )
        })?;
        let dir = self.checkpoint();
        let dir = if dir.join("state.json").exists() { dir } else { self.root.join("checkpoint.old") };
        let state_path = dir.join("state.json");
        let state: CheckpointState = serde_json::from_str(
            &std::fs::read_to_string(&state_path)
                .with_context(|| format!("{} has no checkpoint yet (no {})", self.root.display(), state_path.display()))?,
        )
        .with_context(|| format!("{} is corrupt", state_path.display()))?;
        let generator = config
            .init(device)?
            .try_load_file(dir.join("generator.bpk"))
            .map_err(|e| anyhow::anyhow!("cannot load {}: {e:?}", dir.join("generator.bpk").display()))?;
        Ok((generator, config, state))
    }
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
