//! 2-D toy distributions, as in GAN Lab and the mode-collapse literature
//! (unrolled GAN, VEEGAN, PacGAN): samples, and the reference points that
//! say which mode a sample belongs to and whether it is "high quality".
//!
//! - `ring`: 8 Gaussians on a circle of radius 2, σ = 0.02 (unrolled GAN).
//! - `grid`: 25 Gaussians at {−4, −2, 0, 2, 4}², σ = 0.05 (VEEGAN, PacGAN).
//! - `spiral`: a two-turn spiral, σ = 0.05 around the curve; 10 arc segments count as modes.
//! - `moons`: two interleaved half circles (scaled ×2), σ = 0.05; 5 arc segments each.
//! - `line`: a segment from (−2, −1) to (2, 1), σ = 0.05; 10 segments count as modes.
//! - `gaussian`: one Gaussian at (1, 0.5), σ = 0.5 (GAN Lab's simplest case).
//! - a drawn distribution ([`DrawnPoints`]): points a user drew, σ = 0.05
//!   around each; the points in drawing order split into up to 10 modes.
//!
//! A sample is high quality when it lies within 3σ of the nearest reference
//! point (a mode's centre, or a point of the curve); it then counts for
//! that point's mode.

use pocketgan_shared::LatentSampler;

/// A 2-D distribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ToyDistribution {
    /// 8 Gaussians on a ring.
    Ring,
    /// A 5×5 grid of 25 Gaussians.
    Grid,
    /// A spiral.
    Spiral,
    /// Two moons.
    Moons,
    /// A straight line.
    Line,
    /// One Gaussian.
    Gaussian,
}

/// Points per curve in a curve's reference polyline.
const CURVE_POINTS: usize = 2000;

impl ToyDistribution {
    /// Every distribution.
    pub const ALL: [ToyDistribution; 6] = [
        ToyDistribution::Ring,
        ToyDistribution::Grid,
        ToyDistribution::Spiral,
        ToyDistribution::Moons,
        ToyDistribution::Line,
        ToyDistribution::Gaussian,
    ];

    /// The command-line name.
    pub fn name(self) -> &'static str {
        match self {
            ToyDistribution::Ring => "ring",
            ToyDistribution::Grid => "grid",
            ToyDistribution::Spiral => "spiral",
            ToyDistribution::Moons => "moons",
            ToyDistribution::Line => "line",
            ToyDistribution::Gaussian => "gaussian",
        }
    }

    /// The noise around each mode or curve.
    pub fn sigma(self) -> f32 {
        match self {
            ToyDistribution::Ring => 0.02,
            ToyDistribution::Gaussian => 0.5,
            _ => 0.05,
        }
    }

    /// Number of modes (segments for the curves).
    pub fn modes(self) -> usize {
        match self {
            ToyDistribution::Ring => 8,
            ToyDistribution::Grid => 25,
            ToyDistribution::Spiral | ToyDistribution::Moons | ToyDistribution::Line => 10,
            ToyDistribution::Gaussian => 1,
        }
    }

    /// Half the side of the square the plots show.
    pub fn extent(self) -> f32 {
        match self {
            ToyDistribution::Ring => 3.0,
            ToyDistribution::Grid => 5.5,
            ToyDistribution::Spiral => 4.0,
            ToyDistribution::Moons => 3.5,
            ToyDistribution::Line | ToyDistribution::Gaussian => 3.0,
        }
    }

    /// The noiseless point at parameter `t ∈ [0, 1)` and its mode.
    fn point(self, t: f32) -> ([f32; 2], usize) {
        use std::f32::consts::PI;
        match self {
            ToyDistribution::Ring => {
                let k = ((t * 8.0) as usize).min(7);
                let a = k as f32 * PI / 4.0;
                ([2.0 * a.cos(), 2.0 * a.sin()], k)
            }
            ToyDistribution::Grid => {
                let k = ((t * 25.0) as usize).min(24);
                ([(k % 5) as f32 * 2.0 - 4.0, (k / 5) as f32 * 2.0 - 4.0], k)
            }
            ToyDistribution::Spiral => {
                // Radius grows with the angle; the arc length per t is not
                // constant, so modes split the angle, not the length.
                let a = 0.5 + t * 4.0 * PI;
                let r = 0.3 + t * 3.0;
                ([r * a.cos(), r * a.sin()], ((t * 10.0) as usize).min(9))
            }
            ToyDistribution::Moons => {
                let upper = t < 0.5;
                let s = if upper { t * 2.0 } else { (t - 0.5) * 2.0 };
                let a = s * PI;
                let (x, y) = if upper { (a.cos(), a.sin()) } else { (1.0 - a.cos(), 0.5 - a.sin()) };
                ([(x - 0.5) * 2.0, (y - 0.25) * 2.0], ((t * 10.0) as usize).min(9))
            }
            ToyDistribution::Line => ([-2.0 + 4.0 * t, -1.0 + 2.0 * t], ((t * 10.0) as usize).min(9)),
            ToyDistribution::Gaussian => ([1.0, 0.5], 0),
        }
    }

    /// `n` samples, deterministic for a seed.
    pub fn sample(self, n: usize, seed: u32) -> Vec<[f32; 2]> {
        let mut rng = LatentSampler::new(seed ^ 0x70C5);
        let sigma = self.sigma() as f64;
        (0..n)
            .map(|_| {
                let (p, _) = self.point(open_unit(&mut rng) as f32);
                let (nx, ny) = normal_pair(&mut rng);
                [p[0] + (nx * sigma) as f32, p[1] + (ny * sigma) as f32]
            })
            .collect()
    }

    /// Reference points with their modes: the centres of a mixture, a dense
    /// polyline of a curve.
    pub fn reference(self) -> Vec<([f32; 2], usize)> {
        match self {
            ToyDistribution::Ring | ToyDistribution::Grid | ToyDistribution::Gaussian => {
                let m = self.modes();
                (0..m).map(|k| self.point((k as f32 + 0.5) / m as f32)).collect()
            }
            _ => (0..CURVE_POINTS).map(|i| self.point((i as f32 + 0.5) / CURVE_POINTS as f32)).collect(),
        }
    }
}

/// A distribution a user drew: points in drawing order, each the centre of
/// a small Gaussian (σ = [`DrawnPoints::SIGMA`]).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DrawnPoints {
    /// The drawn points.
    pub points: Vec<[f32; 2]>,
}

impl DrawnPoints {
    /// The noise around each drawn point.
    pub const SIGMA: f32 = 0.05;
    /// Most points a drawing may have.
    pub const MAX_POINTS: usize = 4000;
    /// Most modes the drawing is split into.
    pub const MAX_MODES: usize = 10;
    /// Largest coordinate a drawn point may have.
    pub const MAX_COORDINATE: f32 = 6.0;

    /// Checks the drawing, saying what is wrong with it.
    pub fn new(points: Vec<[f32; 2]>) -> Result<Self, String> {
        let drawn = DrawnPoints { points };
        drawn.check()?;
        Ok(drawn)
    }

    /// What is wrong with the drawing, if anything (a drawing read from a
    /// file has not been through [`DrawnPoints::new`]).
    pub fn check(&self) -> Result<(), String> {
        let points = &self.points;
        if points.is_empty() {
            return Err("the drawing has no points: draw on the plane first".into());
        }
        if points.len() > Self::MAX_POINTS {
            return Err(format!("the drawing has {} points; at most {} are allowed", points.len(), Self::MAX_POINTS));
        }
        if let Some(p) = points.iter().find(|p| !p.iter().all(|c| c.is_finite() && c.abs() <= Self::MAX_COORDINATE)) {
            return Err(format!("drawn point {p:?} is outside the plane (coordinates must be finite, within ±{})", Self::MAX_COORDINATE));
        }
        Ok(())
    }

    /// Number of modes: the points in drawing order, split into equal runs.
    pub fn modes(&self) -> usize {
        self.points.len().min(Self::MAX_MODES)
    }

    fn mode_of(&self, index: usize) -> usize {
        index * self.modes() / self.points.len()
    }
}

/// A 2-D distribution to learn: a preset or a drawing.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ToyData {
    /// One of the presets.
    Preset(ToyDistribution),
    /// A drawing.
    Drawn(DrawnPoints),
}

impl From<ToyDistribution> for ToyData {
    fn from(d: ToyDistribution) -> Self {
        ToyData::Preset(d)
    }
}

impl ToyData {
    /// The preset's name, or `drawn`.
    pub fn name(&self) -> &'static str {
        match self {
            ToyData::Preset(d) => d.name(),
            ToyData::Drawn(_) => "drawn",
        }
    }

    /// The noise around each mode or point.
    pub fn sigma(&self) -> f32 {
        match self {
            ToyData::Preset(d) => d.sigma(),
            ToyData::Drawn(_) => DrawnPoints::SIGMA,
        }
    }

    /// Number of modes.
    pub fn modes(&self) -> usize {
        match self {
            ToyData::Preset(d) => d.modes(),
            ToyData::Drawn(d) => d.modes(),
        }
    }

    /// Half the side of the square the views show.
    pub fn extent(&self) -> f32 {
        match self {
            ToyData::Preset(d) => d.extent(),
            ToyData::Drawn(d) => {
                let far = d.points.iter().flatten().fold(0f32, |m, c| m.max(c.abs()));
                (far + 0.5).max(3.0)
            }
        }
    }

    /// `n` samples, deterministic for a seed.
    pub fn sample(&self, n: usize, seed: u32) -> Vec<[f32; 2]> {
        match self {
            ToyData::Preset(d) => d.sample(n, seed),
            ToyData::Drawn(d) => {
                let mut rng = LatentSampler::new(seed ^ 0xD7A3);
                let sigma = DrawnPoints::SIGMA as f64;
                (0..n)
                    .map(|_| {
                        let i = ((open_unit(&mut rng) * d.points.len() as f64) as usize).min(d.points.len() - 1);
                        let (nx, ny) = normal_pair(&mut rng);
                        [d.points[i][0] + (nx * sigma) as f32, d.points[i][1] + (ny * sigma) as f32]
                    })
                    .collect()
            }
        }
    }

    /// The centre and the spread (root mean square distance from the centre
    /// per coordinate) of the distribution, from a fixed sample: what the
    /// toy networks standardize their data with. The ring's spread is √2
    /// and the grid's √8, the divisors WGAN-GP's toy code uses.
    pub fn normalization(&self) -> Normalization {
        let points = self.sample(NORMALIZATION_SAMPLES, 0x5CA1E);
        let n = points.len() as f64;
        let centre = [0, 1].map(|a| points.iter().map(|p| p[a] as f64).sum::<f64>() / n);
        let square: f64 = points.iter().map(|p| (p[0] as f64 - centre[0]).powi(2) + (p[1] as f64 - centre[1]).powi(2)).sum();
        let scale = (square / (2.0 * n)).sqrt().max(self.sigma() as f64);
        Normalization { centre: centre.map(|c| c as f32), scale: scale as f32 }
    }

    /// Reference points with their modes (see [`ToyDistribution::reference`]).
    pub fn reference(&self) -> Vec<([f32; 2], usize)> {
        match self {
            ToyData::Preset(d) => d.reference(),
            ToyData::Drawn(d) => d.points.iter().enumerate().map(|(i, p)| (*p, d.mode_of(i))).collect(),
        }
    }
}

/// Samples [`ToyData::normalization`] measures.
const NORMALIZATION_SAMPLES: usize = 20_000;

/// Where a toy distribution lies: the networks see `(x − centre) / scale`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Normalization {
    /// The mean point.
    pub centre: [f32; 2],
    /// Root mean square distance from the centre, per coordinate.
    pub scale: f32,
}

impl Normalization {
    /// No change.
    pub const IDENTITY: Normalization = Normalization { centre: [0.0, 0.0], scale: 1.0 };
}

/// A uniform number in (0, 1) from the shared xoshiro stream.
pub fn open_unit(rng: &mut LatentSampler) -> f64 {
    (rng.next_u32() as f64 + 0.5) / 4_294_967_296.0
}

/// Two independent standard normals (Box–Muller) from two uniforms.
pub fn normal_pair(rng: &mut LatentSampler) -> (f64, f64) {
    let r = (-2.0 * open_unit(rng).ln()).sqrt();
    let (s, c) = (2.0 * std::f64::consts::PI * open_unit(rng)).sin_cos();
    (r * c, r * s)
}

impl std::fmt::Display for ToyDistribution {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_are_deterministic_and_near_the_reference() {
        for d in ToyDistribution::ALL {
            let a = d.sample(500, 3);
            assert_eq!(a, d.sample(500, 3));
            assert_ne!(a, d.sample(500, 4));
            let reference = d.reference();
            let modes: std::collections::BTreeSet<usize> = reference.iter().map(|r| r.1).collect();
            assert_eq!(modes.len(), d.modes(), "{d}");
            for p in &a {
                assert!(p[0].abs() < d.extent() && p[1].abs() < d.extent(), "{d}: {p:?} outside the plot");
            }
        }
    }

    #[test]
    fn drawings_are_checked_and_sampled_around_their_points() {
        assert!(DrawnPoints::new(vec![]).is_err());
        assert!(DrawnPoints::new(vec![[f32::NAN, 0.0]]).unwrap_err().contains("outside the plane"));
        assert!(DrawnPoints::new(vec![[0.0, 7.0]]).is_err());
        assert!(DrawnPoints::new(vec![[0.0, 0.0]; 4001]).is_err());
        let points: Vec<[f32; 2]> = (0..30).map(|i| [i as f32 * 0.1 - 1.5, 1.0]).collect();
        let data = ToyData::Drawn(DrawnPoints::new(points).unwrap());
        assert_eq!(data.modes(), 10);
        let modes: std::collections::BTreeSet<usize> = data.reference().iter().map(|r| r.1).collect();
        assert_eq!(modes.len(), 10);
        let s = data.sample(200, 5);
        assert_eq!(s, data.sample(200, 5));
        assert!(s.iter().all(|p| (p[1] - 1.0).abs() < 0.3 && p[0] > -1.8 && p[0] < 1.6), "{s:?}");
    }
}
