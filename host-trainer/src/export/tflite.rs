//! A pocketgan model as a standard int8 `.tflite` file: the same tensors,
//! scales and zero points, so TensorFlow Lite (LiteRT, TFLite Micro, Vela)
//! computes what pocketgan's kernels compute.
//!
//! The graph, layer by layer (NHWC, batch 1):
//! - `Linear` → `FULLY_CONNECTED` (weights `[out, in]`, per-channel),
//!   followed by `RESHAPE` to `[1, H, W, C]` when the output is an image
//!   (the model format already orders a linear layer's outputs HWC);
//! - `Conv2d` → `CONV_2D`, `ConvTranspose2d` → `TRANSPOSE_CONV` (weights
//!   `OHWI`, per-channel; the geometry must be TFLite's `SAME` or `VALID`
//!   padding, which k4 s2 p1 and k3 s1 p1 are);
//! - ReLU is fused (`fused_activation_function = RELU`); the last layer's
//!   `tanh` is TFLite's `TANH` op, output scale 1/128, zero point 0.
//!
//! One int8 input tensor, `input`, shape `[1, latent + classes]`: the
//! latent codes (scale 2⁻⁵, zero point 0), then for a conditional model the
//! one-hot class (1.0 = code 32), exactly the buffer the board fills. Each
//! layer's output tensor is named `layer{i}` (the pre-tanh codes for the
//! last), the image `image`.
//!
//! The flatbuffer is written with the `flatbuffers` crate's builder, table
//! by table, using the field slots of TFLite's `schema.fbs` (schema
//! version 3; field slot = 4 + 2 · field id): about a dozen tables, not
//! worth 0.9 MB of generated code.

use anyhow::{Context, Result, bail};
use flatbuffers::{FlatBufferBuilder, UnionWIPOffset, WIPOffset};
use pocketgan_shared::format::{Activation, ConvGeometry, Layer, Op, TensorShape};
use pocketgan_shared::kernels::OUTPUT_CODE_SCALE;
use pocketgan_shared::latent::LATENT_SCALE;
use pocketgan_shared::Model;

/// TFLite's builtin operator codes (`BuiltinOperator`) and the op versions
/// these int8 uses need (`op_version.cc`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Builtin {
    Concatenation,
    FullyConnected,
    Conv2d,
    TransposeConv { fused: bool },
    Reshape,
    Tanh,
}

impl Builtin {
    fn code(self) -> i32 {
        match self {
            Builtin::Concatenation => 2,
            Builtin::Conv2d => 3,
            Builtin::FullyConnected => 9,
            Builtin::Reshape => 22,
            Builtin::Tanh => 28,
            Builtin::TransposeConv { .. } => 67,
        }
    }

    fn version(self) -> i32 {
        match self {
            // int8 inputs: version 2.
            Builtin::Concatenation => 2,
            Builtin::Conv2d => 3,
            Builtin::FullyConnected => 4,
            Builtin::TransposeConv { fused: true } => 4,
            Builtin::TransposeConv { fused: false } => 3,
            Builtin::Reshape => 1,
            Builtin::Tanh => 2,
        }
    }
}

// TensorType
const INT8: i8 = 9;
const INT32: i8 = 2;
// Padding
const SAME: i8 = 0;
const VALID: i8 = 1;
// ActivationFunctionType
const NONE: i8 = 0;
const RELU: i8 = 1;
// BuiltinOptions union tags
const CONV_2D_OPTIONS: u8 = 1;
const FULLY_CONNECTED_OPTIONS: u8 = 8;
const CONCATENATION_OPTIONS: u8 = 10;
const RESHAPE_OPTIONS: u8 = 17;
const TRANSPOSE_CONV_OPTIONS: u8 = 49;

/// How a tensor is quantized.
struct Quantization {
    scales: Vec<f32>,
    zero_points: Vec<i64>,
}

impl Quantization {
    fn per_tensor(scale: f32, zero_point: i8) -> Self {
        Quantization { scales: vec![scale], zero_points: vec![zero_point as i64] }
    }

    fn per_channel(scales: Vec<f32>) -> Self {
        let zero_points = vec![0; scales.len()];
        Quantization { scales, zero_points }
    }
}

/// A tensor before it is written; `data` is empty for activations.
struct TensorSpec {
    name: String,
    shape: Vec<i32>,
    kind: i8,
    quantization: Option<Quantization>,
    data: Vec<u8>,
}

/// An operator before it is written.
struct OperatorSpec {
    builtin: Builtin,
    inputs: Vec<i32>,
    outputs: Vec<i32>,
    options: Options,
}

enum Options {
    FullyConnected { activation: i8 },
    Conv2d { padding: i8, stride: [i32; 2], activation: i8 },
    TransposeConv { padding: i8, stride: [i32; 2], activation: i8 },
    Reshape { shape: Vec<i32> },
    Concatenation { axis: i32 },
    None,
}

/// The graph being assembled.
#[derive(Default)]
struct Graph {
    tensors: Vec<TensorSpec>,
    operators: Vec<OperatorSpec>,
}

impl Graph {
    fn tensor(&mut self, name: String, shape: Vec<i32>, kind: i8, quantization: Option<Quantization>, data: Vec<u8>) -> i32 {
        self.tensors.push(TensorSpec { name, shape, kind, quantization, data });
        self.tensors.len() as i32 - 1
    }

    fn activation(&mut self, name: String, shape: Vec<i32>, scale: f32, zero_point: i8) -> i32 {
        self.tensor(name, shape, INT8, Some(Quantization::per_tensor(scale, zero_point)), Vec::new())
    }

    fn op(&mut self, builtin: Builtin, inputs: Vec<i32>, outputs: Vec<i32>, options: Options) {
        self.operators.push(OperatorSpec { builtin, inputs, outputs, options });
    }

    /// `[1, H, W, C]` as a constant int32 tensor (RESHAPE's shape,
    /// TRANSPOSE_CONV's output shape).
    fn shape_constant(&mut self, name: String, shape: &[i32]) -> i32 {
        let data = shape.iter().flat_map(|v| v.to_le_bytes()).collect();
        self.tensor(name, vec![shape.len() as i32], INT32, None, data)
    }
}

fn nhwc(t: TensorShape) -> Vec<i32> {
    vec![1, t.height as i32, t.width as i32, t.channels as i32]
}

/// TFLite's padding for one axis of a convolution with this geometry, or
/// `None` if neither `SAME` nor `VALID` reproduces it. `(large, small)` is
/// (input, output) for a convolution and (output, input) for a transposed
/// one: TFLite computes a transposed convolution's padding as that of the
/// convolution it inverts.
fn padding_for(large: u16, small: u16, kernel: u8, stride: u8, padding: u8) -> Option<i8> {
    let (large, small, k, s, p) = (large as i32, small as i32, kernel as i32, stride as i32, padding as i32);
    let same_out = (large + s - 1) / s;
    let same_pad = (((same_out - 1) * s + k - large).max(0)) / 2;
    if small == same_out && p == same_pad {
        return Some(SAME);
    }
    let valid_out = (large - k + s) / s;
    (small == valid_out && p == 0).then_some(VALID)
}

fn geometry_padding(layer: &Layer<'_>, g: ConvGeometry, transposed: bool) -> Result<i8> {
    let (a, b) = if transposed { (layer.output, layer.input) } else { (layer.input, layer.output) };
    let rows = padding_for(a.height, b.height, g.kernel[0], g.stride[0], g.padding[0]);
    let cols = padding_for(a.width, b.width, g.kernel[1], g.stride[1], g.padding[1]);
    match (rows, cols) {
        (Some(r), Some(c)) if r == c => Ok(r),
        _ => bail!(
            "a {}convolution with kernel {:?}, stride {:?}, padding {:?} and output padding {:?} has no TFLite \
             padding (SAME or VALID) that gives the same output: train with k4 s2 p1 (up-sampling) or k3 s1 p1 \
             layers to export to .tflite",
            if transposed { "transposed " } else { "" },
            g.kernel,
            g.stride,
            g.padding,
            g.output_padding
        ),
    }
}

/// The model's int8 weights in its logical `[out][tap][in]` order, which is
/// TFLite's `[O, I]` for fully connected layers and `OHWI` for both
/// convolutions.
fn logical_weights(layer: &Layer<'_>) -> Result<Vec<u8>> {
    let Some(p) = layer.packing() else { bail!("a layer's shapes overflow") };
    let mut out = Vec::with_capacity(p.channels * p.taps * p.depth);
    for o in 0..p.channels {
        for t in 0..p.taps {
            for i in 0..p.depth {
                out.push(layer.weights.get(p.index(o, t, i)) as i8 as u8);
            }
        }
    }
    Ok(out)
}

/// Writes `model` as a `.tflite` flatbuffer.
pub fn write(model: &Model<'_>) -> Result<Vec<u8>> {
    let header = model.header();
    let mut graph = Graph::default();
    let input = match header.input_image {
        // A translator takes its image, NHWC, quantized as the header says.
        Some(image) => graph.activation("input".into(), nhwc(image.shape), image.scale, image.zero_point),
        None => graph.activation("input".into(), vec![1, model.input_len() as i32], LATENT_SCALE, 0),
    };
    let mut current = input;
    let layers: Vec<Layer<'_>> = model.layers().collect::<Result<_, _>>().map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut outputs = Vec::with_capacity(layers.len());
    for (i, layer) in layers.iter().enumerate() {
        if let Some(k) = layer.skip {
            // The skip's channels after the previous output's, NHWC's last
            // axis; both already share the joined scale and zero point.
            let joined = graph.activation(format!("layer{i}_joined"), nhwc(layer.input), layer.input_scale, layer.input_zero_point);
            graph.op(Builtin::Concatenation, vec![current, outputs[k as usize]], vec![joined], Options::Concatenation { axis: 3 });
            current = joined;
        }
        let channels = layer.output_channels().unwrap_or(0) as usize;
        let weight_scales: Vec<f32> = (0..channels).map(|c| layer.weight_scales.get(c)).collect();
        let bias_scales = weight_scales.iter().map(|&s| layer.input_scale * s).collect();
        let fused = if layer.activation == Activation::Relu { RELU } else { NONE };
        let weights = logical_weights(layer)?;
        let bias_data = layer.bias.as_bytes().to_vec();
        let bias = graph.tensor(format!("layer{i}/bias"), vec![channels as i32], INT32, Some(Quantization::per_channel(bias_scales)), bias_data);
        let (scale, zp) = (layer.output_scale, layer.output_zero_point);
        let out = match layer.op {
            Op::Linear => {
                let depth = layer.input.elements().unwrap_or(0) as i32;
                let w = graph.tensor(format!("layer{i}/weights"), vec![channels as i32, depth], INT8, Some(Quantization::per_channel(weight_scales)), weights);
                // The next fully connected layer takes [1, C]; anything
                // else takes the image shape.
                let is_vector = layers.get(i + 1).is_some_and(|next| next.op == Op::Linear);
                let flat = graph.activation(if is_vector { format!("layer{i}") } else { format!("layer{i}/flat") }, vec![1, channels as i32], scale, zp);
                graph.op(Builtin::FullyConnected, vec![current, w, bias], vec![flat], Options::FullyConnected { activation: fused });
                if is_vector {
                    flat
                } else {
                    let shape = nhwc(layer.output);
                    let shape_tensor = graph.shape_constant(format!("layer{i}/shape"), &shape);
                    let out = graph.activation(format!("layer{i}"), shape.clone(), scale, zp);
                    graph.op(Builtin::Reshape, vec![flat, shape_tensor], vec![out], Options::Reshape { shape });
                    out
                }
            }
            Op::Conv2d(g) | Op::ConvTranspose2d(g) => {
                let transposed = matches!(layer.op, Op::ConvTranspose2d(_));
                let padding = geometry_padding(layer, g, transposed)?;
                let (kh, kw, ic) = (g.kernel[0] as i32, g.kernel[1] as i32, layer.input.channels as i32);
                let w = graph.tensor(format!("layer{i}/weights"), vec![channels as i32, kh, kw, ic], INT8, Some(Quantization::per_channel(weight_scales)), weights);
                let out = graph.activation(format!("layer{i}"), nhwc(layer.output), scale, zp);
                let stride = [g.stride[1] as i32, g.stride[0] as i32];
                if transposed {
                    let shape = graph.shape_constant(format!("layer{i}/output_shape"), &nhwc(layer.output));
                    graph.op(
                        Builtin::TransposeConv { fused: fused != NONE },
                        vec![shape, w, current, bias],
                        vec![out],
                        Options::TransposeConv { padding, stride, activation: fused },
                    );
                } else {
                    graph.op(Builtin::Conv2d, vec![current, w, bias], vec![out], Options::Conv2d { padding, stride, activation: fused });
                }
                out
            }
        };
        current = out;
        outputs.push(out);
        if layer.activation == Activation::Tanh {
            let image = graph.activation("image".into(), nhwc(header.image), OUTPUT_CODE_SCALE, 0);
            graph.op(Builtin::Tanh, vec![current], vec![image], Options::None);
            current = image;
        }
    }
    Ok(serialize(&graph, input, current, &format!("pocketgan {}", header.name)))
}

/// A `.pgan` file's bytes as a `.tflite`: parsed (a model that does not
/// parse gets the parser's message), then written.
pub fn from_model_file(bytes: &[u8]) -> Result<Vec<u8>> {
    let model = Model::parse(bytes).map_err(|e| anyhow::anyhow!("{e}"))?;
    if model.text().is_some() {
        anyhow::bail!(
            "a text model does not convert to .tflite yet: its vocabulary and embedding table (the prompt's \
             encoder) have no place in the graph; use the .pgan model (`pocketgan sample --prompt`, the boards)"
        );
    }
    if model.audio().is_some() {
        anyhow::bail!(
            "a sound model does not convert to .tflite yet: its front end (the MFCCs) and its encoder are a \
             second graph the generator's file has no place for; use the .pgan model (`pocketgan sample --audio`, the boards)"
        );
    }
    write(&model).context("the model cannot be expressed as .tflite")
}

/// The flatbuffer: Model { version 3, operator_codes, subgraphs [1],
/// description, buffers }.
fn serialize(graph: &Graph, input: i32, output: i32, description: &str) -> Vec<u8> {
    let mut b = FlatBufferBuilder::with_capacity(1 << 16);
    // Buffers: 0 is the empty sentinel every activation points at.
    let mut buffers = vec![{
        let t = b.start_table();
        b.end_table(t)
    }];
    let mut tensor_offsets = Vec::with_capacity(graph.tensors.len());
    for t in &graph.tensors {
        let buffer = if t.data.is_empty() {
            0
        } else {
            let data = b.create_vector(&t.data);
            let table = b.start_table();
            b.push_slot_always(4, data);
            buffers.push(b.end_table(table));
            buffers.len() as u32 - 1
        };
        let quantization = t.quantization.as_ref().map(|q| {
            let scale = b.create_vector(&q.scales);
            let zero_point = b.create_vector(&q.zero_points);
            let table = b.start_table();
            b.push_slot_always(8, scale);
            b.push_slot_always(10, zero_point);
            b.push_slot::<i32>(16, 0, 0);
            b.end_table(table)
        });
        let shape = b.create_vector(&t.shape);
        let name = b.create_string(&t.name);
        let table = b.start_table();
        b.push_slot_always(4, shape);
        b.push_slot::<i8>(6, t.kind, 0);
        b.push_slot::<u32>(8, buffer, 0);
        b.push_slot_always(10, name);
        if let Some(q) = quantization {
            b.push_slot_always(12, q);
        }
        tensor_offsets.push(b.end_table(table));
    }
    // One operator code per distinct (builtin, version).
    let mut codes: Vec<Builtin> = Vec::new();
    for op in &graph.operators {
        if !codes.contains(&op.builtin) {
            codes.push(op.builtin);
        }
    }
    let code_offsets: Vec<_> = codes
        .iter()
        .map(|c| {
            let table = b.start_table();
            // The runtime reads max(deprecated, builtin_code); write both.
            b.push_slot::<i8>(4, c.code().min(127) as i8, 0);
            b.push_slot::<i32>(8, c.version(), 1);
            b.push_slot::<i32>(10, c.code(), 0);
            b.end_table(table)
        })
        .collect();
    let mut op_offsets = Vec::with_capacity(graph.operators.len());
    for op in &graph.operators {
        let (kind, options) = write_options(&mut b, &op.options);
        let inputs = b.create_vector(&op.inputs);
        let outputs = b.create_vector(&op.outputs);
        let index = codes.iter().position(|c| *c == op.builtin).unwrap_or(0) as u32;
        let table = b.start_table();
        b.push_slot::<u32>(4, index, 0);
        b.push_slot_always(6, inputs);
        b.push_slot_always(8, outputs);
        if let Some(options) = options {
            b.push_slot::<u8>(10, kind, 0);
            b.push_slot_always(12, options);
        }
        op_offsets.push(b.end_table(table));
    }
    let tensors = b.create_vector(&tensor_offsets);
    let inputs = b.create_vector(&[input]);
    let outputs = b.create_vector(&[output]);
    let operators = b.create_vector(&op_offsets);
    let name = b.create_string("main");
    let subgraph = {
        let table = b.start_table();
        b.push_slot_always(4, tensors);
        b.push_slot_always(6, inputs);
        b.push_slot_always(8, outputs);
        b.push_slot_always(10, operators);
        b.push_slot_always(12, name);
        b.end_table(table)
    };
    let operator_codes = b.create_vector(&code_offsets);
    let subgraphs = b.create_vector(&[subgraph]);
    let description = b.create_string(description);
    let buffers = b.create_vector(&buffers);
    let model = b.start_table();
    b.push_slot::<u32>(4, 3, 0);
    b.push_slot_always(6, operator_codes);
    b.push_slot_always(8, subgraphs);
    b.push_slot_always(10, description);
    b.push_slot_always(12, buffers);
    let model = b.end_table(model);
    b.finish(model, Some("TFL3"));
    b.finished_data().to_vec()
}

/// An operator's options table and its union tag.
fn write_options(b: &mut FlatBufferBuilder<'_>, options: &Options) -> (u8, Option<WIPOffset<UnionWIPOffset>>) {
    match options {
        Options::FullyConnected { activation } => {
            let t = b.start_table();
            b.push_slot::<i8>(4, *activation, 0);
            (FULLY_CONNECTED_OPTIONS, Some(b.end_table(t).as_union_value()))
        }
        Options::Conv2d { padding, stride, activation } | Options::TransposeConv { padding, stride, activation } => {
            let t = b.start_table();
            b.push_slot::<i8>(4, *padding, 0);
            b.push_slot::<i32>(6, stride[0], 0);
            b.push_slot::<i32>(8, stride[1], 0);
            b.push_slot::<i8>(10, *activation, 0);
            let kind = if matches!(options, Options::Conv2d { .. }) { CONV_2D_OPTIONS } else { TRANSPOSE_CONV_OPTIONS };
            (kind, Some(b.end_table(t).as_union_value()))
        }
        Options::Reshape { shape } => {
            let new_shape = b.create_vector(shape);
            let t = b.start_table();
            b.push_slot_always(4, new_shape);
            (RESHAPE_OPTIONS, Some(b.end_table(t).as_union_value()))
        }
        Options::Concatenation { axis } => {
            let t = b.start_table();
            b.push_slot::<i32>(4, *axis, 0);
            b.push_slot::<i8>(6, NONE, 0);
            (CONCATENATION_OPTIONS, Some(b.end_table(t).as_union_value()))
        }
        Options::None => (0, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pocketgan_shared::format::owned::{LayerParts, OwnedLayer};
    use pocketgan_shared::format::{self, Header};

    #[test]
    fn paddings_map_to_same_or_valid() {
        // Conv k3 s1 p1 and k3 s2 p1 on 7 → 4 are SAME; k1 p0 and k3 p0 VALID.
        assert_eq!(padding_for(7, 7, 3, 1, 1), Some(SAME));
        assert_eq!(padding_for(7, 4, 3, 2, 1), Some(SAME));
        assert_eq!(padding_for(7, 7, 1, 1, 0), Some(SAME));
        assert_eq!(padding_for(7, 5, 3, 1, 0), Some(VALID));
        // Transposed k4 s2 p1 (14 → 7 as the convolution it inverts) is SAME.
        assert_eq!(padding_for(14, 7, 4, 2, 1), Some(SAME));
        // Padding 2 on a 3x3 kernel grows the image: TFLite cannot say that.
        assert_eq!(padding_for(7, 9, 3, 1, 2), None);
    }

    fn one_layer_model(op: Op, input: TensorShape, output: TensorShape) -> Vec<u8> {
        let (channels, depth) = match op {
            Op::Linear => (output.elements().unwrap() as usize, input.elements().unwrap() as usize),
            Op::Conv2d(g) | Op::ConvTranspose2d(g) => (output.channels as usize, (g.kernel[0] * g.kernel[1]) as usize * input.channels as usize),
        };
        let parts = LayerParts {
            op, input, output, skip: None, activation: Activation::Tanh,
            input_scale: LATENT_SCALE, input_zero_point: 0, output_scale: 1.0 / 32.0, output_zero_point: 0,
            weight_scales: vec![0.01; channels], weights: vec![3; channels * depth], bias: vec![7; channels],
        };
        let layer = OwnedLayer::derive(parts, f32::tanh).unwrap();
        let header = Header { name: "t", latent_dim: input.elements().unwrap() as u16, classes: 0, latent_frac_bits: 5, image: output, layer_count: 0, input_image: None };
        let views = [layer.layer()];
        let mut bytes = vec![0u8; format::encoded_len_bound(&header, &views)];
        let n = format::encode(&header, &views, &mut bytes).unwrap();
        bytes.truncate(n);
        bytes
    }

    #[test]
    fn a_model_becomes_a_tflite_flatbuffer() {
        let file = one_layer_model(Op::Linear, TensorShape::vector(4), TensorShape { height: 2, width: 2, channels: 1 });
        let model = Model::parse(&file).unwrap();
        let tflite = write(&model).unwrap();
        assert_eq!(&tflite[4..8], b"TFL3", "file identifier");
        // Deterministic, and names its tensors for layer-by-layer checks.
        assert_eq!(tflite, write(&model).unwrap());
        for name in ["input", "layer0/flat", "layer0", "image", "layer0/weights", "layer0/bias"] {
            assert!(tflite.windows(name.len()).any(|w| w == name.as_bytes()), "no tensor {name}");
        }
    }

    #[test]
    fn geometry_tflite_cannot_express_is_refused_by_name() {
        let g = ConvGeometry { kernel: [1, 1], stride: [1, 1], padding: [0, 0], output_padding: [0, 0] };
        let ok = one_layer_model(Op::Conv2d(g), TensorShape { height: 2, width: 2, channels: 4 }, TensorShape { height: 2, width: 2, channels: 1 });
        // A 1x1 kernel with padding 1 grows 2x2 to 4x4: a valid pocketgan
        // layer, but no TFLite padding does that.
        let g = ConvGeometry { padding: [1, 1], ..g };
        let bad = one_layer_model(Op::Conv2d(g), TensorShape { height: 2, width: 2, channels: 4 }, TensorShape { height: 4, width: 4, channels: 1 });
        assert!(write(&Model::parse(&ok).unwrap()).is_ok());
        let e = write(&Model::parse(&bad).unwrap()).unwrap_err().to_string();
        assert!(e.contains("no TFLite") && e.contains("padding"), "{e}");
    }
}
