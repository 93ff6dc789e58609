//! DCGAN (Radford et al., 2015), sized for microcontrollers: a linear
//! projection to a small feature map, then stride-2 transposed convolutions
//! (kernel 4, padding 1) with batch norm and ReLU, ending in `tanh`. The
//! discriminator mirrors it with stride-2 convolutions and LeakyReLU 0.2.

use burn::config::Config;
use burn::module::Module;
use super::critic_layers::{CriticConv, CriticLinear, leaky, leaky_mask};
use super::audio_encoder::AudioEncoder;
use super::text_encoder::TextEncoder;
use burn::nn::conv::{ConvTranspose2d, ConvTranspose2dConfig};
use burn::nn::{BatchNorm, BatchNormConfig, Initializer, Linear, LinearConfig};
use burn::tensor::activation::relu;
use burn::tensor::{Device, Tensor};

/// DCGAN's initialisation: N(0, 0.02) weights.
pub fn dcgan_init() -> Initializer {
    Initializer::Normal { mean: 0.0, std: 0.02 }
}

/// How many stride-2 stages turn a `start × start` map into the image, for
/// an image side: halve while even and above 7 (28 → 7 in 2, 32 → 4 in 3,
/// 64 → 4 in 4).
pub fn upsampling_stages(height: usize, width: usize) -> Option<(usize, [usize; 2])> {
    let mut stages = 0;
    let (mut h, mut w) = (height, width);
    while h % 2 == 0 && w % 2 == 0 && h.min(w) > 7 {
        h /= 2;
        w /= 2;
        stages += 1;
    }
    (stages >= 1 && h > 0 && w > 0).then_some((stages, [h, w]))
}

/// Configuration of a [`Generator`].
#[derive(Config, Debug)]
pub struct GeneratorConfig {
    /// Latent size.
    #[config(default = 32)]
    pub latent_dim: usize,
    /// Class count for a conditional generator (0: unconditional); for a
    /// text model, the vocabulary's size (its input's condition columns
    /// are mean multi-hot rows of words).
    #[config(default = 0)]
    pub classes: usize,
    /// A text model's vocabulary (empty: not a text model).
    #[config(default = "Vec::new()")]
    pub vocabulary: Vec<String>,
    /// Width of a text model's word embeddings.
    #[config(default = 16)]
    pub text_dim: usize,
    /// A sound model's labels, the encoder's outputs (empty: not a sound
    /// model). Its condition columns are the spoken label's one-hot row
    /// (for the discriminator and the encoder's cross-entropy), then the
    /// recording's feature rows (for the encoder).
    #[config(default = "Vec::new()")]
    pub labels: Vec<String>,
    /// Frames a sound model's encoder reads.
    #[config(default = 32)]
    pub audio_frames: usize,
    /// A sound model's front-end shift per coefficient.
    #[config(default = "Vec::new()")]
    pub audio_shifts: Vec<i8>,
    /// Output height.
    #[config(default = 28)]
    pub height: usize,
    /// Output width.
    #[config(default = 28)]
    pub width: usize,
    /// Output channels (1 or 3).
    #[config(default = 1)]
    pub channels: usize,
    /// Channels of the first feature map; each stage halves them (at least 8).
    #[config(default = 64)]
    pub base_channels: usize,
}

/// One upsampling stage: transposed conv ×2, batch norm, ReLU.
#[derive(Module, Debug)]
pub struct UpBlock {
    /// The ×2 transposed convolution.
    pub conv: ConvTranspose2d,
    /// Its batch norm (folded into the conv at export).
    pub norm: BatchNorm,
}

/// The DCGAN generator.
#[derive(Module, Debug)]
pub struct Generator {
    /// Latent (+ one-hot class) to the first feature map.
    pub project: Linear,
    /// Batch norm of the first feature map.
    pub project_norm: BatchNorm,
    /// Upsampling stages with batch norm and ReLU.
    pub blocks: Vec<UpBlock>,
    /// The last ×2 stage, to image channels, before `tanh`.
    pub to_image: ConvTranspose2d,
    /// Channels of the first feature map.
    pub start_channels: usize,
    /// Height of the first feature map.
    pub start_height: usize,
    /// Width of the first feature map.
    pub start_width: usize,
    /// Latent size.
    pub latent_dim: usize,
    /// Class count (0: unconditional), or a text model's vocabulary size.
    pub classes: usize,
    /// A text model's encoder: the condition columns through it before `project`.
    pub text: Option<TextEncoder>,
    /// A sound model's encoder: the feature columns through it before `project`.
    pub audio: Option<AudioEncoder>,
    /// For a sound model, condition rows (`classes` wide) of real
    /// recordings, flattened: what an average's batch norm is measured
    /// with (a seed cannot make a recording). Set by the trainer.
    #[module(skip)]
    pub recalibration_conditions: Vec<f32>,
}

fn stage_channels(base: usize, i: usize) -> usize {
    (base >> i).max(8)
}

fn up_conv(from: usize, to: usize, device: &Device) -> ConvTranspose2d {
    ConvTranspose2dConfig::new([from, to], [4, 4])
        .with_stride([2, 2])
        .with_padding([1, 1])
        .with_initializer(dcgan_init())
        .init(device)
}

impl GeneratorConfig {
    /// Reads a run's `generator.json`. Files written before text models
    /// have no `vocabulary` or `text_dim`: they are no text model, and get
    /// the defaults (burn's own loader would refuse them).
    pub fn read(path: &std::path::Path) -> anyhow::Result<GeneratorConfig> {
        let text = std::fs::read_to_string(path)?;
        let mut value: serde_json::Value = serde_json::from_str(&text)?;
        if let Some(fields) = value.as_object_mut() {
            fields.entry("vocabulary").or_insert_with(|| serde_json::json!([]));
            fields.entry("text_dim").or_insert_with(|| serde_json::json!(16));
            fields.entry("labels").or_insert_with(|| serde_json::json!([]));
            fields.entry("audio_frames").or_insert_with(|| serde_json::json!(32));
            fields.entry("audio_shifts").or_insert_with(|| serde_json::json!([]));
        }
        Ok(serde_json::from_value(value)?)
    }

    /// Checks the shape and returns the stage count and first-map size.
    pub fn stages(&self) -> anyhow::Result<(usize, [usize; 2])> {
        upsampling_stages(self.height, self.width).ok_or_else(|| {
            anyhow::anyhow!(
                "a {}×{} image cannot be generated by ×2 stages: use sides like 28, 32 or 64",
                self.width,
                self.height
            )
        })
    }

    /// Builds a generator with freshly initialised weights.
    pub fn init(&self, device: &Device) -> anyhow::Result<Generator> {
        let (stages, [sh, sw]) = self.stages()?;
        let c0 = stage_channels(self.base_channels, 0);
        let text = (!self.vocabulary.is_empty()).then(|| TextEncoder::new(&self.vocabulary, self.text_dim, device));
        if text.is_some() && self.classes != self.vocabulary.len() {
            anyhow::bail!("a text generator's condition columns are its {} words, not {}", self.vocabulary.len(), self.classes);
        }
        if !self.labels.is_empty() && self.audio_shifts.len() != pocketgan_shared::audio::COEFFICIENTS {
            anyhow::bail!("a sound generator needs one feature shift per coefficient ({}), not {}", pocketgan_shared::audio::COEFFICIENTS, self.audio_shifts.len());
        }
        let audio = (!self.labels.is_empty()).then(|| AudioEncoder::new(self.audio_frames, &self.audio_shifts, &self.labels, device));
        if let Some(audio) = &audio
            && self.classes != self.labels.len() + audio.columns()
        {
            anyhow::bail!("a sound generator's condition columns are its {} labels and {} features, not {}", self.labels.len(), audio.columns(), self.classes);
        }
        let condition = match (&text, &audio) {
            (Some(text), _) => text.dim(),
            (None, Some(audio)) => audio.labels(),
            (None, None) => self.classes,
        };
        let project = LinearConfig::new(self.latent_dim + condition, c0 * sh * sw)
            .with_initializer(dcgan_init())
            .init(device);
        let blocks = (0..stages - 1)
            .map(|i| UpBlock {
                conv: up_conv(stage_channels(self.base_channels, i), stage_channels(self.base_channels, i + 1), device),
                norm: BatchNormConfig::new(stage_channels(self.base_channels, i + 1)).init(device),
            })
            .collect();
        let last = stage_channels(self.base_channels, stages - 1);
        Ok(Generator {
            project,
            project_norm: BatchNormConfig::new(c0).init(device),
            blocks,
            to_image: up_conv(last, self.channels, device),
            start_channels: c0,
            start_height: sh,
            start_width: sw,
            latent_dim: self.latent_dim,
            classes: self.classes,
            text,
            audio,
            recalibration_conditions: Vec::new(),
        })
    }
}

impl Generator {
    /// `[n, latent (+ classes)]` → `[n, channels, height, width]` in `[-1, 1]`.
    pub fn forward(&self, z: Tensor<2>) -> Tensor<4> {
        let stages = self.forward_stages(z);
        stages.into_iter().last().expect("a generator has stages")
    }

    /// Every stage's output after its activation (the tensors the int8
    /// model stores), the last one being the image.
    pub fn forward_stages(&self, z: Tensor<2>) -> Vec<Tensor<4>> {
        let n = z.dims()[0];
        let width = z.dims()[1];
        let z = match (&self.text, &self.audio) {
            (Some(text), _) => {
                let latent = z.clone().slice([0..n, 0..self.latent_dim]);
                let words = z.slice([0..n, self.latent_dim..width]);
                Tensor::cat(vec![latent, text.forward(words)], 1)
            }
            (None, Some(audio)) => {
                let latent = z.clone().slice([0..n, 0..self.latent_dim]);
                let features = z.slice([0..n, self.latent_dim + audio.labels()..width]);
                Tensor::cat(vec![latent, audio.forward(features)], 1)
            }
            (None, None) => z,
        };
        let x = self.project.forward(z).reshape([n, self.start_channels, self.start_height, self.start_width]);
        let mut x = relu(self.project_norm.forward(x));
        let mut out = vec![x.clone()];
        for block in &self.blocks {
            x = relu(block.norm.forward(block.conv.forward(x)));
            out.push(x.clone());
        }
        out.push(self.to_image.forward(x).tanh());
        out
    }

    /// A sound model's encoder logits for generator input rows (latent,
    /// label one-hot, features) and its cross-entropy against the labels;
    /// `None` for other generators.
    pub fn hearing_loss(&self, input: Tensor<2>) -> Option<Tensor<1>> {
        let audio = self.audio.as_ref()?;
        let [n, width] = input.dims();
        let start = self.latent_dim;
        let labels = input.clone().slice([0..n, start..start + audio.labels()]);
        let logits = audio.forward(input.slice([0..n, start + audio.labels()..width]));
        let log_p = burn::tensor::activation::log_softmax(logits, 1);
        Some((log_p * labels).sum_dim(1).mean().neg())
    }

    /// The generator with its batch norms' running statistics replaced by
    /// those of `input` (one batch, run in training mode on an autodiff
    /// device; elsewhere it is unchanged). What an averaged generator needs
    /// before it is drawn or exported: its weights are not the ones the
    /// running statistics were measured with.
    pub fn recalibrate_batch_norm(mut self, input: Tensor<2>) -> Self {
        let momentum = self.project_norm.momentum;
        // Momentum 1: the running statistics become this batch's exactly.
        self.set_batch_norm_momentum(1.0);
        let _ = self.forward(input);
        self.set_batch_norm_momentum(momentum);
        self
    }

    fn set_batch_norm_momentum(&mut self, momentum: f64) {
        self.project_norm.momentum = momentum;
        for block in &mut self.blocks {
            block.norm.momentum = momentum;
        }
    }
}

/// Inputs an average's batch norm is measured with ([`Generator::recalibrate_batch_norm`]).
pub const RECALIBRATION_SAMPLES: usize = 512;
/// First seed of those inputs (far from the seeds sample grids show).
pub const RECALIBRATION_SEED: u32 = 1 << 20;

/// Configuration of a [`Discriminator`].
#[derive(Config, Debug)]
pub struct DiscriminatorConfig {
    /// Input height.
    #[config(default = 28)]
    pub height: usize,
    /// Input width.
    #[config(default = 28)]
    pub width: usize,
    /// Input channels.
    #[config(default = 1)]
    pub channels: usize,
    /// Channels of the first convolution; each stage doubles them.
    #[config(default = 32)]
    pub base_channels: usize,
    /// Batch norm after every convolution but the first (DCGAN). A critic
    /// trained with a gradient penalty must not have it: it couples samples.
    #[config(default = true)]
    pub batch_norm: bool,
    /// Spectral normalization of every layer (SNGAN).
    #[config(default = false)]
    pub spectral_norm: bool,
    /// Class count for a conditional (projection) discriminator; 0: none.
    #[config(default = 0)]
    pub classes: usize,
    /// Images the discriminator judges at once (PacGAN), stacked as channels.
    #[config(default = 1)]
    pub pack: usize,
    /// A minibatch standard-deviation channel after the last convolution.
    #[config(default = false)]
    pub minibatch_std: bool,
}

/// The DCGAN discriminator: logits, no sigmoid (the losses take logits).
///
/// Conditional on a class `y` it is a projection discriminator (Miyato &
/// Koyama, 2018): `D(x, y) = head(φ(x)) + ⟨embed(y), φ(x)⟩`.
#[derive(Module, Debug)]
pub struct Discriminator {
    /// Stride-2 convolutions, each followed by LeakyReLU 0.2.
    pub convs: Vec<CriticConv>,
    /// Batch norm after every convolution but the first (as in DCGAN); empty when disabled.
    pub norms: Vec<BatchNorm>,
    /// Flattened features to one logit.
    pub head: CriticLinear,
    /// Class embedding for the projection term (one-hot `[n, classes]` → features).
    pub embed: Option<CriticLinear>,
    /// Whether φ(x) ends with a minibatch standard-deviation channel.
    pub minibatch_std: bool,
}

impl DiscriminatorConfig {
    /// Builds a discriminator with freshly initialised weights.
    pub fn init(&self, device: &Device) -> anyhow::Result<Discriminator> {
        let (stages, [sh, sw]) = upsampling_stages(self.height, self.width)
            .ok_or_else(|| anyhow::anyhow!("unsupported image size {}×{}", self.width, self.height))?;
        let mut convs = Vec::new();
        let mut norms = Vec::new();
        let mut c = self.channels * self.pack.max(1);
        for i in 0..stages {
            let next = self.base_channels << i;
            if i > 0 && self.batch_norm {
                norms.push(BatchNormConfig::new(next).init(device));
            }
            convs.push(CriticConv::new(c, next, 4, 2, 1, self.spectral_norm, dcgan_init(), device));
            c = next;
        }
        let features = (c + self.minibatch_std as usize) * sh * sw;
        let head = CriticLinear::new(features, 1, true, self.spectral_norm, dcgan_init(), device);
        let embed = (self.classes > 0)
            .then(|| CriticLinear::new(self.classes, features, false, self.spectral_norm, dcgan_init(), device));
        Ok(Discriminator { convs, norms, head, embed, minibatch_std: self.minibatch_std })
    }
}

impl Discriminator {
    /// `[n, C, H, W]` (and one-hot classes `[n, classes]` when conditional) → `[n, 1]` logits.
    pub fn forward(&self, x: Tensor<4>, classes: Option<Tensor<2>>) -> Tensor<2> {
        let (features, _) = self.features(x);
        self.project(features, classes)
    }

    /// φ(x) flattened, and every convolution's pre-activation and input size.
    fn features(&self, x: Tensor<4>) -> (Tensor<2>, Vec<(Tensor<4>, [usize; 2])>) {
        let mut x = x;
        let mut trace = Vec::with_capacity(self.convs.len());
        for (i, conv) in self.convs.iter().enumerate() {
            let [_, _, h, w] = x.dims();
            let mut pre = conv.forward(x);
            if i > 0 && !self.norms.is_empty() {
                pre = self.norms[i - 1].forward(pre);
            }
            x = leaky(pre.clone());
            trace.push((pre, [h, w]));
        }
        if self.minibatch_std {
            x = crate::nets::minibatch_std::append_to_maps(x);
        }
        let n = x.dims()[0];
        (x.reshape([n as i32, -1]), trace)
    }

    fn project(&self, features: Tensor<2>, classes: Option<Tensor<2>>) -> Tensor<2> {
        let logits = self.head.forward(features.clone());
        match (&self.embed, classes) {
            (Some(embed), Some(y)) => logits + (embed.forward(Self::own_columns(embed, y)) * features).sum_dim(1),
            _ => logits,
        }
    }

    /// The condition columns the projection reads: the first ones (a sound
    /// model's rows carry the spoken label's one-hot first, then the
    /// recording's features, which are the generator's alone).
    fn own_columns(embed: &CriticLinear, y: Tensor<2>) -> Tensor<2> {
        let [n, width] = y.dims();
        let own = embed.inner.weight.val().dims()[0];
        if width > own { y.slice([0..n, 0..own]) } else { y }
    }

    /// ∂D(x, y)/∂x for every sample, built from tracked operations so a
    /// loss on it can be differentiated again (see [`gradient_penalty`](mod@crate::training::objectives::gradient_penalty)).
    /// `None` with batch norm, whose batch statistics mix the samples.
    pub fn input_gradient(&self, x: Tensor<4>, classes: Option<Tensor<2>>) -> Option<Tensor<4>> {
        if !self.norms.is_empty() {
            return None;
        }
        let n = x.dims()[0];
        let device = x.device();
        let (_, trace) = self.features(x);
        // ∂logit/∂φ = head weight (+ embed(y) for the projection term).
        let mut g = self.head.input_gradient(Tensor::ones([n, 1], &device));
        if let (Some(embed), Some(y)) = (&self.embed, classes) {
            g = g + embed.forward(Self::own_columns(embed, y));
        }
        let (last_pre, _) = trace.last().expect("a discriminator has convolutions");
        let [_, c, h, w] = last_pre.dims();
        // The minibatch-std channel (the last h·w features) is a constant here.
        let mut g: Tensor<4> = g.slice([0..n, 0..c * h * w]).reshape([n, c, h, w]);
        for (conv, (pre, input_hw)) in self.convs.iter().zip(&trace).rev() {
            g = conv.input_gradient(g * leaky_mask(pre.clone()), *input_hw);
        }
        Some(g)
    }

    /// One spectral-norm power iteration in every layer.
    pub fn power_iteration(&mut self) {
        for conv in &mut self.convs {
            conv.power_iteration();
        }
        self.head.power_iteration();
        if let Some(embed) = &mut self.embed {
            embed.power_iteration();
        }
    }
}
