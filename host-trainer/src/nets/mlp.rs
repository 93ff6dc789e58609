//! Small fully connected networks for 2-D toy distributions (GAN Lab's
//! setting): the generator maps a latent to a point of the plane, the
//! critic a point to a logit.

use super::critic_layers::{CriticLinear, leaky_mask};
use super::minibatch_std::append_to_features;
use burn::config::Config;
use burn::module::Module;
use burn::nn::{Initializer, Linear, LinearConfig};
use burn::tensor::activation::{leaky_relu, relu};
use burn::tensor::{Device, Tensor};

/// Shape of a toy generator or critic.
#[derive(Config, Debug)]
pub struct MlpConfig {
    /// Latent size (generator input; ignored by the critic).
    #[config(default = 8)]
    pub latent_dim: usize,
    /// Hidden layers.
    #[config(default = 2)]
    pub layers: usize,
    /// Neurons per hidden layer.
    #[config(default = 128)]
    pub neurons: usize,
    /// Spectral normalization of the critic's layers.
    #[config(default = false)]
    pub spectral_norm: bool,
    /// Points the critic judges at once (PacGAN): its input is `2 × pack` wide.
    #[config(default = 1)]
    pub pack: usize,
    /// A minibatch standard-deviation feature before the critic's output layer.
    #[config(default = false)]
    pub minibatch_std: bool,
    /// The data's centre, x (see [`crate::data::toy::Normalization`]).
    #[config(default = 0.0)]
    pub centre_x: f32,
    /// The data's centre, y.
    #[config(default = 0.0)]
    pub centre_y: f32,
    /// The data's spread: the networks work in `(x − centre) / scale`.
    #[config(default = 1.0)]
    pub scale: f32,
}

/// Uniform He-style initialisation (burn's default for Linear).
fn init() -> Initializer {
    Initializer::KaimingUniform { gain: 1.0 / 3.0f64.sqrt(), fan_out_only: false }
}

/// `latent → 2`: ReLU hidden layers, a linear output, then the data's
/// scale and centre: `centre + scale · net(z)`, so the network itself
/// works at unit scale whatever the data's.
#[derive(Module, Debug)]
pub struct MlpGenerator {
    /// Hidden layers then the output layer.
    pub layers: Vec<Linear>,
    /// Latent size.
    pub latent_dim: usize,
    /// The data's centre (x, y).
    pub centre: [f32; 2],
    /// The data's spread.
    pub scale: f32,
}

/// `2 × pack → 1` logit: the data standardized (`(x − centre) / scale`),
/// LeakyReLU 0.2 hidden layers, optionally spectrally normalized,
/// optionally a minibatch-std feature before the output.
#[derive(Module, Debug)]
pub struct MlpCritic {
    /// Hidden layers then the output layer.
    pub layers: Vec<CriticLinear>,
    /// The data's centre (x, y).
    pub centre: [f32; 2],
    /// The data's spread.
    pub scale: f32,
    /// Whether the output layer also sees [`minibatch_std::group_std`](super::minibatch_std::group_std).
    pub minibatch_std: bool,
}

impl MlpConfig {
    fn widths(&self, input: usize, output: usize) -> Vec<(usize, usize)> {
        let mut dims = vec![input];
        dims.extend(std::iter::repeat_n(self.neurons, self.layers));
        dims.push(output);
        dims.windows(2).map(|w| (w[0], w[1])).collect()
    }

    /// Checks that the networks have something to learn with.
    pub fn validate(&self) -> anyhow::Result<()> {
        if self.latent_dim == 0 || self.latent_dim > 1024 || self.layers == 0 || self.neurons == 0 || self.layers > 16 || self.neurons > 4096 {
            anyhow::bail!(
                "toy networks need 1-16 hidden layers of 1-4096 neurons and a latent of 1-1024 \
                 (got {} layers × {} neurons, latent {})",
                self.layers,
                self.neurons,
                self.latent_dim
            );
        }
        Ok(())
    }

    /// A fresh generator.
    pub fn init_generator(&self, device: &Device) -> MlpGenerator {
        let layers = self
            .widths(self.latent_dim, 2)
            .into_iter()
            .map(|(i, o)| LinearConfig::new(i, o).with_initializer(init()).init(device))
            .collect();
        MlpGenerator { layers, latent_dim: self.latent_dim, centre: [self.centre_x, self.centre_y], scale: self.scale }
    }

    /// A fresh critic.
    pub fn init_critic(&self, device: &Device) -> MlpCritic {
        let mut widths = self.widths(2 * self.pack, 1);
        if self.minibatch_std {
            widths.last_mut().expect("a critic has layers").0 += 1;
        }
        let layers = widths.into_iter().map(|(i, o)| CriticLinear::new(i, o, true, self.spectral_norm, init(), device)).collect();
        MlpCritic { layers, minibatch_std: self.minibatch_std, centre: [self.centre_x, self.centre_y], scale: self.scale }
    }
}

impl MlpGenerator {
    /// `[n, latent]` → `[n, 2]`.
    pub fn forward(&self, z: Tensor<2>) -> Tensor<2> {
        let (last, hidden) = self.layers.split_last().expect("a generator has layers");
        let x = hidden.iter().fold(z, |x, layer| relu(layer.forward(x)));
        self.to_data_units(last.forward(x))
    }

    /// The network's unit-scale output `[n, 2]` as points of the data:
    /// `centre + scale · unit`.
    pub fn to_data_units(&self, unit: Tensor<2>) -> Tensor<2> {
        let centre = Tensor::<1>::from_floats(self.centre, &unit.device()).reshape([1, 2]);
        unit.mul_scalar(self.scale) + centre
    }
}

impl MlpCritic {
    /// `(x − centre) / scale` for every point of a (packed) row.
    fn standardize(&self, x: Tensor<2>) -> Tensor<2> {
        let points = x.dims()[1] / 2;
        let centre = Tensor::<1>::from_floats(self.centre, &x.device()).reshape([1, 2]).repeat_dim(1, points);
        (x - centre).div_scalar(self.scale)
    }

    /// `[n, 2 × pack]` → `[n, 1]` logits.
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        let (last, hidden) = self.layers.split_last().expect("a critic has layers");
        let x = hidden.iter().fold(self.standardize(x), |x, layer| leaky_relu(layer.forward(x), 0.2));
        last.forward(if self.minibatch_std { append_to_features(x) } else { x })
    }

    /// Points judged one by one, `[n, 2]` → `[n, 1]`: a packing critic
    /// sees each point as a group of copies of itself.
    pub fn forward_points(&self, points: Tensor<2>) -> Tensor<2> {
        let pack = self.layers[0].inner.weight.val().dims()[0] / 2;
        self.forward(points.repeat_dim(1, pack))
    }

    /// ∂D(x)/∂x per sample, as tracked operations (see [`gradient_penalty`](mod@crate::training::objectives::gradient_penalty)).
    pub fn input_gradient(&self, x: Tensor<2>) -> Tensor<2> {
        let (last, hidden) = self.layers.split_last().expect("a critic has layers");
        let mut pre = Vec::with_capacity(hidden.len());
        let mut a = self.standardize(x.clone());
        for layer in hidden {
            let p = layer.forward(a);
            a = leaky_relu(p.clone(), 0.2);
            pre.push(p);
        }
        let n = x.dims()[0];
        let mut g = last.input_gradient(Tensor::ones([n, 1], &x.device()));
        if self.minibatch_std {
            // The group feature is a constant here (see minibatch_std).
            let features = g.dims()[1] - 1;
            g = g.slice([0..n, 0..features]);
        }
        for (layer, p) in hidden.iter().zip(pre).rev() {
            g = layer.input_gradient(g * leaky_mask(p));
        }
        // Through the standardization: ∂/∂x = ∂/∂x' / scale.
        g.div_scalar(self.scale)
    }

    /// Turns spectral normalization of every layer on (fresh power-iteration
    /// state) or off, keeping the weights: an objective switched mid-run.
    pub fn set_spectral_norm(&mut self, on: bool, device: &Device) {
        for layer in &mut self.layers {
            match (on, layer.spectral.is_some()) {
                (true, false) => {
                    let rows = layer.inner.weight.val().dims()[0];
                    layer.spectral = Some(super::spectral_norm::SpectralNorm::new(rows, device));
                }
                (false, true) => layer.spectral = None,
                _ => {}
            }
        }
    }

    /// One spectral-norm power iteration in every layer.
    pub fn power_iteration(&mut self) {
        self.layers.iter_mut().for_each(CriticLinear::power_iteration);
    }
}
