//! Training images: the bundled MNIST digits, Fashion-MNIST from Debian's
//! package, or a folder of the user's own pictures.

mod folder;
pub mod toy;
mod idx;
mod npm_digits;

pub use folder::{FolderOptions, ResizeMode};
pub use npm_digits::convert_npm_digits;
pub use toy::{DrawnPoints, ToyData, ToyDistribution};

use anyhow::{Context, Result, bail};
use burn::tensor::{Device, Tensor, TensorData};
use pocketgan_shared::LatentSampler;
use std::path::{Path, PathBuf};

/// Where the bundled digits live, relative to the workspace root.
pub const BUNDLED_DIGITS: &str = "data/mnist-10k";
/// Where Debian's `dataset-fashion-mnist` package installs its files.
pub const FASHION_MNIST_DIR: &str = "/usr/share/datasets/fashion-mnist";

/// Which images to train on, as named on the command line.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum DataSource {
    /// The 10 000 MNIST digits bundled with pocketgan.
    Digits,
    /// Fashion-MNIST (60 000 train / 10 000 test) from Debian.
    FashionMnist {
        /// `train` or `test`.
        split: String,
    },
    /// A folder of PNG/JPEG images, searched recursively.
    Folder {
        /// The folder.
        path: PathBuf,
        /// Resize/crop options.
        options: FolderOptions,
    },
}

impl DataSource {
    /// Parses `digits`, `fashion-mnist` (or `fashion`), `fashion-mnist:test`, or a folder path.
    pub fn parse(spec: &str, folder: FolderOptions) -> Result<Self> {
        Ok(match spec {
            "digits" | "mnist" => DataSource::Digits,
            "fashion" | "fashion-mnist" | "fashion-mnist:train" => {
                DataSource::FashionMnist { split: "train".into() }
            }
            "fashion-mnist:test" => DataSource::FashionMnist { split: "test".into() },
            path => {
                let path = PathBuf::from(path);
                if !path.is_dir() {
                    bail!(
                        "unknown data set '{spec}': use 'digits' (bundled), 'fashion-mnist' \
                         (apt-get install dataset-fashion-mnist), or the path of a folder of \
                         PNG/JPEG images"
                    );
                }
                DataSource::Folder { path, options: folder }
            }
        })
    }

    /// A short name for run folders and model headers.
    pub fn short_name(&self) -> String {
        match self {
            DataSource::Digits => "digits".into(),
            DataSource::FashionMnist { .. } => "fashion".into(),
            DataSource::Folder { path, .. } => path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "images".into()),
        }
    }

    /// Loads the images.
    pub fn load(&self) -> Result<ImageSet> {
        match self {
            DataSource::Digits => {
                let dir = find_bundled_digits()?;
                idx::load_pair(
                    "MNIST digits (10k, bundled)",
                    &dir.join("images-idx3-ubyte.gz"),
                    &dir.join("labels-idx1-ubyte.gz"),
                )
            }
            DataSource::FashionMnist { split } => {
                let prefix = if split == "test" { "t10k" } else { "train" };
                let dir = Path::new(FASHION_MNIST_DIR);
                let images = dir.join(format!("{prefix}-images-idx3-ubyte.gz"));
                if !images.exists() {
                    bail!(
                        "Fashion-MNIST is not installed ({} is missing): run \
                         `sudo apt-get install dataset-fashion-mnist`, or train on the bundled \
                         digits with `--data digits`",
                        images.display()
                    );
                }
                idx::load_pair(
                    &format!("Fashion-MNIST ({split})"),
                    &images,
                    &dir.join(format!("{prefix}-labels-idx1-ubyte.gz")),
                )
            }
            DataSource::Folder { path, options } => folder::load(path, options),
        }
    }
}

/// Finds the bundled digits next to the binary's workspace, or under
/// `$POCKETGAN_DATA`.
fn find_bundled_digits() -> Result<PathBuf> {
    let mut candidates = Vec::new();
    if let Ok(dir) = std::env::var("POCKETGAN_DATA") {
        candidates.push(PathBuf::from(dir).join("mnist-10k"));
    }
    candidates.push(PathBuf::from(BUNDLED_DIGITS));
    candidates.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(BUNDLED_DIGITS));
    for c in &candidates {
        if c.join("images-idx3-ubyte.gz").exists() {
            return Ok(c.clone());
        }
    }
    bail!(
        "the bundled digits are missing (looked in {}): run pocketgan from a pocketgan \
         checkout, or set POCKETGAN_DATA to the checkout's data/ folder",
        candidates.iter().map(|c| c.display().to_string()).collect::<Vec<_>>().join(", ")
    )
}

/// A set of same-sized images in memory, 8 bits per channel, HWC.
#[derive(Debug, Clone)]
pub struct ImageSet {
    /// Human-readable description.
    pub description: String,
    /// Image height.
    pub height: usize,
    /// Image width.
    pub width: usize,
    /// 1 (gray) or 3 (RGB).
    pub channels: usize,
    /// `len × height × width × channels` bytes.
    pub pixels: Vec<u8>,
    /// One label per image, when the data set has them.
    pub labels: Option<Vec<u8>>,
}

impl ImageSet {
    /// Number of images.
    pub fn len(&self) -> usize {
        self.pixels.len() / self.image_len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.pixels.is_empty()
    }

    /// Bytes per image.
    pub fn image_len(&self) -> usize {
        self.height * self.width * self.channels
    }

    /// Image `i` as HWC bytes.
    pub fn image(&self, i: usize) -> &[u8] {
        let n = self.image_len();
        &self.pixels[i * n..(i + 1) * n]
    }

    /// The images at `indices` as an `[n, C, H, W]` tensor in `[-1, 1]`.
    pub fn batch(&self, indices: &[usize], device: &Device) -> Tensor<4> {
        let (h, w, c) = (self.height, self.width, self.channels);
        let mut values = Vec::with_capacity(indices.len() * self.image_len());
        for &i in indices {
            let img = self.image(i);
            for ch in 0..c {
                for p in 0..h * w {
                    values.push(img[p * c + ch] as f32 / 127.5 - 1.0);
                }
            }
        }
        Tensor::from_data(TensorData::new(values, [indices.len(), c, h, w]), device)
    }
}

impl ImageSet {
    /// Number of classes (largest label + 1), or `None` for an unlabelled set.
    pub fn classes(&self) -> Option<usize> {
        self.labels.as_ref().map(|labels| labels.iter().map(|&l| l as usize + 1).max().unwrap_or(0))
    }

    /// The images (and labels) in `range`.
    pub fn subset(&self, range: std::ops::Range<usize>) -> ImageSet {
        let n = self.image_len();
        ImageSet {
            description: format!("{} [{}..{}]", self.description, range.start, range.end),
            pixels: self.pixels[range.start * n..range.end * n].to_vec(),
            labels: self.labels.as_ref().map(|l| l[range.clone()].to_vec()),
            ..*self
        }
    }

    /// The labels of the images at `indices` as one-hot rows `[n, classes]`
    /// (all zero for an unlabelled set).
    pub fn one_hot(&self, indices: &[usize], classes: usize, device: &Device) -> Tensor<2> {
        let mut values = vec![0f32; indices.len() * classes];
        if let Some(labels) = &self.labels {
            for (row, &i) in indices.iter().enumerate() {
                let label = labels[i] as usize;
                if label < classes {
                    values[row * classes + label] = 1.0;
                }
            }
        }
        Tensor::from_data(TensorData::new(values, [indices.len(), classes]), device)
    }
}

/// An endless, reshuffled-every-epoch stream of batch indices.
pub struct Batches {
    order: Vec<usize>,
    position: usize,
    batch_size: usize,
    rng: LatentSampler,
    drawn: u64,
}

impl Batches {
    /// Batches of `batch_size` from `len` items, shuffled with `seed`.
    pub fn new(len: usize, batch_size: usize, seed: u32) -> Result<Self> {
        if len < batch_size {
            bail!("the data set has {len} images, fewer than one batch of {batch_size}: lower --batch-size or add images");
        }
        // Start at the end so the first batch triggers a shuffle.
        Ok(Batches { order: (0..len).collect(), position: len, batch_size, rng: LatentSampler::new(seed), drawn: 0 })
    }

    /// The batches that follow the first `drawn` ones of [`Batches::new`]
    /// with the same arguments: a resumed run sees the images the
    /// uninterrupted one would. Replaying costs one shuffle per epoch.
    pub fn resume(len: usize, batch_size: usize, seed: u32, drawn: u64) -> Result<Self> {
        let mut batches = Batches::new(len, batch_size, seed)?;
        for _ in 0..drawn {
            batches.next_batch();
        }
        Ok(batches)
    }

    /// Batches handed out so far (what [`Batches::resume`] needs).
    pub fn drawn(&self) -> u64 {
        self.drawn
    }

    /// The next batch.
    pub fn next_batch(&mut self) -> &[usize] {
        if self.position + self.batch_size > self.order.len() {
            // Fisher–Yates with the sampler's uniform stream.
            for i in (1..self.order.len()).rev() {
                let j = ((self.rng.next_u32() as u64 * (i as u64 + 1)) >> 32) as usize;
                self.order.swap(i, j);
            }
            self.position = 0;
        }
        let start = self.position;
        self.position += self.batch_size;
        self.drawn += 1;
        &self.order[start..start + self.batch_size]
    }
}

pub(crate) fn context_path<T>(r: std::io::Result<T>, path: &Path, what: &str) -> Result<T> {
    r.with_context(|| format!("cannot {what} {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::Batches;

    #[test]
    fn resumed_batches_continue_the_same_order_across_epochs() {
        // 10 items in batches of 3: an epoch is 3 batches, so 7 drawn
        // batches cross two reshuffles.
        let mut whole = Batches::new(10, 3, 9).unwrap();
        let first: Vec<Vec<usize>> = (0..7).map(|_| whole.next_batch().to_vec()).collect();
        let mut resumed = Batches::resume(10, 3, 9, 7).unwrap();
        assert_eq!(resumed.drawn(), 7);
        for _ in 0..5 {
            assert_eq!(resumed.next_batch(), whole.next_batch());
        }
        // Epochs are reshuffled, not repeated.
        assert_ne!(first[0..3], first[3..6]);
    }
}
