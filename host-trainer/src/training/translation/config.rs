//! What a translator training run is told: every hyperparameter, saved
//! resolved as the run folder's `config.toml`. The defaults are the
//! papers' (pix2pix: Adam 2e-4, β 0.5, λ_L1 = 100; CycleGAN: the same Adam,
//! λ_cycle = 10, identity 0.5·λ, a pool of 50 fakes), each overridable.

use crate::data::translation::TranslationData;
use crate::training::run_dir::RunDir;
use anyhow::{Context, Result, bail};

/// How a translator learns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// Isola et al. 2017: paired examples; a conditional GAN (the
    /// discriminator sees input beside output) plus L1 to the target.
    Pix2pix,
    /// Zhu et al. 2017: two unpaired sets; a translator each way,
    /// least-squares GAN losses and cycle consistency.
    #[value(name = "cycle-gan")]
    CycleGan,
}

impl Method {
    /// The method a data set trains with unless told: pix2pix where there
    /// are pairs, CycleGAN where there are none.
    pub fn for_data(data: &TranslationData) -> Method {
        if data.paired() { Method::Pix2pix } else { Method::CycleGan }
    }

    /// The name the command line and config files use.
    pub fn name(self) -> &'static str {
        match self {
            Method::Pix2pix => "pix2pix",
            Method::CycleGan => "cycle-gan",
        }
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Every translator hyperparameter; saved, resolved, as `config.toml`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TranslatorConfig {
    /// A (the input) and B (the output).
    pub data: TranslationData,
    /// pix2pix or CycleGAN (default: pix2pix for paired data, CycleGAN otherwise).
    pub method: Option<Method>,
    /// Training steps (one discriminator and one generator update each).
    pub steps: usize,
    /// Images (pairs, or A and B images each) per batch.
    pub batch_size: usize,
    /// Adam's learning rate, both networks.
    pub learning_rate: f64,
    /// Adam β1.
    pub beta1: f32,
    /// Adam β2.
    pub beta2: f32,
    /// pix2pix: weight of the L1 distance to the target (the paper's λ).
    pub l1_weight: f32,
    /// CycleGAN: weight of each cycle's L1 reconstruction (the paper's λ).
    pub cycle_weight: f32,
    /// CycleGAN: weight of the identity terms, as a fraction of `cycle_weight`.
    pub identity_weight: f32,
    /// CycleGAN: past fakes each discriminator also judges (0: only this batch's).
    pub pool_size: usize,
    /// The U-Net's channels after its first encoder stage.
    pub generator_channels: usize,
    /// The U-Net's encoder stages.
    pub depth: usize,
    /// The PatchGAN's first convolution's channels.
    pub discriminator_channels: usize,
    /// Seed of weights, batch order and the image pool.
    pub seed: u64,
    /// Write a sample grid every this many steps (0: only at the end).
    pub sample_every: usize,
    /// Write a checkpoint every this many steps (0: only at the end).
    pub checkpoint_every: usize,
}

impl Default for TranslatorConfig {
    fn default() -> Self {
        TranslatorConfig {
            data: TranslationData::Skeletons,
            method: None,
            steps: 3000,
            batch_size: 32,
            learning_rate: 2e-4,
            beta1: 0.5,
            beta2: 0.999,
            l1_weight: 100.0,
            cycle_weight: 10.0,
            identity_weight: 0.5,
            pool_size: 50,
            generator_channels: 32,
            depth: 2,
            discriminator_channels: 32,
            seed: 1,
            sample_every: 250,
            checkpoint_every: 500,
        }
    }
}

impl TranslatorConfig {
    /// The method in use.
    pub fn method(&self) -> Method {
        self.method.unwrap_or_else(|| Method::for_data(&self.data))
    }

    /// The config with its method filled in.
    pub fn resolved(&self) -> TranslatorConfig {
        TranslatorConfig { method: Some(self.method()), ..self.clone() }
    }

    /// Refuses settings that cannot train, saying which flag to change.
    pub fn validate(&self) -> Result<()> {
        if self.steps == 0 || self.batch_size == 0 {
            bail!("--steps and --batch-size must be at least 1");
        }
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            bail!("--lr must be a positive number (got {})", self.learning_rate);
        }
        if !(0.0..1.0).contains(&self.beta1) || !(0.0..1.0).contains(&self.beta2) {
            bail!("--beta1 and --beta2 must lie in [0, 1) (got {} and {})", self.beta1, self.beta2);
        }
        for (flag, weight) in
            [("--l1-weight", self.l1_weight), ("--cycle-weight", self.cycle_weight), ("--identity-weight", self.identity_weight)]
        {
            if !(weight.is_finite() && weight >= 0.0) {
                bail!("{flag} must be zero or a positive number (got {weight})");
            }
        }
        if self.generator_channels == 0 || self.discriminator_channels == 0 {
            bail!("--generator-channels and --discriminator-channels must be at least 1");
        }
        match (self.method(), self.data.paired()) {
            (Method::Pix2pix, false) => bail!(
                "pix2pix learns from pairs, and {} has none: use --method cycle-gan (or pair your folders by file name)",
                self.data.short_name()
            ),
            (Method::CycleGan, _) if self.batch_size > 1 && self.pool_size > 0 && self.pool_size < self.batch_size => {
                bail!("--pool-size {} is smaller than a batch ({}): use 0 (no pool) or at least --batch-size", self.pool_size, self.batch_size)
            }
            _ => Ok(()),
        }
    }

    /// The run's config, as its `config.toml` holds it.
    pub fn read(run: &RunDir) -> Result<TranslatorConfig> {
        let text = std::fs::read_to_string(run.config())
            .with_context(|| format!("{} is not a run folder (no config.toml)", run.root.display()))?;
        toml::from_str(&text).map_err(|e| anyhow::anyhow!("{} is not a valid translator config: {e}", run.config().display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_method_follows_the_pairing_and_pix2pix_refuses_unpaired_data() {
        let printed = TranslatorConfig { data: TranslationData::PrintedDigits { seed: 1 }, ..Default::default() };
        assert_eq!(printed.method(), Method::CycleGan);
        assert_eq!(TranslatorConfig::default().method(), Method::Pix2pix);
        let forced = TranslatorConfig { method: Some(Method::Pix2pix), ..printed };
        let e = forced.validate().unwrap_err().to_string();
        assert!(e.contains("--method cycle-gan"), "{e}");
        // CycleGAN on paired data ignores the pairing, which is allowed.
        let cycle = TranslatorConfig { method: Some(Method::CycleGan), ..Default::default() };
        cycle.validate().unwrap();
    }

    #[test]
    fn a_config_round_trips_through_toml() {
        let c = TranslatorConfig { l1_weight: 50.0, ..Default::default() }.resolved();
        let back: TranslatorConfig = toml::from_str(&toml::to_string_pretty(&c).unwrap()).unwrap();
        assert_eq!(back, c);
    }
}
