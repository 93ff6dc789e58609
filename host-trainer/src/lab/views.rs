//! What the lab's page draws for one toy GAN: generated points and where
//! the generator's loss pushes them, the discriminator's field, the latent
//! grid as the generator warps it, and the metrics.
//!
//! Everything here reads the networks without drawing random numbers, so
//! watching a run never changes it (a replay gives the same networks).

use super::int8::Int8Generator;
use crate::data::ToyData;
use crate::metrics::modes::{EVAL_SAMPLES, mode_coverage};
use crate::training::step::LatentDistribution;
use crate::training::toy::{EVAL_SEED, ToyTrainer, field_grid, field_is_probability, fixed_latents, points};
use anyhow::Result;
use burn::module::Module;
use burn::tensor::{Device, Tensor, TensorData};

/// Generated points drawn (the first of the evaluation points).
pub const SHOWN: usize = 400;
/// Field cells per side.
pub const FIELD_CELLS: usize = 32;
/// Latent grid points per side of the manifold view.
pub const MANIFOLD_SIDE: usize = 15;
/// Histogram bins per side for the divergence estimates.
pub const DIVERGENCE_BINS: usize = 20;
/// Seed of the real points the page draws and the divergences compare with.
pub const REAL_SEED: u32 = 4242;

/// The numbers of one moment of a run; a row of the metric history.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Metrics {
    /// Steps done.
    pub step: usize,
    /// The critic's last loss (NaN before the first update; null in JSON).
    #[serde(with = "nan_as_null")]
    pub d_loss: f32,
    /// The generator's last loss.
    #[serde(with = "nan_as_null")]
    pub g_loss: f32,
    /// Modes with enough high-quality samples (see [`crate::metrics::modes`]).
    pub modes_covered: usize,
    /// Modes of the data.
    pub modes_total: usize,
    /// Share of generated points within 3σ of the data.
    pub high_quality: f64,
    /// Mean distance of a generated point to the data.
    pub mean_distance: f64,
    /// KL(real ‖ generated), estimated on a grid of bins.
    pub kl: f64,
    /// Jensen–Shannon divergence (natural log, at most ln 2), on the same grid.
    pub js: f64,
}

/// JSON has no NaN: a NaN loss (none yet) is written as null and read back.
pub mod nan_as_null {
    /// Writes NaN as null.
    pub fn serialize<S: serde::Serializer>(v: &f32, s: S) -> Result<S::Ok, S::Error> {
        if v.is_finite() { s.serialize_some(v) } else { s.serialize_none() }
    }

    /// Reads null as NaN.
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<f32, D::Error> {
        Ok(<Option<f32> as serde::Deserialize>::deserialize(d)?.unwrap_or(f32::NAN))
    }
}

/// The discriminator's output on a grid over the view, row 0 at the top.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Field {
    /// Cells per side.
    pub cells: usize,
    /// Values, row-major.
    pub values: Vec<f32>,
    /// Whether the values are probabilities of "real" (log-loss objectives)
    /// or raw critic scores (Wasserstein and hinge).
    pub probability: bool,
}

/// A grid of latents as the generator maps it: `rows × cols` points.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Manifold {
    /// Grid rows (1 for a one-dimensional latent).
    pub rows: usize,
    /// Grid columns.
    pub cols: usize,
    /// The mapped points, row-major.
    pub points: Vec<[f32; 2]>,
}

/// The int8 model's points beside the float ones.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Int8View {
    /// The board's points for the drawn latents.
    pub points: Vec<[f32; 2]>,
    /// Mean distance between a float point and its int8 twin, over all
    /// evaluation latents.
    pub mean_error: f64,
    /// Modes the int8 points cover.
    pub modes_covered: usize,
    /// Their high-quality share.
    pub high_quality: f64,
    /// Size of the model file.
    pub model_bytes: usize,
}

/// Everything the page draws for one GAN.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PaneView {
    /// The objective's name.
    pub objective: &'static str,
    /// The metrics now.
    pub metrics: Metrics,
    /// Generated points.
    pub fake: Vec<[f32; 2]>,
    /// For each generated point, the direction the generator's loss moves
    /// it (minus its gradient with respect to the point).
    pub arrows: Vec<[f32; 2]>,
    /// The discriminator's field.
    pub field: Field,
    /// The generator's manifold.
    pub manifold: Manifold,
    /// The int8 view, when asked for.
    pub int8: Option<Int8View>,
    /// Why the int8 view could not be made (a diverged generator, say).
    pub int8_problem: Option<String>,
}

/// The evaluation latents of a run (host-made, the same on any device).
fn eval_latents(trainer: &ToyTrainer, device: &Device) -> Tensor<2> {
    fixed_latents(EVAL_SAMPLES, trainer.config.latent_dim, trainer.config.latent, EVAL_SEED, device)
}

/// The real points the divergences compare with.
pub fn real_points(data: &ToyData) -> Vec<[f32; 2]> {
    data.sample(EVAL_SAMPLES, REAL_SEED)
}

/// Histogram shares of `points` over the view, lightly smoothed so that
/// every bin is positive.
fn shares(points: &[[f32; 2]], extent: f32) -> Vec<f64> {
    let b = DIVERGENCE_BINS;
    let mut counts = vec![0.01f64; b * b];
    let bin = |v: f32| (((v / extent + 1.0) / 2.0 * b as f32).floor().max(0.0) as usize).min(b - 1);
    for p in points.iter().filter(|p| p[0].is_finite() && p[1].is_finite()) {
        counts[bin(p[1]) * b + bin(p[0])] += 1.0;
    }
    let total: f64 = counts.iter().sum();
    counts.iter().map(|c| c / total).collect()
}

fn kl(p: &[f64], q: &[f64]) -> f64 {
    p.iter().zip(q).map(|(a, b)| a * (a / b).ln()).sum::<f64>().max(0.0)
}

/// KL(real ‖ fake) and JS(real, fake) between histograms on a grid (GAN
/// Lab's estimate).
pub fn divergences(real: &[[f32; 2]], fake: &[[f32; 2]], extent: f32) -> (f64, f64) {
    let (p, q) = (shares(real, extent), shares(fake, extent));
    let m: Vec<f64> = p.iter().zip(&q).map(|(a, b)| (a + b) / 2.0).collect();
    (kl(&p, &q), (kl(&p, &m) + kl(&q, &m)) / 2.0)
}

/// The metrics of `trainer` now, and its evaluation points.
pub fn measure(trainer: &ToyTrainer, real: &[[f32; 2]]) -> (Metrics, Vec<[f32; 2]>) {
    let device = trainer.device().clone().inner();
    let fake = points(trainer.gan.sampling_generator().valid().forward(eval_latents(trainer, &device)));
    let report = mode_coverage(&trainer.data, &fake);
    let (kl, js) = divergences(real, &fake, trainer.data.extent());
    let metrics = Metrics {
        step: trainer.step,
        d_loss: trainer.losses.d_loss,
        g_loss: trainer.losses.g_loss,
        modes_covered: report.modes_covered,
        modes_total: report.modes_total,
        high_quality: report.high_quality,
        mean_distance: report.mean_distance,
        kl,
        js,
    };
    (metrics, fake)
}

/// Minus the gradient of the generator's loss with respect to each point.
fn arrows(trainer: &ToyTrainer, fake: &[[f32; 2]]) -> Vec<[f32; 2]> {
    let n = fake.len();
    let flat: Vec<f32> = fake.iter().flatten().copied().collect();
    let x = Tensor::<2>::from_data(TensorData::new(flat, [n, 2]), trainer.device()).require_grad();
    let objective = trainer.gan.settings.objective;
    // The loss is a mean: times n, each point's own gradient.
    let loss = objective.generator_loss(trainer.gan.critic.forward_points(x.clone())).mul_scalar(n as f32);
    let grads = loss.backward();
    match x.grad(&grads) {
        Some(g) => points(g.neg()),
        None => vec![[0.0, 0.0]; n],
    }
}

/// The critic's field over the view.
fn field(trainer: &ToyTrainer) -> Field {
    Field {
        cells: FIELD_CELLS,
        values: field_grid(&trainer.gan, trainer.data.extent(), FIELD_CELLS),
        probability: field_is_probability(trainer.gan.settings.objective),
    }
}

/// A grid over the first two latent dimensions (the rest zero), mapped.
fn manifold(trainer: &ToyTrainer, device: &Device) -> Manifold {
    let d = trainer.config.latent_dim;
    let reach = match trainer.config.latent {
        LatentDistribution::Normal => 2.0,
        LatentDistribution::Uniform => 1.0,
    };
    let s = MANIFOLD_SIDE;
    let rows = if d >= 2 { s } else { 1 };
    let at = |i: usize| (i as f32 / (s - 1) as f32 * 2.0 - 1.0) * reach;
    let mut z = vec![0f32; rows * s * d];
    for r in 0..rows {
        for c in 0..s {
            let row = &mut z[(r * s + c) * d..][..d];
            row[0] = at(c);
            if d >= 2 {
                row[1] = at(r);
            }
        }
    }
    let z = Tensor::<2>::from_data(TensorData::new(z, [rows * s, d]), device);
    Manifold { rows, cols: s, points: points(trainer.gan.sampling_generator().valid().forward(z)) }
}

fn int8_view(trainer: &ToyTrainer, fake: &[[f32; 2]], device: &Device) -> Result<Int8View> {
    let latents = eval_latents(trainer, device);
    let int8 = Int8Generator::quantize(&trainer.gan.sampling_generator(), trainer.data.extent(), latents.clone())?;
    let values = latents.into_data().try_to_vec::<f32>().expect("f32 latents");
    let board = int8.points(&values)?;
    let report = mode_coverage(&trainer.data, &board);
    let error = board.iter().zip(fake).map(|(a, b)| (((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)) as f64).sqrt()).sum::<f64>()
        / board.len().max(1) as f64;
    Ok(Int8View {
        points: board.into_iter().take(SHOWN).collect(),
        mean_error: error,
        modes_covered: report.modes_covered,
        high_quality: report.high_quality,
        model_bytes: int8.bytes().len(),
    })
}

/// The page's view of `trainer`; `real` from [`real_points`].
pub fn pane_view(trainer: &ToyTrainer, real: &[[f32; 2]], with_int8: bool) -> PaneView {
    let device = trainer.device().clone().inner();
    let (metrics, fake) = measure(trainer, real);
    let shown: Vec<[f32; 2]> = fake.iter().take(SHOWN).copied().collect();
    let (int8, int8_problem) = match with_int8.then(|| int8_view(trainer, &fake, &device)) {
        Some(Ok(view)) => (Some(view), None),
        Some(Err(e)) => (None, Some(format!("no int8 view: {e:#}"))),
        None => (None, None),
    };
    PaneView {
        objective: trainer.gan.settings.objective.name(),
        metrics,
        arrows: arrows(trainer, &shown),
        field: field(trainer),
        manifold: manifold(trainer, &device),
        int8,
        int8_problem,
        fake: shown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::ToyDistribution;

    #[test]
    fn divergences_are_zero_for_equal_sets_and_grow_apart() {
        let d = ToyDistribution::Ring;
        let real = d.sample(2000, 1);
        let (kl0, js0) = divergences(&real, &real, 3.0);
        assert!(kl0.abs() < 1e-12 && js0.abs() < 1e-12);
        let (kl1, js1) = divergences(&real, &d.sample(2000, 2), 3.0);
        let (kl2, js2) = divergences(&real, &[[0.0, 0.0]; 2000], 3.0);
        assert!(kl1 < kl2 && js1 < js2, "{kl1} {kl2} {js1} {js2}");
        assert!(js2 <= std::f64::consts::LN_2 + 1e-9 && js2 > 0.6, "{js2}");
    }
}
