//! The lab's int8 view: the toy generator through the board's quantizer,
//! model format and fixed-point kernels, to see what int8 does to its
//! samples.
//!
//! The format's last layer must be a `tanh` (boards draw images), and a
//! toy generator's output is a point anywhere in the plane. So the last
//! layer's weights are divided by `scale` (half the view's extent) before
//! quantizing, and the board's `tanh` codes are mapped back with
//! `scale · atanh(code / 128)`. That costs resolution at the edges, as a
//! board would: `tanh` codes are steps of 1/128, so near the centre one
//! step is about `scale / 128` and a pre-tanh code about `scale / 45`.

use crate::export::{FloatLayer, quantize_layers};
use crate::nets::MlpGenerator;
use anyhow::{Result, anyhow};
use burn::module::Module;
use burn::tensor::activation::relu;
use burn::tensor::{Tensor, TensorData};
use pocketgan_shared::format::{self, Activation, Header, Model, Op, TensorShape};
use pocketgan_shared::kernels::OUTPUT_CODE_SCALE;
use pocketgan_shared::latent::LATENT_FRAC_BITS;

/// Latents that calibrate the activation ranges.
const CALIBRATION: usize = 512;

/// A toy generator as an int8 model file, and the scale of its output.
pub struct Int8Generator {
    bytes: Vec<u8>,
    scale: f32,
    latent_dim: usize,
}

/// An int8 latent code for a float latent value (round to nearest, saturate).
pub fn latent_code(z: f32) -> i8 {
    (z * (1u32 << LATENT_FRAC_BITS) as f32).round().clamp(-127.0, 127.0) as i8
}

fn values<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().try_to_vec::<f32>().expect("f32 tensors")
}

impl Int8Generator {
    /// Quantizes `generator` for points within `extent` of the origin;
    /// `calibration` are latents (values, row-major) whose activation ranges
    /// the quantizer uses.
    pub fn quantize(generator: &MlpGenerator, extent: f32, calibration: Tensor<2>) -> Result<Self> {
        let generator = generator.valid();
        let scale = extent / 2.0;
        let n = generator.layers.len();
        // The latents as the board sees them: rounded to int8 codes.
        let [rows, latent_dim] = calibration.dims();
        let device = calibration.device();
        let rows = rows.min(CALIBRATION);
        let decoded: Vec<f32> = values(calibration)
            .into_iter()
            .take(rows * latent_dim)
            .map(|z| latent_code(z) as f32 / (1u32 << LATENT_FRAC_BITS) as f32)
            .collect();
        let mut x = Tensor::<2>::from_data(TensorData::new(decoded, [rows, latent_dim]), &device);
        let mut layers = Vec::with_capacity(n);
        let mut ranges = Vec::with_capacity(n);
        for (i, linear) in generator.layers.iter().enumerate() {
            let last = i + 1 == n;
            let [inputs, outputs] = linear.weight.val().dims();
            let w = values(linear.weight.val());
            let b = linear.bias.as_ref().map(|b| values(b.val())).unwrap_or_else(|| vec![0.0; outputs]);
            // The last layer also takes the data's spread and centre in:
            // `(centre + s·(Wx + b)) / scale` is `(s/scale)·W x + (s·b + centre)/scale`.
            let k = if last { generator.scale / scale } else { 1.0 };
            let shift = |o: usize| if last { generator.centre[o] / scale } else { 0.0 };
            // burn's Linear is `[in, out]`; the format's is `[out][in]`.
            let weights = (0..outputs).flat_map(|o| (0..inputs).map(move |j| (o, j))).map(|(o, j)| w[j * outputs + o] * k).collect();
            let dim = |v: usize| u16::try_from(v).map_err(|_| anyhow!("a layer of {v} neurons is too wide for the model format"));
            layers.push(FloatLayer {
                op: Op::Linear,
                input: TensorShape::vector(dim(inputs)?),
                output: if last { TensorShape { height: 1, width: 2, channels: 1 } } else { TensorShape::vector(dim(outputs)?) },
                skip: None,
                activation: if last { Activation::Tanh } else { Activation::Relu },
                weights,
                bias: b.iter().enumerate().map(|(o, v)| v * k + shift(o)).collect(),
            });
            x = linear.forward(x);
            if last {
                x = generator.to_data_units(x);
            } else {
                x = relu(x);
            }
            let v = values(x.clone());
            let (lo, hi) = v.iter().fold((0f32, 0f32), |(lo, hi), &a| (lo.min(a), hi.max(a)));
            // The output layer's range is asked for after its tanh, of the
            // scaled layer.
            ranges.push(if last { ((lo / scale).tanh(), (hi / scale).tanh()) } else { (lo, hi) });
        }
        let quantized = quantize_layers(&layers, &ranges)?;
        let header = Header {
            name: "lab",
            latent_dim: u16::try_from(latent_dim).map_err(|_| anyhow!("latent size above 65535"))?,
            classes: 0,
            latent_frac_bits: LATENT_FRAC_BITS,
            image: TensorShape { height: 1, width: 2, channels: 1 },
            layer_count: 0,
            input_image: None,
        };
        let views: Vec<_> = quantized.iter().map(|q| q.layer()).collect();
        let mut bytes = vec![0u8; format::encoded_len_bound(&header, &views)];
        let len = format::encode(&header, &views, &mut bytes).map_err(|e| anyhow!("{e}"))?;
        bytes.truncate(len);
        Model::parse(&bytes).map_err(|e| anyhow!("the int8 toy model does not parse (a bug): {e}"))?;
        Ok(Int8Generator { bytes, scale, latent_dim })
    }

    /// The model file's bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The board's points for `latents` (values, `latent_dim` per point).
    pub fn points(&self, latents: &[f32]) -> Result<Vec<[f32; 2]>> {
        let model = Model::parse(&self.bytes).map_err(|e| anyhow!("{e}"))?;
        let mut scratch = vec![0i8; model.scratch_len()];
        let mut codes = vec![0i8; self.latent_dim];
        latents
            .chunks_exact(self.latent_dim)
            .map(|z| {
                codes.iter_mut().zip(z).for_each(|(c, &v)| *c = latent_code(v));
                let out = pocketgan_shared::generate(&model, &codes, None, &mut scratch).map_err(|e| anyhow!("{e}"))?;
                let back = |c: i8| self.scale * (c as f32 * OUTPUT_CODE_SCALE).clamp(-0.999, 0.999).atanh();
                Ok([back(out[0]), back(out[1])])
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::training::step::LatentDistribution;
    use crate::nets::MlpConfig;
    use crate::training::toy::{fixed_latents, points};
    use burn::tensor::Device;

    #[test]
    fn int8_points_follow_the_float_generator() {
        let device = Device::flex();
        device.seed(3);
        let generator = MlpConfig::new().with_neurons(32).init_generator(&device);
        let z = fixed_latents(300, 8, LatentDistribution::Normal, 9, &device);
        let float = points(generator.forward(z.clone()));
        let int8 = Int8Generator::quantize(&generator, 3.0, z.clone()).unwrap();
        let board = int8.points(&values(z)).unwrap();
        let mean = float.iter().zip(&board).map(|(a, b)| ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt()).sum::<f32>() / 300.0;
        let spread = float.iter().map(|a| (a[0].powi(2) + a[1].powi(2)).sqrt()).sum::<f32>() / 300.0;
        // Near the centre one output code is 3 · 1/128 ≈ 0.023.
        assert!(mean < 0.1, "int8 points are {mean} away on average (points spread {spread})");
        assert!(board.iter().zip(&float).any(|(a, b)| a != b), "int8 equal to float: nothing was quantized");
        assert!(Model::parse(int8.bytes()).is_ok());
    }
}
