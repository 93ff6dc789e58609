//! Mode coverage on 2-D toy data. Samples within 3σ of a reference point
//! are high quality and count for that point's mode; a mode is covered when
//! at least [`MIN_PER_MODE`] of [`EVAL_SAMPLES`] samples land in it (the
//! PacGAN protocol: 20 of 2 500).

use crate::data::ToyData;
#[cfg(test)]
use crate::data::ToyDistribution;

/// Samples drawn for an evaluation.
pub const EVAL_SAMPLES: usize = 2500;
/// High-quality samples a mode needs to count as covered.
pub const MIN_PER_MODE: usize = 20;

/// The metrics of one evaluation.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct ModeReport {
    /// Modes with at least [`MIN_PER_MODE`] high-quality samples.
    pub modes_covered: usize,
    /// Modes of the distribution.
    pub modes_total: usize,
    /// Share of samples within 3σ of the distribution, 0–1.
    pub high_quality: f64,
    /// Mean distance of a sample to the nearest reference point.
    pub mean_distance: f64,
}

/// Scores `points` against `distribution` (scaled to [`EVAL_SAMPLES`]).
pub fn mode_coverage(distribution: &ToyData, points: &[[f32; 2]]) -> ModeReport {
    let reference = distribution.reference();
    let limit = 3.0 * distribution.sigma();
    let mut per_mode = vec![0usize; distribution.modes()];
    let (mut good, mut distance_sum) = (0usize, 0f64);
    for p in points {
        let (d2, mode) = reference
            .iter()
            .map(|(r, m)| ((p[0] - r[0]).powi(2) + (p[1] - r[1]).powi(2), *m))
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .expect("a distribution has reference points");
        let d = if d2.is_finite() { d2.sqrt() } else { f32::INFINITY };
        distance_sum += d.min(1e6) as f64;
        if d <= limit {
            good += 1;
            per_mode[mode] += 1;
        }
    }
    let n = points.len().max(1);
    let needed = (MIN_PER_MODE * n).div_ceil(EVAL_SAMPLES).max(1);
    ModeReport {
        modes_covered: per_mode.iter().filter(|&&c| c >= needed).count(),
        modes_total: distribution.modes(),
        high_quality: good as f64 / n as f64,
        mean_distance: distance_sum / n as f64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_samples_cover_every_mode() {
        for d in ToyDistribution::ALL {
            let r = mode_coverage(&d.into(), &d.sample(EVAL_SAMPLES, 1));
            assert_eq!(r.modes_covered, r.modes_total, "{d}: {r:?}");
            assert!(r.high_quality > 0.97, "{d}: {r:?}");
        }
    }

    #[test]
    fn a_collapsed_generator_covers_one_mode() {
        let d: ToyData = ToyDistribution::Ring.into();
        let r = mode_coverage(&d, &[[2.0, 0.0]; EVAL_SAMPLES]);
        assert_eq!((r.modes_covered, r.high_quality), (1, 1.0));
        let r = mode_coverage(&d, &[[0.0, 0.0]; EVAL_SAMPLES]);
        assert_eq!((r.modes_covered, r.high_quality), (0, 0.0));
        assert!((r.mean_distance - 2.0).abs() < 1e-6);
        let r = mode_coverage(&d, &[[f32::NAN, 0.0]; 10]);
        assert_eq!(r.modes_covered, 0);
    }
}
