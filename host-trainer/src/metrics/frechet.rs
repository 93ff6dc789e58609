//! The Fréchet distance between two Gaussians fitted to feature vectors
//! (the formula behind FID, on our own classifier's features):
//! `‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2 (Σ₁ Σ₂)^{1/2})`.
//!
//! `Tr((Σ₁Σ₂)^{1/2})` is the sum of the square roots of the eigenvalues of
//! the symmetric `Σ₁^{1/2} Σ₂ Σ₁^{1/2}`; both eigenproblems are symmetric,
//! solved with cyclic Jacobi rotations in f64 (features are 64-wide).

/// Mean and covariance of a set of feature vectors.
#[derive(Debug, Clone)]
pub struct Gaussian {
    /// Mean, `d` values.
    pub mean: Vec<f64>,
    /// Covariance, `d × d` row-major (unbiased).
    pub cov: Vec<f64>,
}

impl Gaussian {
    /// Fits `rows` (each `dim` long, at least two).
    pub fn fit(rows: &[f32], dim: usize) -> Gaussian {
        let n = rows.len() / dim;
        let mut mean = vec![0f64; dim];
        for r in rows.chunks_exact(dim) {
            mean.iter_mut().zip(r).for_each(|(m, &x)| *m += x as f64);
        }
        mean.iter_mut().for_each(|m| *m /= n as f64);
        let mut cov = vec![0f64; dim * dim];
        let mut centred = vec![0f64; dim];
        for r in rows.chunks_exact(dim) {
            centred.iter_mut().zip(r.iter().zip(&mean)).for_each(|(c, (&x, m))| *c = x as f64 - m);
            for i in 0..dim {
                for j in i..dim {
                    cov[i * dim + j] += centred[i] * centred[j];
                }
            }
        }
        let denom = (n.max(2) - 1) as f64;
        for i in 0..dim {
            for j in i..dim {
                let v = cov[i * dim + j] / denom;
                cov[i * dim + j] = v;
                cov[j * dim + i] = v;
            }
        }
        Gaussian { mean, cov }
    }
}

/// Eigenvalues and eigenvectors (columns of `v`, row-major) of a symmetric matrix.
fn symmetric_eigen(a: &[f64], n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut a = a.to_vec();
    let mut v = vec![0f64; n * n];
    (0..n).for_each(|i| v[i * n + i] = 1.0);
    for _sweep in 0..100 {
        let off: f64 = (0..n).flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j))).map(|(i, j)| a[i * n + j].powi(2)).sum();
        let scale: f64 = (0..n).map(|i| a[i * n + i].powi(2)).sum::<f64>().max(1e-300);
        if off <= 1e-22 * scale {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = a[p * n + q];
                if apq.abs() < 1e-300 {
                    continue;
                }
                let theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let (akp, akq) = (a[k * n + p], a[k * n + q]);
                    a[k * n + p] = c * akp - s * akq;
                    a[k * n + q] = s * akp + c * akq;
                }
                for k in 0..n {
                    let (apk, aqk) = (a[p * n + k], a[q * n + k]);
                    a[p * n + k] = c * apk - s * aqk;
                    a[q * n + k] = s * apk + c * aqk;
                }
                for k in 0..n {
                    let (vkp, vkq) = (v[k * n + p], v[k * n + q]);
                    v[k * n + p] = c * vkp - s * vkq;
                    v[k * n + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    ((0..n).map(|i| a[i * n + i]).collect(), v)
}

fn matmul(a: &[f64], b: &[f64], n: usize) -> Vec<f64> {
    let mut c = vec![0f64; n * n];
    for i in 0..n {
        for k in 0..n {
            let aik = a[i * n + k];
            for j in 0..n {
                c[i * n + j] += aik * b[k * n + j];
            }
        }
    }
    c
}

/// The Fréchet distance between two fitted Gaussians of the same dimension.
pub fn frechet_distance(x: &Gaussian, y: &Gaussian) -> f64 {
    let n = x.mean.len();
    let mean_term: f64 = x.mean.iter().zip(&y.mean).map(|(a, b)| (a - b).powi(2)).sum();
    let trace = |m: &[f64]| (0..n).map(|i| m[i * n + i]).sum::<f64>();
    // Σ₁^{1/2} = V diag(√λ) Vᵀ.
    let (lambda, v) = symmetric_eigen(&x.cov, n);
    let mut sqrt1 = vec![0f64; n * n];
    for i in 0..n {
        for j in 0..n {
            sqrt1[i * n + j] = (0..n).map(|k| v[i * n + k] * lambda[k].max(0.0).sqrt() * v[j * n + k]).sum();
        }
    }
    let m = matmul(&matmul(&sqrt1, &y.cov, n), &sqrt1, n);
    let (mu, _) = symmetric_eigen(&m, n);
    let cross: f64 = mu.iter().map(|l| l.max(0.0).sqrt()).sum();
    (mean_term + trace(&x.cov) + trace(&y.cov) - 2.0 * cross).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(mean: Vec<f64>, cov: Vec<f64>) -> Gaussian {
        Gaussian { mean, cov }
    }

    #[test]
    fn identical_gaussians_are_at_zero() {
        let a = g(vec![1.0, 2.0], vec![2.0, 0.5, 0.5, 1.0]);
        assert!(frechet_distance(&a, &a) < 1e-9);
    }

    #[test]
    fn matches_the_closed_form_of_commuting_covariances() {
        // Diagonal covariances: Σ (√a − √b)² + ‖μ₁ − μ₂‖².
        let a = g(vec![0.0, 0.0, 1.0], vec![4.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 9.0]);
        let b = g(vec![1.0, 0.0, 1.0], vec![1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]);
        let want = 1.0 + (2.0f64 - 1.0).powi(2) + 0.0 + (3.0f64 - 1.0).powi(2);
        assert!((frechet_distance(&a, &b) - want).abs() < 1e-9);
        // Symmetric in its arguments, also for non-commuting covariances.
        let c = g(vec![0.5, -1.0, 0.0], vec![2.0, 0.7, 0.1, 0.7, 1.0, 0.3, 0.1, 0.3, 0.5]);
        assert!((frechet_distance(&a, &c) - frechet_distance(&c, &a)).abs() < 1e-8);
    }

    #[test]
    fn fit_recovers_mean_and_covariance() {
        let rows = [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0];
        let fit = Gaussian::fit(&rows, 2);
        assert_eq!(fit.mean, vec![3.0, 4.0]);
        assert_eq!(fit.cov, vec![4.0, 4.0, 4.0, 4.0]);
    }
}
