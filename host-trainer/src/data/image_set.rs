//! Images in memory, and the error context every loader adds.

use anyhow::{Context, Result};
use burn::tensor::{Device, Tensor, TensorData};
use std::path::Path;

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

    /// The images (and labels) at `indices`, in that order.
    pub fn select(&self, indices: &[usize], description: String) -> ImageSet {
        let n = self.image_len();
        ImageSet {
            description,
            pixels: indices.iter().flat_map(|&i| self.pixels[i * n..(i + 1) * n].iter().copied()).collect(),
            labels: self.labels.as_ref().map(|l| indices.iter().map(|&i| l[i]).collect()),
            ..*self
        }
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

    /// The training and the test split: the last tenth of each class (or,
    /// unlabelled, of the whole set) is held out; see [`held_out_per_class`].
    pub fn split_per_class(&self) -> (ImageSet, ImageSet) {
        let (train, test) = match &self.labels {
            Some(labels) => held_out_per_class(labels, 10),
            None => {
                let cut = self.len() - self.len() / 10;
                ((0..cut).collect(), (cut..self.len()).collect())
            }
        };
        let what = if self.labels.is_some() { "the last tenth of each class" } else { "the last tenth" };
        (
            self.select(&train, format!("{} (training split)", self.description)),
            self.select(&test, format!("{} (test split: {what})", self.description)),
        )
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

/// Indices of the training and the test split: the last `1/parts` of each
/// class's images is the test split, so both splits hold the classes in
/// the data's own proportions. (The bundled digits run out of fives before
/// the end: their last 1 000 images hold no five and 223 ones, and a test
/// split cut there made every balanced generator look worse.)
pub(crate) fn held_out_per_class(labels: &[u8], parts: usize) -> (Vec<usize>, Vec<usize>) {
    let classes = labels.iter().map(|&l| l as usize + 1).max().unwrap_or(0);
    let mut total = vec![0usize; classes];
    labels.iter().for_each(|&l| total[l as usize] += 1);
    let mut seen = vec![0usize; classes];
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for (i, &l) in labels.iter().enumerate() {
        let l = l as usize;
        seen[l] += 1;
        if seen[l] > total[l] - total[l] / parts { test.push(i) } else { train.push(i) }
    }
    (train, test)
}

/// `r` with "cannot WHAT PATH" as its error's context.
pub(crate) fn context_path<T>(r: std::io::Result<T>, path: &Path, what: &str) -> Result<T> {
    r.with_context(|| format!("cannot {what} {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::held_out_per_class;

    #[test]
    fn the_test_split_holds_every_class_in_the_data_s_proportions() {
        // Interleaved classes where class 2 runs out early, as the bundled digits' fives do.
        let mut labels: Vec<u8> = (0..60).map(|i| (i % 3) as u8).collect();
        labels.retain(|&l| l != 2);
        labels.extend((0..20).map(|i| (i % 3) as u8));
        let (train, test) = held_out_per_class(&labels, 10);
        assert_eq!(train.len() + test.len(), labels.len());
        let count = |idx: &[usize], c: u8| idx.iter().filter(|&&i| labels[i] == c).count();
        for c in 0..3u8 {
            let total = labels.iter().filter(|&&l| l == c).count();
            assert_eq!(count(&test, c), total / 10, "class {c}");
        }
        // The held-out images are each class's last ones.
        let last_zero = labels.iter().rposition(|&l| l == 0).unwrap();
        assert!(test.contains(&last_zero) && !train.contains(&last_zero));
    }
}
