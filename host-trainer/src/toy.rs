//! Training on 2-D toy distributions (GAN Lab's setting): MLP generator and
//! critic, any objective, mode metrics as training goes, and pictures of
//! real vs generated samples over the discriminator's field.
//!
//! ```text
//! RUN/toy.toml             the resolved configuration
//! RUN/metrics.csv          step, d_loss, g_loss, modes covered, high-quality share,
//!                          mean distance (one row per evaluation)
//! RUN/losses.png, .svg     the losses of those rows (`pocketgan plot RUN`)
//! RUN/samples/step-N.png   real (grey) and generated (orange) points over D's field
//! RUN/progress.png         five of those side by side, untrained to finished
//! RUN/generator.bpk        the final generator (critic.bpk beside it)
//! ```

use crate::data::ToyDistribution;
use crate::data::toy::normal_pair;
use crate::eval::modes::{EVAL_SAMPLES, ModeReport, mode_coverage};
use crate::gan_step::{GanStep, StepSettings};
use crate::nets::{MlpConfig, MlpCritic, MlpGenerator};
use crate::objectives::Objective;
use anyhow::{Context, Result, bail};
use burn::module::Module;
use burn::tensor::activation::sigmoid;
use burn::tensor::{Device, Tensor, TensorData};
use pocketgan_shared::LatentSampler;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

/// A toy run's hyperparameters; unset optimizer fields take the objective's
/// paper defaults.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ToyConfig {
    /// The distribution to learn.
    pub data: ToyDistribution,
    /// The objective.
    pub objective: Objective,
    /// Generator updates.
    pub steps: usize,
    /// Points per batch.
    pub batch_size: usize,
    /// Learning rate (default: the objective's).
    pub learning_rate: Option<f64>,
    /// Critic updates per generator update (default: the objective's).
    pub d_steps: Option<usize>,
    /// Latent size.
    pub latent_dim: usize,
    /// Hidden layers of both networks.
    pub layers: usize,
    /// Neurons per hidden layer.
    pub neurons: usize,
    /// Seed of weights, latents and data.
    pub seed: u64,
    /// Evaluate (and draw) every this many steps (0: only at the end).
    pub eval_every: usize,
}

impl Default for ToyConfig {
    fn default() -> Self {
        ToyConfig {
            data: ToyDistribution::Ring,
            objective: Objective::NonSaturating,
            steps: 2000,
            batch_size: 256,
            learning_rate: None,
            d_steps: None,
            latent_dim: 8,
            layers: 2,
            neurons: 128,
            seed: 1,
            eval_every: 250,
        }
    }
}

impl ToyConfig {
    /// Step settings: the objective's paper defaults with this config's overrides.
    pub fn step_settings(&self) -> StepSettings {
        let paper = StepSettings::paper(self.objective);
        StepSettings {
            learning_rate: self.learning_rate.unwrap_or(paper.learning_rate),
            d_steps: self.d_steps.unwrap_or(paper.d_steps),
            ..paper
        }
    }

    /// The network shapes.
    pub fn networks(&self) -> MlpConfig {
        MlpConfig::new()
            .with_latent_dim(self.latent_dim)
            .with_layers(self.layers)
            .with_neurons(self.neurons)
            .with_spectral_norm(self.objective.paper_defaults().spectral_norm)
    }

    /// The config with the defaults it resolved to written in.
    pub fn resolved(&self) -> ToyConfig {
        let s = self.step_settings();
        ToyConfig { learning_rate: Some(s.learning_rate), d_steps: Some(s.d_steps), ..self.clone() }
    }
}

/// The toy GAN.
pub type ToyGan = GanStep<MlpGenerator, MlpCritic, 2>;

/// Metrics at one point of training.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct ToySnapshot {
    /// Generator steps done.
    pub step: usize,
    /// Critic loss.
    pub d_loss: f32,
    /// Generator loss.
    pub g_loss: f32,
    /// Mode metrics of [`EVAL_SAMPLES`] generated points.
    pub modes: ModeReport,
}

/// A finished toy run.
pub struct ToyRun {
    /// The trained networks.
    pub gan: ToyGan,
    /// Snapshots at every evaluation, the untrained one (step 0) first.
    pub history: Vec<ToySnapshot>,
    /// Mean wall time per generator step.
    pub ms_per_step: f64,
}

/// Standard normal latents from a seed, on the host (the same for any device).
pub fn fixed_latents(n: usize, latent_dim: usize, seed: u32, device: &Device) -> Tensor<2> {
    let mut rng = LatentSampler::new(seed);
    // One normal per pair of uniforms (the pair's second is not used).
    let values: Vec<f32> = (0..n * latent_dim).map(|_| normal_pair(&mut rng).0 as f32).collect();
    Tensor::from_data(TensorData::new(values, [n, latent_dim]), device)
}

/// Points of a tensor `[n, 2]`.
pub fn points(t: Tensor<2>) -> Vec<[f32; 2]> {
    t.into_data().try_to_vec::<f32>().expect("points are f32").chunks_exact(2).map(|p| [p[0], p[1]]).collect()
}

/// The generator's points for the evaluation latents (seed 12345).
pub fn generated_points(generator: &MlpGenerator, n: usize, device: &Device) -> Vec<[f32; 2]> {
    points(generator.valid().forward(fixed_latents(n, generator.latent_dim, 12345, device)))
}

/// Mode metrics of a generator on `data`.
pub fn evaluate(generator: &MlpGenerator, data: ToyDistribution, device: &Device) -> ModeReport {
    mode_coverage(data, &generated_points(generator, EVAL_SAMPLES, device))
}

/// Trains a toy GAN; `on_eval` sees every snapshot and the networks then.
pub fn train_toy(config: &ToyConfig, device: &Device, mut on_eval: impl FnMut(&ToySnapshot, &ToyGan) -> Result<()>) -> Result<ToyRun> {
    let settings = config.step_settings();
    settings.validate()?;
    let nets = config.networks();
    nets.validate()?;
    if config.steps == 0 || config.batch_size == 0 {
        bail!("--steps and --batch-size must be at least 1");
    }
    let device = device.clone().autodiff();
    device.seed(config.seed);
    let mut gan = GanStep::new(nets.init_generator(&device), nets.init_critic(&device), settings);
    let mut history = Vec::new();
    let mut snapshot = |step, d_loss, g_loss, gan: &ToyGan, history: &mut Vec<ToySnapshot>| -> Result<()> {
        let s = ToySnapshot { step, d_loss, g_loss, modes: evaluate(&gan.generator, config.data, &device) };
        on_eval(&s, gan)?;
        history.push(s);
        Ok(())
    };
    snapshot(0, f32::NAN, f32::NAN, &gan, &mut history)?;
    let mut batch_seed = (config.seed as u32).wrapping_mul(0x9E37_79B9);
    let started = Instant::now();
    for step in 1..=config.steps {
        let losses = gan.step(|| {
            batch_seed = batch_seed.wrapping_add(1);
            let p: Vec<f32> = config.data.sample(config.batch_size, batch_seed).into_iter().flatten().collect();
            (Tensor::from_data(TensorData::new(p, [config.batch_size, 2]), &device), None)
        })?;
        if !losses.d_loss.is_finite() || !losses.g_loss.is_finite() {
            bail!(
                "training diverged at step {step} (D loss {}, G loss {}): try a lower learning rate",
                losses.d_loss,
                losses.g_loss
            );
        }
        if step == config.steps || (config.eval_every > 0 && step % config.eval_every == 0) {
            snapshot(step, losses.d_loss, losses.g_loss, &gan, &mut history)?;
        }
    }
    Ok(ToyRun { gan, history, ms_per_step: started.elapsed().as_secs_f64() * 1000.0 / config.steps as f64 })
}

/// Trains into a run folder: config, losses, metrics, pictures, weights.
pub fn train_into(config: &ToyConfig, run: &Path, device: &Device, show_progress: bool) -> Result<ToyRun> {
    if run.join("toy.toml").exists() {
        bail!("{} already holds a toy run: choose another --run folder (or delete that one)", run.display());
    }
    std::fs::create_dir_all(run.join("samples")).with_context(|| format!("cannot create {}", run.display()))?;
    std::fs::write(run.join("toy.toml"), toml::to_string_pretty(&config.resolved())?)?;
    let mut metrics = std::io::BufWriter::new(std::fs::File::create(run.join("metrics.csv"))?);
    writeln!(metrics, "step,d_loss,g_loss,modes_covered,modes_total,high_quality,mean_distance")?;
    let bar = if show_progress { indicatif::ProgressBar::new(config.steps as u64) } else { indicatif::ProgressBar::hidden() };
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} steps  ETA {eta}  {msg}")
            .expect("valid template"),
    );
    let mut pictures = Vec::new();
    let result = train_toy(config, device, |s, gan| {
        let m = s.modes;
        writeln!(metrics, "{},{},{},{},{},{:.4},{:.4}", s.step, s.d_loss, s.g_loss, m.modes_covered, m.modes_total, m.high_quality, m.mean_distance)?;
        let picture = run.join("samples").join(format!("step-{:06}.png", s.step));
        crate::toy_plot::save(&picture, config.data, gan)?;
        pictures.push(picture);
        bar.set_position(s.step as u64);
        bar.set_message(format!("modes {}/{}  high quality {:.0}%", m.modes_covered, m.modes_total, m.high_quality * 100.0));
        Ok(())
    });
    bar.finish();
    metrics.flush()?;
    let run_result = result?;
    crate::toy_plot::save_strip(&pictures, 5, &run.join("progress.png"))?;
    let io = |e| anyhow::anyhow!("cannot save the networks: {e:?}");
    run_result.gan.generator.clone().save_file(run.join("generator.bpk")).map_err(io)?;
    run_result.gan.critic.clone().save_file(run.join("critic.bpk")).map_err(io)?;
    Ok(run_result)
}

/// Loads a toy run's generator and config.
pub fn load(run: &Path, device: &Device) -> Result<(ToyConfig, MlpGenerator)> {
    let text = std::fs::read_to_string(run.join("toy.toml")).with_context(|| format!("{} is not a toy run (no toy.toml)", run.display()))?;
    let config: ToyConfig = toml::from_str(&text).with_context(|| format!("{}/toy.toml is corrupt", run.display()))?;
    let generator = config
        .networks()
        .init_generator(device)
        .try_load_file(run.join("generator.bpk"))
        .map_err(|e| anyhow::anyhow!("cannot load {}/generator.bpk ({e:?}): did the run finish?", run.display()))?;
    Ok((config, generator))
}

/// Sigmoid of the logits for the log-loss objectives, the raw critic value otherwise.
pub fn field_value(objective: Objective, logits: Tensor<2>) -> Tensor<2> {
    match objective {
        Objective::Minimax | Objective::NonSaturating => sigmoid(logits),
        _ => logits,
    }
}
