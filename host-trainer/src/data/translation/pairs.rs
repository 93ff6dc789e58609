//! Two image sets, A (the translator's input) and B (its output), paired
//! image by image or unpaired.

use crate::data::ImageSet;
use anyhow::{Result, bail};

/// A and B for one split of a translation data set.
#[derive(Debug, Clone)]
pub struct ImagePairs {
    /// The inputs (outline, skeleton, printed digit, the user's `A/`).
    pub a: ImageSet,
    /// The outputs (garment, digit, handwritten digit, the user's `B/`).
    pub b: ImageSet,
    /// Whether `a`'s image *i* belongs with `b`'s image *i* (pix2pix); if
    /// not, the sets may differ in length (CycleGAN).
    pub paired: bool,
}

impl ImagePairs {
    /// A and B paired image by image: same count, same height and width
    /// (the channels may differ: a gray sketch can become an RGB photo).
    pub fn paired(a: ImageSet, b: ImageSet) -> Result<Self> {
        if a.len() != b.len() {
            bail!("paired data needs as many A images as B images, got {} and {}", a.len(), b.len());
        }
        same_size(&a, &b)?;
        Ok(ImagePairs { a, b, paired: true })
    }

    /// A and B unpaired: any counts, the same size and channels (each
    /// generator maps one domain onto the other and back).
    pub fn unpaired(a: ImageSet, b: ImageSet) -> Result<Self> {
        same_size(&a, &b)?;
        if a.channels != b.channels {
            bail!(
                "unpaired data needs the same channels on both sides, got {} in A ({}) and {} in B ({}): \
                 load both as gray or both as RGB (--channels)",
                a.channels,
                a.description,
                b.channels,
                b.description
            );
        }
        if a.is_empty() || b.is_empty() {
            bail!("unpaired data needs images on both sides, got {} in A and {} in B", a.len(), b.len());
        }
        Ok(ImagePairs { a, b, paired: false })
    }

    /// A one-line description of both sides.
    pub fn describe(&self) -> String {
        let how = if self.paired { "paired" } else { "unpaired" };
        format!("{} → {} ({how}, {}×{})", self.a.description, self.b.description, self.a.width, self.a.height)
    }
}

fn same_size(a: &ImageSet, b: &ImageSet) -> Result<()> {
    if (a.height, a.width) != (b.height, b.width) {
        bail!(
            "A's images are {}×{} and B's {}×{}: translation needs one size on both sides (--image-size)",
            a.width,
            a.height,
            b.width,
            b.height
        );
    }
    Ok(())
}
