//! The stabilizing techniques any objective can use, images and toys
//! alike, each off unless asked for, each with its paper's setting as the
//! value a bare flag gives:
//!
//! | technique | flag | source, its setting |
//! |---|---|---|
//! | generator weight averaging | `--ema 0.999` | Yazıcı et al. 2019; Karras et al. 2018 (ProGAN: 0.999) |
//! | packing | `--pack 2` | Lin et al. 2018 (PacGAN2) |
//! | R1 / R2 penalty | `--r1 10`, `--r2 10` | Mescheder et al. 2018 (γ = 10) |
//! | differentiable augmentation | `--augment translation,cutout,brightness` | Zhao et al. 2020 (DiffAugment: ⅛ shifts, ½ cutout, ±0.5 brightness) |
//! | minibatch standard deviation | `--minibatch-std` | Karras et al. 2018 (groups of 4, one feature) |
//!
//! The least-squares objective and the generator's own learning rate are
//! an [`Objective`](super::objectives::Objective) and a config field, not
//! techniques here.

use anyhow::{Result, bail};

/// One of DiffAugment's differentiable augmentations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Augmentation {
    /// Shift by up to ⅛ of the side, zero padding.
    Translation,
    /// Zero a square of half the side at a random place.
    Cutout,
    /// Add a per-image offset in [−0.5, 0.5).
    Brightness,
}

/// The techniques of one run, resolved (see the module table).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Techniques {
    /// Decay of the generator's exponential moving average; `None`: no average.
    pub ema: Option<f32>,
    /// Samples the critic sees as one (1: no packing).
    pub pack: usize,
    /// γ of the R1 penalty `γ/2 · E‖∇D(x_real)‖²`.
    pub r1_gamma: Option<f32>,
    /// γ of the R2 penalty `γ/2 · E‖∇D(x_fake)‖²`.
    pub r2_gamma: Option<f32>,
    /// Augmentations applied to every sample the critic sees, real and fake.
    pub augment: Vec<Augmentation>,
    /// A minibatch standard-deviation feature before the critic's last layer.
    pub minibatch_std: bool,
}

impl Default for Techniques {
    fn default() -> Self {
        Techniques { ema: None, pack: 1, r1_gamma: None, r2_gamma: None, augment: Vec::new(), minibatch_std: false }
    }
}

impl Techniques {
    /// Most samples that may be packed into one.
    pub const MAX_PACK: usize = 16;

    /// The recipe `pocketgan compare` recommends and the defaults use:
    /// PacGAN2's packing and a 0.999 generator average (see docs/objectives.md).
    pub fn recommended() -> Techniques {
        Techniques { ema: Some(0.999), pack: 2, ..Techniques::default() }
    }

    /// The techniques in a few words ("pack 2 + EMA 0.999"), "none" for none.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        if self.pack() > 1 {
            parts.push(format!("pack {}", self.pack()));
        }
        if let Some(d) = self.ema {
            parts.push(format!("EMA {d}"));
        }
        if self.minibatch_std {
            parts.push("minibatch std".into());
        }
        if let Some(g) = self.r1_gamma {
            parts.push(format!("R1 γ {g}"));
        }
        if let Some(g) = self.r2_gamma {
            parts.push(format!("R2 γ {g}"));
        }
        if !self.augment.is_empty() {
            let names: Vec<String> = self.augment.iter().map(|a| format!("{a:?}").to_lowercase()).collect();
            parts.push(format!("DiffAugment ({})", names.join(", ")));
        }
        if parts.is_empty() { "none".into() } else { parts.join(" + ") }
    }

    /// The packing factor, at least 1.
    pub fn pack(&self) -> usize {
        self.pack.max(1)
    }

    /// Whether any penalty needs the critic's input gradient.
    pub fn needs_input_gradient(&self) -> bool {
        self.r1_gamma.is_some_and(|g| g > 0.0) || self.r2_gamma.is_some_and(|g| g > 0.0)
    }

    /// Refuses settings that cannot train, for a batch of `batch_size`.
    pub fn validate(&self, batch_size: usize) -> Result<()> {
        if let Some(d) = self.ema
            && !(d.is_finite() && d > 0.0 && d < 1.0)
        {
            bail!("--ema is the average's decay per step and must be in (0, 1), e.g. 0.999 (got {d})");
        }
        let pack = self.pack();
        if self.pack == 0 || pack > Self::MAX_PACK {
            bail!("--pack must be 1-{} (got {})", Self::MAX_PACK, self.pack);
        }
        if batch_size % pack != 0 {
            bail!("the batch size ({batch_size}) must be a multiple of --pack ({pack}): the critic sees groups of {pack}");
        }
        for (flag, gamma) in [("--r1", self.r1_gamma), ("--r2", self.r2_gamma)] {
            if let Some(g) = gamma
                && !(g.is_finite() && g >= 0.0)
            {
                bail!("{flag} is a penalty weight γ and must be zero or positive (got {g})");
            }
        }
        Ok(())
    }
}

/// The technique flags `pocketgan train` and `pocketgan toy` share.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct TechniqueArgs {
    /// Average the generator's weights with this decay per step (EMA); the
    /// average is what sampling and export use. The usual value is 0.999; 0 turns it off
    /// [default: 0.999 for toys and the lab, 0.995 for images (their 4 000-step budget), off with --preset paper].
    #[arg(long)]
    pub ema: Option<f32>,
    /// Let the critic judge this many samples at once (PacGAN; 2 is the paper's PacGAN2; 1 turns it off)
    /// [default: 2; 1 for conditional images and with --preset paper].
    #[arg(long)]
    pub pack: Option<usize>,
    /// R1 penalty weight γ on real samples (Mescheder et al.: 10; 0 turns it off)
    /// [default: 10 for the recommended non-saturating image GAN, off otherwise].
    #[arg(long)]
    pub r1: Option<f32>,
    /// R2 penalty weight γ on generated samples (0 turns it off).
    #[arg(long)]
    pub r2: Option<f32>,
    /// Differentiable augmentations of everything the critic sees (images only),
    /// comma-separated: translation, cutout, brightness.
    #[arg(long, value_enum, value_delimiter = ',')]
    pub augment: Option<Vec<Augmentation>>,
    /// Give the critic a minibatch standard-deviation feature (groups of 4).
    #[arg(long)]
    pub minibatch_std: bool,
}

impl TechniqueArgs {
    /// `techniques` with every given flag applied.
    pub fn apply(&self, mut techniques: Techniques) -> Techniques {
        if let Some(d) = self.ema {
            techniques.ema = (d != 0.0).then_some(d);
        }
        if let Some(p) = self.pack {
            techniques.pack = p;
        }
        if let Some(g) = self.r1 {
            techniques.r1_gamma = (g != 0.0).then_some(g);
        }
        if let Some(g) = self.r2 {
            techniques.r2_gamma = (g != 0.0).then_some(g);
        }
        if let Some(a) = &self.augment {
            techniques.augment = a.clone();
        }
        techniques.minibatch_std |= self.minibatch_std;
        techniques
    }

    /// The flags given (for `--resume`, which cannot change them).
    pub fn given(&self) -> Vec<&'static str> {
        [
            ("--ema", self.ema.is_some()),
            ("--pack", self.pack.is_some()),
            ("--r1", self.r1.is_some()),
            ("--r2", self.r2.is_some()),
            ("--augment", self.augment.is_some()),
            ("--minibatch-std", self.minibatch_std),
        ]
        .into_iter()
        .filter(|(_, g)| *g)
        .map(|(n, _)| n)
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_names_the_flag() {
        let bad = |t: Techniques, batch: usize, flag: &str| {
            let e = t.validate(batch).unwrap_err().to_string();
            assert!(e.contains(flag), "{e}");
        };
        bad(Techniques { ema: Some(1.0), ..Default::default() }, 64, "--ema");
        bad(Techniques { pack: 3, ..Default::default() }, 64, "--pack");
        bad(Techniques { pack: 17, ..Default::default() }, 64, "--pack");
        bad(Techniques { r1_gamma: Some(-1.0), ..Default::default() }, 64, "--r1");
        bad(Techniques { r2_gamma: Some(f32::NAN), ..Default::default() }, 64, "--r2");
        assert!(Techniques { ema: Some(0.999), pack: 4, r1_gamma: Some(10.0), ..Default::default() }.validate(64).is_ok());
    }
}
