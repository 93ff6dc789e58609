//! The order a run sees its images in, replayable for `--resume`.

use anyhow::{Result, bail};
use pocketgan_shared::LatentSampler;

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
