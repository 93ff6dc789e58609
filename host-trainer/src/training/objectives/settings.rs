//! The hyperparameters of a GAN step, and each objective's paper values
//! for them.

use crate::training::objectives::{Objective, OptimizerKind};
use anyhow::Result;
use burn::optim::{AdamConfig, ModuleOptimizer, RmsPropConfig, SgdConfig};

/// The resolved hyperparameters of a step.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StepSettings {
    /// The objective.
    pub objective: Objective,
    /// Optimizer for both networks.
    pub optimizer: OptimizerKind,
    /// Learning rate of both networks.
    pub learning_rate: f64,
    /// Adam β1.
    pub beta1: f32,
    /// Adam β2.
    pub beta2: f32,
    /// Critic updates per generator update (the paper's k or n_critic).
    pub d_steps: usize,
    /// Weight clipping bound (WGAN).
    pub clip: Option<f32>,
    /// Gradient-penalty weight λ (WGAN-GP).
    pub gp_weight: Option<f32>,
}

impl StepSettings {
    /// The paper's settings for `objective`.
    pub fn paper(objective: Objective) -> Self {
        objective.paper_defaults().step
    }

    /// Refuses settings that cannot train.
    pub fn validate(&self) -> Result<()> {
        let ok = |x: f64| x.is_finite() && x > 0.0;
        if !ok(self.learning_rate) {
            anyhow::bail!("the learning rate (--lr) must be a positive number (got {})", self.learning_rate);
        }
        if !(0.0..1.0).contains(&self.beta1) || !(0.0..1.0).contains(&self.beta2) {
            anyhow::bail!("--beta1 and --beta2 must be in [0, 1) (got {}, {})", self.beta1, self.beta2);
        }
        if self.d_steps == 0 || self.d_steps > 100 {
            anyhow::bail!("critic steps per step (--d-steps) must be 1-100 (got {})", self.d_steps);
        }
        if let Some(c) = self.clip
            && !ok(c as f64)
        {
            anyhow::bail!("--clip must be a positive number (got {c})");
        }
        if let Some(l) = self.gp_weight
            && !(l.is_finite() && l >= 0.0)
        {
            anyhow::bail!("--gp-weight must be zero or positive (got {l})");
        }
        Ok(())
    }

    /// A fresh optimizer of this kind (for one network).
    pub fn optimizer(&self) -> ModuleOptimizer {
        match self.optimizer {
            OptimizerKind::Adam => AdamConfig::new().with_beta_1(self.beta1).with_beta_2(self.beta2).init(),
            OptimizerKind::Rmsprop => RmsPropConfig::new().with_momentum(0.0).with_alpha(0.99).with_epsilon(1e-8).init(),
            OptimizerKind::Sgd => SgdConfig::new().init(),
        }
    }
}

/// Refuses a generator learning rate (`--g-lr`) that cannot train.
pub fn check_generator_learning_rate(g_lr: f64) -> Result<()> {
    if !(g_lr.is_finite() && g_lr > 0.0) {
        anyhow::bail!("the generator's learning rate (--g-lr) must be a positive number (got {g_lr})");
    }
    Ok(())
}

/// The hyperparameters an objective's paper recommends.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PaperDefaults {
    /// Optimizer, learning rate, critic steps, clipping, penalty.
    pub step: StepSettings,
    /// Spectral normalization in the discriminator.
    pub spectral_norm: bool,
    /// Batch norm in the (image) discriminator.
    pub batch_norm: bool,
}

impl Objective {
    /// The settings of the objective's paper: DCGAN's Adam(2e-4, 0.5) for
    /// the original GAN; RMSProp 5e-5, clip 0.01, 5 critic steps for WGAN;
    /// Adam(1e-4, 0, 0.9), λ = 10, 5 critic steps, no batch norm for WGAN-GP;
    /// Adam(2e-4, 0.5, 0.999), one step, spectral norm for hinge (SNGAN's
    /// setting C); DCGAN's Adam(2e-4, 0.5) and batch norm for least squares
    /// (Mao et al. train their LSUN models so).
    pub fn paper_defaults(self) -> PaperDefaults {
        let dcgan = StepSettings {
            objective: self,
            optimizer: OptimizerKind::Adam,
            learning_rate: 2e-4,
            beta1: 0.5,
            beta2: 0.999,
            d_steps: 1,
            clip: None,
            gp_weight: None,
        };
        let (step, spectral_norm, batch_norm) = match self {
            Objective::Minimax | Objective::NonSaturating | Objective::LeastSquares => (dcgan, false, true),
            Objective::Wgan => (
                StepSettings { optimizer: OptimizerKind::Rmsprop, learning_rate: 5e-5, d_steps: 5, clip: Some(0.01), ..dcgan },
                false,
                true,
            ),
            Objective::WganGp => (
                StepSettings { learning_rate: 1e-4, beta1: 0.0, beta2: 0.9, d_steps: 5, gp_weight: Some(10.0), ..dcgan },
                false,
                false,
            ),
            Objective::Hinge => (dcgan, true, false),
        };
        PaperDefaults { step, spectral_norm, batch_norm }
    }
}
