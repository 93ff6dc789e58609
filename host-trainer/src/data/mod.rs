//! Training images: the bundled MNIST digits, Fashion-MNIST from Debian's
//! package, or a folder of the user's own pictures; 2-D toy distributions;
//! pairs of images for translation; captions measured on the images.

mod batches;
pub mod captions;
mod folder;
mod idx;
mod image_set;
mod npm_digits;
pub mod spoken_digits;
pub mod spoken_features;
pub mod toy;
pub mod translation;
pub mod wav;

pub use batches::Batches;
pub use folder::{FolderOptions, ResizeMode};
pub(crate) use folder::collect_files;
pub use image_set::ImageSet;
pub use npm_digits::convert_npm_digits;
pub use toy::{DrawnPoints, ToyData, ToyDistribution};

use anyhow::{Result, bail};
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
    find_bundled(BUNDLED_DIGITS, "images-idx3-ubyte.gz", "the bundled digits")
}

/// Finds the bundled data folder `folder` (`data/NAME`, holding `marker`)
/// in the working directory, under `$POCKETGAN_DATA`, or in the checkout
/// the binary was built from.
pub(crate) fn find_bundled(folder: &str, marker: &str, what: &str) -> Result<PathBuf> {
    let mut candidates = Vec::new();
    let name = Path::new(folder).file_name().unwrap_or_default();
    if let Ok(dir) = std::env::var("POCKETGAN_DATA") {
        candidates.push(PathBuf::from(dir).join(name));
    }
    candidates.push(PathBuf::from(folder));
    candidates.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(folder));
    for c in &candidates {
        if c.join(marker).exists() {
            return Ok(c.clone());
        }
    }
    bail!(
        "{what} are missing (looked in {}): run pocketgan from a pocketgan \
         checkout, or set POCKETGAN_DATA to the checkout's data/ folder",
        candidates.iter().map(|c| c.display().to_string()).collect::<Vec<_>>().join(", ")
    )
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
