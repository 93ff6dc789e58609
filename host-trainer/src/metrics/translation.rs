//! Scores of a translator's outputs on held-out inputs: distance to the
//! target where there are pairs (L1, PSNR, SSIM), and, where the target
//! domain has class labels, the Fréchet distance of the outputs to real
//! targets and the share the evaluation classifier gives the class of the
//! source (for unpaired digits this is CyCADA's class-preservation score).

use super::images::Evaluator;
use crate::data::ImageSet;
use burn::tensor::{Device, Tensor, TensorData};

/// One translator's scores (`None` where the data cannot say).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct TranslationScores {
    /// Mean absolute pixel difference to the target, 0–1 of the pixel range.
    pub l1: Option<f64>,
    /// Peak signal-to-noise ratio to the target, dB (8-bit pixels).
    pub psnr_db: Option<f64>,
    /// Mean structural similarity to the target (Wang et al. 2004: 11 × 11
    /// Gaussian window, σ 1.5, K1 0.01, K2 0.03), per channel.
    pub ssim: Option<f64>,
    /// Fréchet distance of the outputs' classifier features to real test targets.
    pub frechet: Option<f64>,
    /// Share of outputs the classifier puts in their source's class.
    pub class_agreement: Option<f64>,
    /// Mean absolute difference between each input and its round trip
    /// A → B → A, 0–1 (CycleGAN only).
    pub cycle_l1: Option<f64>,
}

/// Mean absolute difference of two 8-bit images, 0–1.
pub fn mean_abs(a: &[u8], b: &[u8]) -> f64 {
    a.iter().zip(b).map(|(&x, &y)| (x as f64 - y as f64).abs()).sum::<f64>() / (255.0 * a.len().max(1) as f64)
}

/// PSNR of several image pairs pooled (one mean squared error), dB.
pub fn psnr(pairs: &[(&[u8], &[u8])]) -> f64 {
    let (mut sq, mut n) = (0f64, 0usize);
    for (a, b) in pairs {
        sq += a.iter().zip(*b).map(|(&x, &y)| (x as f64 - y as f64).powi(2)).sum::<f64>();
        n += a.len();
    }
    let mse = sq / n.max(1) as f64;
    if mse == 0.0 { f64::INFINITY } else { 10.0 * (255.0f64 * 255.0 / mse).log10() }
}

/// SSIM of two 8-bit HWC images of `width` × `height` × `channels`, the
/// mean over every position where the 11 × 11 window fits, per channel.
pub fn ssim(a: &[u8], b: &[u8], width: usize, height: usize, channels: usize) -> f64 {
    const SIDE: usize = 11;
    let weights: Vec<f64> = {
        let g: Vec<f64> = (0..SIDE).map(|i| (-((i as f64 - 5.0).powi(2)) / (2.0 * 1.5 * 1.5)).exp()).collect();
        let total: f64 = g.iter().sum::<f64>().powi(2);
        (0..SIDE * SIDE).map(|k| g[k / SIDE] * g[k % SIDE] / total).collect()
    };
    let (c1, c2) = ((0.01f64 * 255.0).powi(2), (0.03f64 * 255.0).powi(2));
    if width < SIDE || height < SIDE {
        return f64::NAN;
    }
    let (mut sum, mut count) = (0f64, 0usize);
    for ch in 0..channels {
        for y in 0..=height - SIDE {
            for x in 0..=width - SIDE {
                let (mut ma, mut mb, mut aa, mut bb, mut ab) = (0f64, 0f64, 0f64, 0f64, 0f64);
                for (k, &w) in weights.iter().enumerate() {
                    let p = ((y + k / SIDE) * width + x + k % SIDE) * channels + ch;
                    let (u, v) = (a[p] as f64, b[p] as f64);
                    ma += w * u;
                    mb += w * v;
                    aa += w * u * u;
                    bb += w * v * v;
                    ab += w * u * v;
                }
                let (va, vb, cov) = (aa - ma * ma, bb - mb * mb, ab - ma * mb);
                sum += ((2.0 * ma * mb + c1) * (2.0 * cov + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
                count += 1;
            }
        }
    }
    sum / count.max(1) as f64
}

/// 8-bit HWC images as an `[n, C, H, W]` tensor in `[-1, 1]`, as real
/// images are batched.
pub fn images_tensor(images: &[Vec<u8>], width: usize, height: usize, channels: usize, device: &Device) -> Tensor<4> {
    let mut values = Vec::with_capacity(images.len() * width * height * channels);
    for image in images {
        for ch in 0..channels {
            values.extend((0..width * height).map(|p| image[p * channels + ch] as f32 / 127.5 - 1.0));
        }
    }
    Tensor::from_data(TensorData::new(values, [images.len(), channels, height, width]), device)
}

/// Scores `outputs` (8-bit HWC, one per `inputs` image, in order) against
/// `targets` (the paired targets, or `None`), with `evaluator` for the
/// target domain when it has labels; `round_trips` are A → B → A images.
pub fn score(
    inputs: &ImageSet,
    outputs: &[Vec<u8>],
    targets: Option<&ImageSet>,
    evaluator: Option<&Evaluator>,
    round_trips: Option<&[Vec<u8>]>,
    device: &Device,
) -> TranslationScores {
    let (w, h) = (inputs.width, inputs.height);
    let channels = outputs.first().map_or(1, |o| o.len() / (w * h).max(1));
    let n = outputs.len();
    let paired = targets.map(|t| (0..n).map(|i| (outputs[i].as_slice(), t.image(i))).collect::<Vec<_>>());
    let (l1, psnr_db, ssim_mean) = match &paired {
        Some(pairs) => (
            Some(pairs.iter().map(|(a, b)| mean_abs(a, b)).sum::<f64>() / n as f64),
            Some(psnr(pairs)),
            Some(pairs.iter().map(|(a, b)| ssim(a, b, w, h, channels)).sum::<f64>() / n as f64),
        ),
        None => (None, None, None),
    };
    let (frechet, class_agreement) = match evaluator {
        Some(evaluator) if n >= 2 => {
            let requested: Option<Vec<usize>> = inputs.labels.as_ref().map(|l| l[..n].iter().map(|&c| c as usize).collect());
            let s = evaluator.score(images_tensor(outputs, w, h, channels, device), requested.as_deref());
            (Some(s.frechet), s.class_accuracy)
        }
        _ => (None, None),
    };
    let cycle_l1 = round_trips.map(|trips| (0..n).map(|i| mean_abs(&trips[i], inputs.image(i))).sum::<f64>() / n as f64);
    TranslationScores { l1, psnr_db, ssim: ssim_mean, frechet, class_agreement, cycle_l1 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_images_score_perfectly_and_noise_lowers_every_score() {
        let (w, h) = (16, 16);
        let a: Vec<u8> = (0..w * h).map(|i| ((i * 37) % 256) as u8).collect();
        assert_eq!(mean_abs(&a, &a), 0.0);
        assert!(psnr(&[(&a, &a)]).is_infinite());
        assert!((ssim(&a, &a, w, h, 1) - 1.0).abs() < 1e-12);
        // A constant offset of 10 levels: L1 10/255, PSNR 20·log10(255/10).
        let b: Vec<u8> = a.iter().map(|&v| v.saturating_add(10)).collect();
        let c: Vec<u8> = a.iter().map(|&v| v.min(245) + 10).collect();
        let expected = 20.0 * (255.0f64 / 10.0).log10();
        assert!((psnr(&[(&a.iter().map(|&v| v.min(245)).collect::<Vec<_>>(), &c)]) - expected).abs() < 1e-9);
        assert!(mean_abs(&a, &b) > 0.0 && mean_abs(&a, &b) <= 10.0 / 255.0);
        // Structure destroyed (the image reversed) scores far lower than a shift.
        let reversed: Vec<u8> = a.iter().rev().copied().collect();
        assert!(ssim(&a, &reversed, w, h, 1) < 0.5 * ssim(&a, &b, w, h, 1));
    }
}
