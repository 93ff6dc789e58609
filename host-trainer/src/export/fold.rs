//! Batch norm folding and layout conversion: burn's NCHW float layers to
//! the HWC layer list the int8 model runs, for the generator
//! ([`fold_generator`]) and the U-Net translator ([`fold_unet`]).

use crate::nets::Generator;
use crate::nets::unet::UNet;
use anyhow::{Result, bail};
use burn::nn::conv::{Conv2d, ConvTranspose2d};
use burn::nn::{BatchNorm, PaddingConfig2d};
use burn::tensor::Tensor;
use pocketgan_shared::format::{Activation, ConvGeometry, Op, TensorShape};
use pocketgan_shared::latent::LATENT_FRAC_BITS;

/// A float layer in the int8 model's layout, batch norm folded in.
#[derive(Debug, Clone)]
pub struct FloatLayer {
    /// The operation.
    pub op: Op,
    /// Input shape (HWC).
    pub input: TensorShape,
    /// Output shape (HWC).
    pub output: TensorShape,
    /// The earlier layer whose output joins this one's input (a U-Net's
    /// skip connection), its channels after the previous layer's.
    pub skip: Option<usize>,
    /// The fused activation (ReLU or Tanh here).
    pub activation: Activation,
    /// Weights `[out][in]` (Linear) or `[out][kh][kw][in]` (convolutions).
    pub weights: Vec<f32>,
    /// Bias per output channel (per output element for Linear).
    pub bias: Vec<f32>,
}

impl FloatLayer {
    /// Length of one output channel's weight row.
    pub fn row_len(&self) -> usize {
        self.weights.len() / self.bias.len()
    }
}

pub(crate) fn values<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().try_to_vec::<f32>().expect("f32 parameters")
}

/// Per-channel `(scale, shift)` of a batch norm in inference mode:
/// `y = x · scale + shift`.
fn batch_norm_affine(bn: &BatchNorm) -> Vec<(f32, f32)> {
    let gamma = values(bn.gamma.val());
    let beta = values(bn.beta.val());
    let mean = values(bn.running_mean.value());
    let var = values(bn.running_var.value());
    (0..gamma.len())
        .map(|c| {
            let k = gamma[c] / (var[c] + bn.epsilon as f32).sqrt();
            (k, beta[c] - mean[c] * k)
        })
        .collect()
}

fn shape(h: usize, w: usize, c: usize) -> Result<TensorShape> {
    let d = |v: usize| u16::try_from(v).map_err(|_| anyhow::anyhow!("dimension {v} above 65535"));
    Ok(TensorShape { height: d(h)?, width: d(w)?, channels: d(c)? })
}

fn conv_transpose(conv: &ConvTranspose2d, norm: Option<&BatchNorm>, input: TensorShape, activation: Activation) -> Result<FloatLayer> {
    let [cin, cout, kh, kw] = conv.weight.val().dims();
    let w = values(conv.weight.val());
    let b = conv.bias.as_ref().map(|b| values(b.val())).unwrap_or_else(|| vec![0.0; cout]);
    let affine = norm.map(batch_norm_affine).unwrap_or_else(|| vec![(1.0, 0.0); cout]);
    let mut weights = vec![0f32; cout * kh * kw * cin];
    for i in 0..cin {
        for o in 0..cout {
            for ky in 0..kh {
                for kx in 0..kw {
                    weights[((o * kh + ky) * kw + kx) * cin + i] = w[((i * cout + o) * kh + ky) * kw + kx] * affine[o].0;
                }
            }
        }
    }
    let bias = (0..cout).map(|o| b[o] * affine[o].0 + affine[o].1).collect();
    let g = ConvGeometry {
        kernel: [kh as u8, kw as u8],
        stride: [conv.stride[0] as u8, conv.stride[1] as u8],
        padding: [conv.padding[0] as u8, conv.padding[1] as u8],
        output_padding: [conv.padding_out[0] as u8, conv.padding_out[1] as u8],
    };
    let oh = (input.height as usize - 1) * conv.stride[0] + kh + conv.padding_out[0] - 2 * conv.padding[0];
    let ow = (input.width as usize - 1) * conv.stride[1] + kw + conv.padding_out[1] - 2 * conv.padding[1];
    Ok(FloatLayer { op: Op::ConvTranspose2d(g), input, output: shape(oh, ow, cout)?, skip: None, activation, weights, bias })
}

/// A convolution with its batch norm folded in. burn's weights are
/// `[out][in][kh][kw]`; the model's `[out][kh][kw][in]`.
pub(crate) fn conv2d(conv: &Conv2d, norm: Option<&BatchNorm>, input: TensorShape, activation: Activation) -> Result<FloatLayer> {
    let [cout, cin, kh, kw] = conv.weight.val().dims();
    if conv.groups != 1 || conv.dilation != [1, 1] {
        bail!("only plain convolutions export (no groups, no dilation)");
    }
    let (pad_h, pad_w) = match conv.padding {
        PaddingConfig2d::Valid => (0, 0),
        PaddingConfig2d::Explicit(top, left, bottom, right) if top == bottom && left == right => (top, left),
        _ => bail!("only symmetric explicit or no padding exports"),
    };
    let w = values(conv.weight.val());
    let b = conv.bias.as_ref().map(|b| values(b.val())).unwrap_or_else(|| vec![0.0; cout]);
    let affine = norm.map(batch_norm_affine).unwrap_or_else(|| vec![(1.0, 0.0); cout]);
    let mut weights = vec![0f32; cout * kh * kw * cin];
    for o in 0..cout {
        for i in 0..cin {
            for ky in 0..kh {
                for kx in 0..kw {
                    weights[((o * kh + ky) * kw + kx) * cin + i] = w[((o * cin + i) * kh + ky) * kw + kx] * affine[o].0;
                }
            }
        }
    }
    let bias = (0..cout).map(|o| b[o] * affine[o].0 + affine[o].1).collect();
    let g = ConvGeometry {
        kernel: [kh as u8, kw as u8],
        stride: [conv.stride[0] as u8, conv.stride[1] as u8],
        padding: [pad_h as u8, pad_w as u8],
        output_padding: [0, 0],
    };
    let oh = (input.height as usize + 2 * pad_h - kh) / conv.stride[0] + 1;
    let ow = (input.width as usize + 2 * pad_w - kw) / conv.stride[1] + 1;
    Ok(FloatLayer { op: Op::Conv2d(g), input, output: shape(oh, ow, cout)?, skip: None, activation, weights, bias })
}

/// The U-Net as int8-ready float layers: the encoder's convolutions, the
/// bottom, then each decoder stage with the encoder output of its size
/// joined to its input (inference-mode batch norm folded everywhere).
pub fn fold_unet(net: &UNet, input: TensorShape) -> Result<Vec<FloatLayer>> {
    let mut layers: Vec<FloatLayer> = Vec::new();
    let mut current = input;
    for (conv, norm) in net.down.iter().zip(&net.down_norms) {
        layers.push(conv2d(conv, Some(norm), current, Activation::Relu)?);
        current = layers.last().expect("just pushed").output;
    }
    let encoder = layers.len();
    layers.push(conv2d(&net.bottom, Some(&net.bottom_norm), current, Activation::Relu)?);
    let last = net.up.len() - 1;
    for (k, conv) in net.up.iter().enumerate() {
        let previous = layers.last().expect("a layer").output;
        let skip = encoder - 1 - k;
        let joined = TensorShape { channels: previous.channels + layers[skip].output.channels, ..previous };
        let (norm, activation) = if k == last { (None, Activation::Tanh) } else { (Some(&net.up_norms[k]), Activation::Relu) };
        let mut layer = conv_transpose(conv, norm, joined, activation)?;
        layer.skip = Some(skip);
        layers.push(layer);
    }
    Ok(layers)
}

/// The embedding table's codes in the latent's quantization (`1/32`) use
/// the whole int8 range: the table is divided by this factor and the
/// first layer's condition rows multiplied by it, the same map in float.
pub fn text_table_factor(g: &Generator) -> f32 {
    let Some(text) = &g.text else { return 1.0 };
    let largest = values(text.embedding.weight.val()).iter().fold(0f32, |m, v| m.max(v.abs()));
    let full_range = 127.0 / (1u32 << LATENT_FRAC_BITS) as f32;
    if largest > 0.0 { largest / full_range } else { 1.0 }
}

/// A text model's embedding table as the model file stores it: `words ×
/// dim` int8 codes of `1/32`, row `w` for word `w`, divided by
/// [`text_table_factor`].
pub fn text_table_codes(g: &Generator) -> Option<Vec<i8>> {
    let text = g.text.as_ref()?;
    let factor = text_table_factor(g);
    let one = (1u32 << LATENT_FRAC_BITS) as f32;
    // burn's weight is [in = words, out = dim]: row w is word w's embedding.
    Some(values(text.embedding.weight.val()).iter().map(|&v| (v / factor * one).round().clamp(-127.0, 127.0) as i8).collect())
}

/// The first layer's weights `[in, out]` and bias. For a text model the
/// encoder's Linear layer is folded in (two linear maps in a row are one):
/// the condition rows become `factor · W_enc · W_cond`, the bias gains
/// `b_enc · W_cond`, so the layer takes the latent and the mean of the
/// table's rows ([`text_table_codes`]) as the board computes it.
fn project_with_text_folded(g: &Generator) -> (Vec<f32>, Vec<f32>) {
    let [n_in, n_out] = g.project.weight.val().dims();
    let mut lw = values(g.project.weight.val());
    let mut lb = g.project.bias.as_ref().map(|b| values(b.val())).unwrap_or_else(|| vec![0.0; n_out]);
    let Some(text) = &g.text else { return (lw, lb) };
    let d = text.dim();
    let latent = n_in - d;
    let we = values(text.encoder.weight.val());
    let be = text.encoder.bias.as_ref().map(|b| values(b.val())).unwrap_or_else(|| vec![0.0; d]);
    let factor = text_table_factor(g) as f64;
    let condition: Vec<f32> = lw[latent * n_out..].to_vec();
    for k in 0..n_out {
        lb[k] += (0..d).map(|j| be[j] as f64 * condition[j * n_out + k] as f64).sum::<f64>() as f32;
        for i in 0..d {
            let folded: f64 = (0..d).map(|j| we[i * d + j] as f64 * condition[j * n_out + k] as f64).sum();
            lw[(latent + i) * n_out + k] = (factor * folded) as f32;
        }
    }
    (lw, lb)
}

/// The generator as int8-ready float layers (inference-mode batch norm).
pub fn fold_generator(g: &Generator) -> Result<Vec<FloatLayer>> {
    let (c, h, w) = (g.start_channels, g.start_height, g.start_width);
    let spatial = h * w;
    let [n_in, n_out] = g.project.weight.val().dims();
    let (lw, lb) = project_with_text_folded(g);
    let affine = batch_norm_affine(&g.project_norm);
    // burn reshapes the linear output as [C, H, W]; the int8 model wants
    // [H, W, C]. Output j = ch·H·W + s moves to s·C + ch.
    let mut weights = vec![0f32; n_out * n_in];
    let mut bias = vec![0f32; n_out];
    for j in 0..n_out {
        let (ch, s) = (j / spatial, j % spatial);
        let to = s * c + ch;
        let (k, shift) = affine[ch];
        for i in 0..n_in {
            weights[to * n_in + i] = lw[i * n_out + j] * k;
        }
        bias[to] = lb[j] * k + shift;
    }
    let mut layers = vec![FloatLayer {
        op: Op::Linear,
        input: TensorShape::vector(u16::try_from(n_in)?),
        output: shape(h, w, c)?,
        skip: None,
        activation: Activation::Relu,
        weights,
        bias,
    }];
    for block in &g.blocks {
        let input = layers.last().expect("one layer").output;
        layers.push(conv_transpose(&block.conv, Some(&block.norm), input, Activation::Relu)?);
    }
    let input = layers.last().expect("one layer").output;
    layers.push(conv_transpose(&g.to_image, None, input, Activation::Tanh)?);
    Ok(layers)
}
