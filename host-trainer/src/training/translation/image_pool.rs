//! CycleGAN's image pool (Shrivastava et al. 2017): each discriminator
//! judges a mix of this step's fakes and fakes from earlier steps, so that
//! it does not chase the generator's latest change alone.
//!
//! Until the pool is full every fake is kept and judged as it is; then
//! each fake, with probability ½, is swapped for a random stored one (the
//! stored one is judged, the new one takes its place). The pool is part of
//! the checkpoint, and its random draws come from a seed per step, so a
//! resumed run swaps exactly as the uninterrupted run does.

use anyhow::{Context, Result, bail};
use burn::tensor::{Tensor, TensorData};
use std::path::Path;

/// Past fakes, flattened `C·H·W` floats each.
#[derive(Debug, Clone, PartialEq)]
pub struct ImagePool {
    capacity: usize,
    images: Vec<Vec<f32>>,
}

/// SplitMix64: a few random numbers per step from one seed.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

impl ImagePool {
    /// An empty pool holding up to `capacity` images (0: no pool; every
    /// fake is judged as it is).
    pub fn new(capacity: usize) -> Self {
        ImagePool { capacity, images: Vec::with_capacity(capacity) }
    }

    /// Images stored.
    pub fn len(&self) -> usize {
        self.images.len()
    }

    /// Whether nothing is stored yet.
    pub fn is_empty(&self) -> bool {
        self.images.is_empty()
    }

    /// What the discriminator judges in place of `fakes` (`[n, C, H, W]`,
    /// detached), with this step's random draws seeded by `seed`.
    pub fn query(&mut self, fakes: Tensor<4>, seed: u64) -> Tensor<4> {
        if self.capacity == 0 {
            return fakes;
        }
        let dims = fakes.dims();
        let device = fakes.device();
        let per_image = dims[1] * dims[2] * dims[3];
        let values = fakes.into_data().try_to_vec::<f32>().expect("fakes are f32");
        let mut rng = SplitMix(seed);
        let mut out = Vec::with_capacity(values.len());
        for image in values.chunks_exact(per_image) {
            if self.images.len() < self.capacity {
                self.images.push(image.to_vec());
                out.extend_from_slice(image);
            } else if rng.next() >> 63 == 1 {
                let k = (rng.next() % self.capacity as u64) as usize;
                out.extend_from_slice(&self.images[k]);
                self.images[k] = image.to_vec();
            } else {
                out.extend_from_slice(image);
            }
        }
        Tensor::from_data(TensorData::new(out, dims), &device)
    }

    /// Writes the pool: capacity, count and image length as little-endian
    /// `u32`s, then the floats.
    pub fn save(&self, path: &Path) -> Result<()> {
        let per_image = self.images.first().map_or(0, Vec::len);
        let mut bytes = Vec::with_capacity(12 + 4 * per_image * self.images.len());
        for n in [self.capacity, self.images.len(), per_image] {
            bytes.extend_from_slice(&(n as u32).to_le_bytes());
        }
        for v in self.images.iter().flatten() {
            bytes.extend_from_slice(&v.to_le_bytes());
        }
        std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
    }

    /// Reads a pool written by [`ImagePool::save`].
    pub fn load(path: &Path) -> Result<Self> {
        let bytes = std::fs::read(path).with_context(|| format!("cannot read the image pool {}", path.display()))?;
        let word = |i: usize| bytes.get(4 * i..4 * i + 4).map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")) as usize);
        let (Some(capacity), Some(count), Some(per_image)) = (word(0), word(1), word(2)) else {
            bail!("{} is truncated: start a new run, or restore the checkpoint", path.display());
        };
        if bytes.len() != 12 + 4 * count * per_image || count > capacity {
            bail!("{} is corrupt (its size does not match its header): start a new run", path.display());
        }
        let floats: Vec<f32> = bytes[12..].chunks_exact(4).map(|b| f32::from_le_bytes(b.try_into().expect("4 bytes"))).collect();
        let images = if per_image == 0 { Vec::new() } else { floats.chunks_exact(per_image).map(<[f32]>::to_vec).collect() };
        Ok(ImagePool { capacity, images })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::Device;

    fn batch(values: &[f32]) -> Tensor<4> {
        Tensor::from_data(TensorData::new(values.to_vec(), [values.len(), 1, 1, 1]), &Device::flex())
    }

    fn values(t: Tensor<4>) -> Vec<f32> {
        t.into_data().try_to_vec::<f32>().unwrap()
    }

    #[test]
    fn the_pool_fills_first_then_swaps_about_half_and_saves_exactly() {
        let mut pool = ImagePool::new(4);
        // Filling: every fake is judged as it is and kept.
        assert_eq!(values(pool.query(batch(&[1.0, 2.0, 3.0]), 7)), [1.0, 2.0, 3.0]);
        assert_eq!(values(pool.query(batch(&[4.0]), 8)), [4.0]);
        assert_eq!(pool.len(), 4);
        // Full: what comes back is either the new fake or a stored one, and
        // a swapped-out image is replaced by the new one.
        let mut swapped = 0;
        for step in 0..200u64 {
            let new = 100.0 + step as f32;
            let before = pool.clone();
            let out = values(pool.query(batch(&[new]), step))[0];
            if out != new {
                swapped += 1;
                assert!(before.images.iter().any(|im| im[0] == out), "a stored image came back");
                assert!(pool.images.iter().any(|im| im[0] == new), "the new fake took its place");
            } else {
                assert_eq!(pool, before);
            }
        }
        assert!((70..130).contains(&swapped), "about half swap: {swapped} of 200");
        // The same seed swaps the same way; the file restores the pool.
        let dir = std::env::temp_dir().join(format!("pocketgan-pool-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("pool.bin");
        pool.save(&path).unwrap();
        let mut back = ImagePool::load(&path).unwrap();
        assert_eq!(back, pool);
        assert_eq!(values(back.query(batch(&[9.0, 8.0]), 3)), values(pool.query(batch(&[9.0, 8.0]), 3)));
        std::fs::write(&path, [1, 2, 3]).unwrap();
        assert!(ImagePool::load(&path).unwrap_err().to_string().contains("truncated"));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_pool_of_zero_passes_fakes_through() {
        let mut pool = ImagePool::new(0);
        assert_eq!(values(pool.query(batch(&[1.0, 2.0]), 1)), [1.0, 2.0]);
        assert!(pool.is_empty());
    }
}
