//! The small image classifier `pocketgan eval` trains on the real training
//! split of a labelled data set, and whose 64 penultimate features give the
//! Fréchet distance. It is cached under `~/.cache/pocketgan` (or
//! `$POCKETGAN_CACHE`), keyed by a hash of the training images, and
//! retrained whenever that file is missing or stale.

use crate::data::{Batches, ImageSet};
use anyhow::{Context, Result, bail};
use burn::config::Config;
use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::pool::{AdaptiveAvgPool2d, AdaptiveAvgPool2dConfig};
use burn::nn::{Linear, LinearConfig, PaddingConfig2d};
use burn::optim::{AdamConfig, GradientsParams};
use burn::tensor::activation::{log_softmax, relu};
use burn::tensor::{Device, Tensor};
use std::path::PathBuf;

/// Width of the feature vector the Fréchet distance uses.
pub const FEATURES: usize = 64;
/// Training steps of a fresh classifier (batch 128, Adam 1e-3).
pub const TRAIN_STEPS: usize = 800;

/// Shape of a [`Classifier`].
#[derive(Config, Debug)]
pub struct ClassifierConfig {
    /// Image channels.
    pub channels: usize,
    /// Number of classes.
    pub classes: usize,
}

/// Two stride-2 convolutions, a 4×4 average pool, 64 features, logits.
#[derive(Module, Debug)]
pub struct Classifier {
    conv1: Conv2d,
    conv2: Conv2d,
    pool: AdaptiveAvgPool2d,
    features: Linear,
    logits: Linear,
}

impl ClassifierConfig {
    /// A fresh classifier.
    pub fn init(&self, device: &Device) -> Classifier {
        let conv = |i, o| {
            Conv2dConfig::new([i, o], [3, 3]).with_stride([2, 2]).with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1)).init(device)
        };
        Classifier {
            conv1: conv(self.channels, 32),
            conv2: conv(32, 64),
            pool: AdaptiveAvgPool2dConfig::new([4, 4]).init(),
            features: LinearConfig::new(64 * 16, FEATURES).init(device),
            logits: LinearConfig::new(FEATURES, self.classes).init(device),
        }
    }
}

impl Classifier {
    /// The penultimate features `[n, 64]` of images in `[-1, 1]`.
    pub fn features(&self, x: Tensor<4>) -> Tensor<2> {
        let x = relu(self.conv2.forward(relu(self.conv1.forward(x))));
        let x = self.pool.forward(x);
        let n = x.dims()[0];
        relu(self.features.forward(x.reshape([n as i32, -1])))
    }

    /// Class logits.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<2> {
        self.logits.forward(self.features(x))
    }

    /// The predicted class of each row of [`Self::features`].
    pub fn classify(&self, features: Tensor<2>) -> Vec<usize> {
        let classes = self.logits.forward(features).argmax(1).into_data().convert::<i64>();
        classes.try_to_vec::<i64>().expect("argmax is int").into_iter().map(|c| c as usize).collect()
    }
}

/// Class count of a labelled set.
pub fn class_count(set: &ImageSet) -> Result<usize> {
    match set.classes() {
        Some(classes) => Ok(classes),
        None => bail!(
            "{} has no class labels, and `pocketgan eval` needs them to train its classifier: \
             evaluate on digits or fashion-mnist",
            set.description
        ),
    }
}

/// Trains a classifier on `set` (deterministic for a seed on the CPU).
pub fn train(set: &ImageSet, device: &Device, show_progress: bool) -> Result<Classifier> {
    let classes = class_count(set)?;
    let device = device.clone().autodiff();
    device.seed(5);
    let mut model = ClassifierConfig::new(set.channels, classes).init(&device);
    let mut opt = AdamConfig::new().init();
    let mut batches = Batches::new(set.len(), 128.min(set.len()), 5)?;
    let bar = if show_progress { indicatif::ProgressBar::new(TRAIN_STEPS as u64) } else { indicatif::ProgressBar::hidden() };
    bar.set_message("training the evaluation classifier");
    for _ in 0..TRAIN_STEPS {
        let idx = batches.next_batch().to_vec();
        let x = set.batch(&idx, &device);
        let y = set.one_hot(&idx, classes, &device);
        let loss = (log_softmax(model.forward(x), 1) * y).sum_dim(1).mean().neg();
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        model = opt.step(1e-3, model, grads);
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(model.valid())
}

/// Predicted classes of images in `[-1, 1]`, in batches.
pub fn predict(model: &Classifier, images: &Tensor<4>) -> Vec<usize> {
    model.classify(model.features(images.clone()))
}

/// Share of `set`'s images (at most `limit`) the classifier labels right.
pub fn accuracy(model: &Classifier, set: &ImageSet, limit: usize, device: &Device) -> f64 {
    let labels = set.labels.as_ref().expect("a labelled set");
    let n = set.len().min(limit);
    let mut right = 0;
    for start in (0..n).step_by(500) {
        let idx: Vec<usize> = (start..(start + 500).min(n)).collect();
        let predicted = predict(model, &set.batch(&idx, device));
        right += idx.iter().zip(predicted).filter(|(i, p)| labels[**i] as usize == *p).count();
    }
    right as f64 / n.max(1) as f64
}

fn cache_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("POCKETGAN_CACHE") {
        return PathBuf::from(dir);
    }
    let home = std::env::var("HOME").unwrap_or_else(|_| ".".into());
    PathBuf::from(home).join(".cache").join("pocketgan")
}

/// FNV-1a over the pixels and labels: the cache key of a training set.
fn fingerprint(set: &ImageSet) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    let labels = set.labels.as_deref().unwrap_or(&[]);
    for &b in set.pixels.iter().chain(labels) {
        h = (h ^ b as u64).wrapping_mul(0x100_0000_01b3);
    }
    h ^ (set.width * 31 + set.height * 7 + set.channels) as u64
}

/// The cached classifier for `set`, trained (and cached) when missing.
pub fn load_or_train(set: &ImageSet, device: &Device, show_progress: bool) -> Result<Classifier> {
    let classes = class_count(set)?;
    let path = cache_dir().join(format!("classifier-{:016x}-v1.bpk", fingerprint(set)));
    if path.exists()
        && let Ok(model) = ClassifierConfig::new(set.channels, classes).init(device).try_load_file(&path)
    {
        return Ok(model);
    }
    if show_progress {
        eprintln!("training the evaluation classifier on {} ({TRAIN_STEPS} steps, cached in {})", set.description, path.display());
    }
    let model = train(set, device, show_progress)?;
    let model = model.to_device(device);
    // The cache only saves time: a read-only home still evaluates.
    if let Err(e) = save_atomically(&model, &path) {
        eprintln!("note: the evaluation classifier was not cached ({e:#})");
    }
    Ok(model)
}

/// Writes under a temporary name and renames, so an interrupted save is never loaded.
fn save_atomically(model: &Classifier, path: &std::path::Path) -> Result<()> {
    let dir = path.parent().unwrap_or(std::path::Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let tmp = path.with_extension("tmp.bpk");
    model.clone().save_file(&tmp).map_err(|e| anyhow::anyhow!("cannot write {}: {e:?}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))
}
