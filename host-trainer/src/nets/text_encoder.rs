//! The bag-of-words text encoder a text-conditioned generator starts with:
//! a prompt's words as a mean multi-hot row (`1/k` for each of its `k`
//! known words), an embedding table (a bias-free Linear layer, so the row
//! times the table is the mean of the words' embeddings), then one Linear
//! layer. Both are linear, so at export the encoder folds into the
//! generator's first layer and the board keeps only the embedding table
//! (see `export::fold`): one table lookup and one mean per prompt.

use burn::module::Module;
use burn::nn::{Initializer, Linear, LinearConfig};
use burn::tensor::{Device, Tensor};

/// The encoder: mean multi-hot `[n, words]` → condition `[n, dim]`.
#[derive(Module, Debug)]
pub struct TextEncoder {
    /// The embedding table, `words × dim` (burn's `[in, out]` weight).
    pub embedding: Linear,
    /// The Linear layer after the mean.
    pub encoder: Linear,
    /// The vocabulary, in the table's row order.
    #[module(skip)]
    pub words: Vec<String>,
}

impl TextEncoder {
    /// A fresh encoder for `words` with `dim`-wide embeddings: the table
    /// N(0, 1), as word embeddings usually start.
    pub fn new(words: &[String], dim: usize, device: &Device) -> TextEncoder {
        TextEncoder {
            embedding: LinearConfig::new(words.len(), dim)
                .with_bias(false)
                .with_initializer(Initializer::Normal { mean: 0.0, std: 1.0 })
                .init(device),
            encoder: LinearConfig::new(dim, dim).init(device),
            words: words.to_vec(),
        }
    }

    /// Width of the condition it makes.
    pub fn dim(&self) -> usize {
        self.encoder.weight.val().dims()[1]
    }

    /// `[n, words]` mean multi-hot rows → `[n, dim]` conditions.
    pub fn forward(&self, words: Tensor<2>) -> Tensor<2> {
        self.encoder.forward(self.embedding.forward(words))
    }
}
