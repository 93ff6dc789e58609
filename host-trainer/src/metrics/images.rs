//! Scores of an image generator, in float and after int8 export, from the
//! evaluation classifier: Fréchet distance of its features to real test
//! images, class accuracy of conditional samples, and how evenly samples
//! spread over the classes (mode collapse shows as a low spread).

use super::classifier::{self, Classifier, FEATURES};
use super::frechet::{Gaussian, frechet_distance};
use crate::data::{DataSource, ImageSet};
use crate::nets::Generator;
use crate::nets::seeded::seed_inputs;
use anyhow::{Result, bail};
use burn::module::Module;
use burn::tensor::{Device, Tensor, TensorData};
use crate::board::sample::for_each_seed;
use pocketgan_shared::pixels::code_to_u8;
use pocketgan_shared::Model;

/// Generated samples per evaluation (seeds 0..N, class k % classes).
pub const EVAL_IMAGES: usize = 2000;

/// The scores of one set of generated images.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct ImageScores {
    /// Fréchet distance to the real test images' features (lower is better).
    pub frechet: f64,
    /// Share of samples the classifier puts in the class they were asked
    /// for (conditional generators only).
    pub class_accuracy: Option<f64>,
    /// Entropy of the predicted classes over its maximum, 0–1 (1: every
    /// class equally often).
    pub spread: f64,
    /// Classes predicted for at least 1 % of the samples.
    pub classes_seen: usize,
}

/// The classifier and real-image statistics a data set is scored against.
pub struct Evaluator {
    classifier: Classifier,
    real: Gaussian,
    /// Class count.
    pub classes: usize,
    /// The classifier's accuracy on the real test images (its own quality).
    pub real_accuracy: f64,
    device: Device,
}

/// The training and test splits `eval` uses for a data source: Fashion-MNIST
/// has both; the bundled digits keep the last tenth of each class apart.
pub fn splits(data: &DataSource) -> Result<(ImageSet, ImageSet)> {
    match data {
        DataSource::FashionMnist { .. } => Ok((
            DataSource::FashionMnist { split: "train".into() }.load()?,
            DataSource::FashionMnist { split: "test".into() }.load()?,
        )),
        DataSource::Digits => {
            Ok(data.load()?.split_per_class())
        }
        DataSource::Folder { path, .. } => bail!(
            "{} has no class labels, and `pocketgan eval` needs them to train its classifier: evaluate runs on digits or fashion-mnist",
            path.display()
        ),
    }
}

impl Evaluator {
    /// Trains (or loads the cached) classifier on `train` and fits the real
    /// feature statistics of `test`.
    pub fn new(train: &ImageSet, test: &ImageSet, device: &Device, show_progress: bool) -> Result<Self> {
        let classifier = classifier::load_or_train(train, device, show_progress)?;
        let n = test.len().min(EVAL_IMAGES * 5);
        let idx: Vec<usize> = (0..n).collect();
        let mut features = Vec::with_capacity(n * FEATURES);
        for chunk in idx.chunks(500) {
            features.extend(rows(classifier.features(test.batch(chunk, device))));
        }
        Ok(Evaluator {
            real_accuracy: classifier::accuracy(&classifier, test, n, device),
            real: Gaussian::fit(&features, FEATURES),
            classes: classifier::class_count(train)?,
            classifier,
            device: device.clone(),
        })
    }

    /// Scores images `[n, C, H, W]` in `[-1, 1]`; `requested` are the classes
    /// a conditional generator was asked for.
    pub fn score(&self, images: Tensor<4>, requested: Option<&[usize]>) -> ImageScores {
        let n = images.dims()[0];
        let mut features = Vec::with_capacity(n * FEATURES);
        let mut predicted = Vec::with_capacity(n);
        for start in (0..n).step_by(500) {
            // One pass: the features give both the distance and the classes.
            let batch = self.classifier.features(images.clone().narrow(0, start, 500.min(n - start)));
            features.extend(rows(batch.clone()));
            predicted.extend(self.classifier.classify(batch));
        }
        let mut counts = vec![0usize; self.classes];
        predicted.iter().for_each(|&c| counts[c.min(self.classes - 1)] += 1);
        let entropy: f64 = counts
            .iter()
            .filter(|&&c| c > 0)
            .map(|&c| {
                let p = c as f64 / n as f64;
                -p * p.ln()
            })
            .sum();
        ImageScores {
            frechet: frechet_distance(&self.real, &Gaussian::fit(&features, FEATURES)),
            class_accuracy: requested.map(|r| {
                r.iter().zip(&predicted).filter(|(a, b)| a == b).count() as f64 / n as f64
            }),
            // max(0): a single class gives −0.0.
            spread: (entropy / (self.classes as f64).ln()).max(0.0),
            classes_seen: counts.iter().filter(|&&c| c * 100 >= n).count(),
        }
    }

    /// The classifier's class for each image `[n, C, H, W]` in `[-1, 1]`.
    pub fn classes_of(&self, images: Tensor<4>) -> Vec<usize> {
        let n = images.dims()[0];
        (0..n).step_by(500).flat_map(|start| classifier::predict(&self.classifier, &images.clone().narrow(0, start, 500.min(n - start)))).collect()
    }

    /// The classifier's classes for 8-bit gray images (`height × width`
    /// pixels each), mapped to `[-1, 1]` as real images are.
    pub fn classes_of_gray(&self, images: &[Vec<u8>], width: usize, height: usize) -> Vec<usize> {
        let values: Vec<f32> = images.iter().flatten().map(|&v| v as f32 / 127.5 - 1.0).collect();
        self.classes_of(Tensor::from_data(TensorData::new(values, [images.len(), 1, height, width]), &self.device))
    }

    /// Scores the first `n` images of a real set as if generated: the floor
    /// a perfect generator reaches with this many samples (the Fréchet
    /// distance of two finite samples of one distribution is not 0).
    pub fn score_real(&self, set: &ImageSet, n: usize) -> ImageScores {
        let idx: Vec<usize> = (0..n.min(set.len())).collect();
        let images: Vec<Tensor<4>> = idx.chunks(500).map(|chunk| set.batch(chunk, &self.device)).collect();
        self.score(Tensor::cat(images, 0), None)
    }

    /// Scores the float generator on seeds `0..n` (class `k % classes`).
    pub fn score_float(&self, generator: &Generator, n: usize) -> ImageScores {
        let mut images = Vec::new();
        for start in (0..n).step_by(500) {
            let count = 500.min(n - start);
            let z = seed_inputs(start as u32, count, generator.latent_dim, generator.classes, &self.device);
            images.push(generator.valid().forward(z));
        }
        let requested = requested_classes(generator.classes, n);
        self.score(Tensor::cat(images, 0), requested.as_deref())
    }

    /// Scores the int8 model, run by the shared fixed-point code, on the
    /// same seeds and classes as [`Self::score_float`].
    pub fn score_int8(&self, model: &Model<'_>, n: usize) -> Result<ImageScores> {
        let h = model.header();
        let classes = h.classes as usize;
        let [height, width, channels] = [h.image.height as usize, h.image.width as usize, h.image.channels as usize];
        let mut values = Vec::with_capacity(n * model.output_len());
        for_each_seed(model, 0..n as u32, |_, codes| {
            // The board's 8-bit pixels, HWC → CHW in [-1, 1] like real images.
            for ch in 0..channels {
                for p in 0..height * width {
                    values.push(code_to_u8(codes[p * channels + ch]) as f32 / 127.5 - 1.0);
                }
            }
        })?;
        let images = Tensor::from_data(TensorData::new(values, [n, channels, height, width]), &self.device);
        let requested = requested_classes(classes, n);
        Ok(self.score(images, requested.as_deref()))
    }
}

/// The classes a board cycles through for seeds `0..n`.
fn requested_classes(classes: usize, n: usize) -> Option<Vec<usize>> {
    (classes > 0).then(|| (0..n).map(|k| k % classes).collect())
}

fn rows(features: Tensor<2>) -> Vec<f32> {
    features.into_data().try_to_vec::<f32>().expect("features are f32")
}
