//! Data for image-to-image translation: pairs of images (pix2pix) or two
//! unpaired sets (CycleGAN), made from what installs offline.
//!
//! | name | A → B | pairing | made from |
//! |---|---|---|---|
//! | `outlines` | outline → garment | paired | Fashion-MNIST and its silhouettes' borders ([`outline`]) |
//! | `skeletons` | skeleton → digit | paired | the bundled MNIST digits, thinned ([`skeleton`]) |
//! | `printed-digits` | printed → handwritten | unpaired | digits printed from Debian's fonts ([`printed`]) and the bundled MNIST digits |
//! | a folder | `A/` → `B/` | by file name, or `--unpaired` | the user's images |

pub mod folders;
pub mod outline;
pub mod pairs;
pub mod printed;
pub mod skeleton;

pub use pairs::ImagePairs;

use crate::data::{DataSource, FolderOptions, ImageSet};
use anyhow::{Result, bail};
use std::path::PathBuf;

/// How many printed digits `printed-digits` renders: as many as the
/// bundled handwritten ones.
pub const PRINTED_DIGITS: usize = 10_000;

/// A translation data set, as named on the command line and stored in a
/// run's config.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum TranslationData {
    /// Fashion-MNIST garments from their outlines (paired).
    Outlines,
    /// The bundled digits from their one-pixel skeletons (paired).
    Skeletons,
    /// Printed digits ↔ the bundled handwritten digits (unpaired).
    PrintedDigits {
        /// The seed the printed digits' fonts, sizes and poses are drawn with.
        seed: u32,
    },
    /// The user's folder holding `A/` and `B/`.
    Folders {
        /// The folder.
        path: PathBuf,
        /// Paired by file name (pix2pix) or not (CycleGAN).
        paired: bool,
        /// Size, channels and resizing for both sides.
        options: FolderOptions,
    },
}

/// A data set's training and test splits.
#[derive(Debug, Clone)]
pub struct TranslationSplits {
    /// What the translator learns from.
    pub train: ImagePairs,
    /// Held out: sample grids and `pocketgan eval` use these.
    pub test: ImagePairs,
}

impl TranslationData {
    /// Parses `outlines`, `skeletons`, `printed-digits`, or the path of a
    /// folder holding `A/` and `B/` (`unpaired` for a folder without pairs).
    pub fn parse(spec: &str, unpaired: bool, folder: FolderOptions) -> Result<Self> {
        let builtin = match spec {
            "outlines" | "fashion-outlines" => Some(TranslationData::Outlines),
            "skeletons" | "digit-skeletons" => Some(TranslationData::Skeletons),
            "printed-digits" | "printed" => Some(TranslationData::PrintedDigits { seed: 1 }),
            _ => None,
        };
        if let Some(data) = builtin {
            if unpaired && data.paired() {
                bail!("'{spec}' is a paired data set; --unpaired applies to your own folders (or use printed-digits)");
            }
            return Ok(data);
        }
        let path = PathBuf::from(spec);
        if !path.is_dir() {
            bail!(
                "unknown translation data '{spec}': use 'outlines' (Fashion-MNIST, apt-get install \
                 dataset-fashion-mnist), 'skeletons' or 'printed-digits' (bundled digits), or the path \
                 of a folder holding A/ and B/"
            );
        }
        Ok(TranslationData::Folders { path, paired: !unpaired, options: folder })
    }

    /// Whether A and B come in pairs.
    pub fn paired(&self) -> bool {
        match self {
            TranslationData::Outlines | TranslationData::Skeletons => true,
            TranslationData::PrintedDigits { .. } => false,
            TranslationData::Folders { paired, .. } => *paired,
        }
    }

    /// A short name for run folders and model headers.
    pub fn short_name(&self) -> String {
        match self {
            TranslationData::Outlines => "outlines".into(),
            TranslationData::Skeletons => "skeletons".into(),
            TranslationData::PrintedDigits { .. } => "printed-digits".into(),
            TranslationData::Folders { path, .. } => {
                path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "pairs".into())
            }
        }
    }

    /// Loads both splits. Fashion-MNIST's own test split is the outlines'
    /// test split; the digits and folders hold out the last tenth (of each
    /// class where there are labels).
    pub fn load(&self) -> Result<TranslationSplits> {
        match self {
            TranslationData::Outlines => {
                let train = DataSource::FashionMnist { split: "train".into() }.load()?;
                let test = DataSource::FashionMnist { split: "test".into() }.load()?;
                Ok(TranslationSplits { train: with_outlines(train)?, test: with_outlines(test)? })
            }
            TranslationData::Skeletons => {
                let (train, test) = DataSource::Digits.load()?.split_per_class();
                Ok(TranslationSplits { train: with_skeletons(train)?, test: with_skeletons(test)? })
            }
            TranslationData::PrintedDigits { seed } => {
                let fonts = printed::find_fonts()?;
                let (printed_train, printed_test) = printed::render_digits(&fonts, PRINTED_DIGITS, *seed)?.split_per_class();
                let (hand_train, hand_test) = DataSource::Digits.load()?.split_per_class();
                Ok(TranslationSplits {
                    train: ImagePairs::unpaired(printed_train, hand_train)?,
                    test: ImagePairs::unpaired(printed_test, hand_test)?,
                })
            }
            TranslationData::Folders { path, paired, options } => {
                let all = folders::load(path, *paired, options)?;
                let (a_train, a_test) = all.a.split_per_class();
                let (b_train, b_test) = all.b.split_per_class();
                let join = |a, b| if *paired { ImagePairs::paired(a, b) } else { ImagePairs::unpaired(a, b) };
                Ok(TranslationSplits { train: join(a_train, b_train)?, test: join(a_test, b_test)? })
            }
        }
    }
}

/// Each gray image beside a drawing made from it by `draw`, as A, with the
/// image itself as B; the labels stay on both sides.
fn derived_pairs(images: ImageSet, what: &str, draw: fn(&[u8], usize, usize) -> Vec<u8>) -> Result<ImagePairs> {
    if images.channels != 1 {
        bail!("{what} are drawn from gray images, and {} has {} channels", images.description, images.channels);
    }
    let pixels = (0..images.len()).flat_map(|i| draw(images.image(i), images.width, images.height)).collect();
    let a = ImageSet { description: format!("{what} of {}", images.description), pixels, ..images.clone() };
    ImagePairs::paired(a, images)
}

fn with_outlines(images: ImageSet) -> Result<ImagePairs> {
    derived_pairs(images, "outlines", outline::outline)
}

fn with_skeletons(images: ImageSet) -> Result<ImagePairs> {
    derived_pairs(images, "skeletons", skeleton::skeleton)
}
