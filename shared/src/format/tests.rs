//! The parser against corrupt, truncated, foreign and inconsistent files.

extern crate std;

use super::owned::{DeriveError, LayerParts, OwnedLayer};
use super::*;
use crate::generator::{Condition, generate, generate_with, translate};
use std::vec;
use std::vec::Vec;

/// A layer with deterministic weights and biases, its arrays derived from
/// its scales.
fn owned(op: Op, input: TensorShape, output: TensorShape, activation: Activation, input_q: (f32, i8), output_q: (f32, i8)) -> OwnedLayer {
    let mut parts = LayerParts {
        op, input, output, skip: None, activation,
        input_scale: input_q.0, input_zero_point: input_q.1,
        output_scale: output_q.0, output_zero_point: output_q.1,
        weight_scales: vec![], weights: vec![], bias: vec![],
    };
    let probe = OwnedLayer::derive(parts.clone(), libm::tanhf).unwrap_err();
    assert_eq!(probe, DeriveError::Lengths);
    let packing = parts.packing().unwrap();
    parts.weights = (0..packing.channels * packing.taps * packing.depth).map(|i| (i * 37 % 255) as i8).collect();
    parts.bias = (0..packing.channels).map(|c| c as i32 * 11 - 50).collect();
    parts.weight_scales = (0..packing.channels).map(|c| 0.01 + c as f32 * 1e-4).collect();
    OwnedLayer::derive(parts, libm::tanhf).unwrap()
}

const UP: ConvGeometry = ConvGeometry { kernel: [4, 4], stride: [2, 2], padding: [1, 1], output_padding: [0, 0] };

fn shape(h: u16, w: u16, c: u16) -> TensorShape {
    TensorShape { height: h, width: w, channels: c }
}

const HIDDEN: (f32, i8) = (0.05, -128);
const PRE_TANH: (f32, i8) = (1.0 / 32.0, 3);

/// latent 8 (+2 classes) → Linear → 2×2×4 (ReLU) → ConvT → 4×4×1 (tanh).
fn tiny_layers() -> Vec<OwnedLayer> {
    vec![
        owned(Op::Linear, TensorShape::vector(10), shape(2, 2, 4), Activation::Relu, (LATENT_SCALE, 0), HIDDEN),
        owned(Op::ConvTranspose2d(UP), shape(2, 2, 4), shape(4, 4, 1), Activation::Tanh, HIDDEN, PRE_TANH),
    ]
}

fn tiny_header() -> Header<'static> {
    Header { name: "tiny", latent_dim: 8, classes: 2, latent_frac_bits: 5, image: shape(4, 4, 1), layer_count: 0, input_image: None }
}

fn encode_with(header: &Header<'_>, owned: &[OwnedLayer]) -> Vec<u8> {
    let layers: Vec<Layer<'_>> = owned.iter().map(OwnedLayer::layer).collect();
    let mut buf = vec![0u8; encoded_len_bound(header, &layers)];
    let n = encode(header, &layers, &mut buf).unwrap();
    buf.truncate(n);
    buf
}

fn tiny_model() -> Vec<u8> {
    encode_with(&tiny_header(), &tiny_layers())
}

/// Rewrites the preamble's length and checksum after editing the payload.
fn reseal(mut file: Vec<u8>) -> Vec<u8> {
    let len = (file.len() - PREAMBLE_LEN) as u32;
    let crc = crc32(&file[PREAMBLE_LEN..]);
    file[8..12].copy_from_slice(&len.to_le_bytes());
    file[12..16].copy_from_slice(&crc.to_le_bytes());
    file
}

fn invalid(layer: Option<u16>, problem: Problem) -> ModelError {
    ModelError::Invalid { layer, problem }
}

#[test]
fn the_tiny_model_parses_and_generates() {
    let file = tiny_model();
    let model = Model::parse(&file).unwrap();
    assert_eq!(model.header().layer_count, 2);
    assert_eq!(model.input_len(), 10);
    // Tensors: input 10 (even), 16 (odd), 16 (even).
    // Staging, the larger layer's: the linear layer's 16 inputs (10
    // padded) as int16, its 16 × 16 weights unpacked to int16, and its one
    // input pixel's sum.
    assert_eq!(model.scratch_plan(), ScratchPlan { even: 16, odd: 16, kept: 0, staging: 2 * (16 + 256) + 4 + 3 });
    assert_eq!(model.layers().count(), 2);
    // Linear 10×16, plus the transposed conv's real taps: per output row
    // 1, 2, 2, 1 kernel rows land on the 2-row input, so 6 × 6 taps × 4 channels.
    assert_eq!(model.macs(), 160 + 36 * 4);
    assert_eq!(model.parameters(), 160 + 16 + 64 + 1);
    let mut scratch = [0i8; 583];
    let latent = [3i8; 8];
    let out = generate(&model, &latent, Some(1), &mut scratch).unwrap();
    assert_eq!(out.len(), 16);
    // Every output code is an entry of the layer's tanh table.
    let table = tiny_layers()[1].tanh_table.clone();
    assert!(out.iter().all(|v| table.contains(v)));
}

#[test]
fn weights_start_four_byte_aligned_in_the_file() {
    // Names of different lengths shift everything after the header.
    for name in ["t", "ti", "tin", "tiny", "tiny!"] {
        let header = Header { name, ..tiny_header() };
        let file = encode_with(&header, &tiny_layers());
        let model = Model::parse(&file).unwrap();
        for layer in model.layers() {
            let at = layer.unwrap().weights.as_bytes().as_ptr() as usize - file.as_ptr() as usize;
            assert_eq!(at % 4, 0, "name {name:?}: weights at byte {at}");
        }
    }
}

#[test]
fn corrupt_files_give_typed_errors() {
    let good = tiny_model();
    let mut cases: Vec<(&str, Vec<u8>, ModelError)> = vec![
        ("empty", vec![], ModelError::TooShort { len: 0 }),
        ("three bytes", b"PGA".to_vec(), ModelError::TooShort { len: 3 }),
        ("preamble only, cut", good[..10].to_vec(), ModelError::TooShort { len: 10 }),
        ("a PNG", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec(), ModelError::BadMagic { found: *b"\x89PNG" }),
        ("short foreign", b"GIF89a".to_vec(), ModelError::BadMagic { found: *b"GIF8" }),
    ];
    let mut v = good.clone();
    v[4] = 8;
    cases.push(("newer version", v, ModelError::UnsupportedVersion { found: 8, supported: 7 }));
    let mut v = good.clone();
    v[4] = 4;
    cases.push(("older version (no translators)", v, ModelError::UnsupportedVersion { found: 4, supported: 5 }));
    let mut v = good.clone();
    v[6] = 1;
    cases.push(("reserved set", v, ModelError::ReservedField));
    let declared = (good.len() - PREAMBLE_LEN) as u32;
    cases.push((
        "last byte cut",
        good[..good.len() - 1].to_vec(),
        ModelError::Truncated { declared, available: declared as usize - 1 },
    ));
    cases.push(("payload cut", good[..PREAMBLE_LEN].to_vec(), ModelError::Truncated { declared, available: 0 }));
    let mut v = good.clone();
    v.extend_from_slice(b"xyz");
    cases.push(("appended", v, ModelError::TrailingBytes { extra: 3 }));
    let mut v = good.clone();
    let mid = v.len() / 2;
    v[mid] ^= 0x10;
    let stored = u32::from_le_bytes(good[12..16].try_into().unwrap());
    let computed = crc32(&v[PREAMBLE_LEN..]);
    cases.push(("bit flip", v, ModelError::ChecksumMismatch { stored, computed }));
    let mut v = good[..PREAMBLE_LEN].to_vec();
    v.extend_from_slice(&[0xFF; 8]);
    cases.push(("garbage payload", reseal(v), ModelError::Decode { part: Part::Header }));

    // Structurally wrong models, each written by the real encoder.
    let mut h = tiny_header();
    h.latent_frac_bits = 7;
    cases.push(("latent format", encode_with(&h, &tiny_layers()), invalid(None, Problem::LatentFormat { found: 7, expected: 5 })));
    let mut h = tiny_header();
    h.image.channels = 2;
    cases.push(("two channels", encode_with(&h, &tiny_layers()), invalid(None, Problem::Channels)));
    cases.push(("no layers", encode_with(&tiny_header(), &[]), invalid(None, Problem::NoLayers)));
    let mut h = tiny_header();
    h.classes = 0;
    cases.push(("input size", encode_with(&h, &tiny_layers()), invalid(Some(0), Problem::ShapeChain { produced: 8, consumed: 10 })));
    let mut l = tiny_layers();
    l[1].parts.input = shape(2, 2, 5);
    cases.push(("shape chain", encode_with(&tiny_header(), &l), invalid(Some(1), Problem::ShapeChain { produced: 16, consumed: 20 })));
    let mut l = tiny_layers();
    l[1].packed.truncate(126);
    cases.push(("weights short", encode_with(&tiny_header(), &l), invalid(Some(1), Problem::ArrayLength { array: ArrayName::Weights, found: 126, expected: 128 })));
    let mut l = tiny_layers();
    l[1].shift[0] = 31;
    cases.push(("shift range", encode_with(&tiny_header(), &l), invalid(Some(1), Problem::Requantization)));
    let mut l = tiny_layers();
    l[1].multiplier[3] |= 0x80;
    cases.push(("negative multiplier", encode_with(&tiny_header(), &l), invalid(Some(1), Problem::Requantization)));
    let mut l = tiny_layers();
    l[1].multiplier[0] ^= 1;
    cases.push(("multiplier not the scales'", encode_with(&tiny_header(), &l), invalid(Some(1), Problem::Requantization)));
    let mut l = tiny_layers();
    l[0].factor[0] ^= 1;
    cases.push(("factor not the scales'", encode_with(&tiny_header(), &l), invalid(Some(0), Problem::Requantization)));
    let mut l = tiny_layers();
    l[0].factor.truncate(8);
    cases.push(("factors short", encode_with(&tiny_header(), &l), invalid(Some(0), Problem::ArrayLength { array: ArrayName::Factor, found: 8, expected: 128 })));
    let mut l = tiny_layers();
    l[0].weight_scales[0..4].copy_from_slice(&f32::NAN.to_le_bytes());
    cases.push(("weight scale NaN", encode_with(&tiny_header(), &l), invalid(Some(0), Problem::Scale)));
    let mut l = tiny_layers();
    l[0].parts.input_scale = 0.03;
    cases.push(("input scale not the latent's", encode_with(&tiny_header(), &l), invalid(Some(0), Problem::InputQuantization)));
    let mut l = tiny_layers();
    l[1].parts.input_zero_point = 0;
    cases.push(("input zero point chain", encode_with(&tiny_header(), &l), invalid(Some(1), Problem::InputQuantization)));
    let mut l = tiny_layers();
    l[1].parts.activation = Activation::Relu;
    cases.push(("no tanh", encode_with(&tiny_header(), &l), invalid(Some(1), Problem::Tanh)));
    let mut l = tiny_layers();
    l[1].tanh_table.truncate(255);
    cases.push(("tanh table short", encode_with(&tiny_header(), &l), invalid(Some(1), Problem::ArrayLength { array: ArrayName::TanhTable, found: 255, expected: 256 })));
    let mut l = tiny_layers();
    l[1].tanh_table[100] = 127;
    cases.push(("tanh table not monotonic", encode_with(&tiny_header(), &l), invalid(Some(1), Problem::Tanh)));
    let mut l = tiny_layers();
    l[1].parts.output = shape(5, 4, 1);
    cases.push(("conv geometry", encode_with(&tiny_header(), &l), invalid(Some(1), Problem::ConvGeometry)));
    let mut h = tiny_header();
    h.image = shape(4, 4, 3);
    cases.push(("output shape", encode_with(&h, &tiny_layers()), invalid(Some(1), Problem::OutputShape)));
    let single = [owned(Op::Linear, TensorShape::vector(10), shape(2, 2, 4), Activation::Tanh, (LATENT_SCALE, 0), PRE_TANH)];
    cases.push(("image mismatch", encode_with(&tiny_header(), &single), invalid(Some(0), Problem::OutputShape)));
    // A header promising more layers than the payload holds.
    let mut v = tiny_model();
    v.truncate(v.len() - 40);
    cases.push(("layer cut, resealed", reseal(v), ModelError::Decode { part: Part::Layer(1) }));
    // A complete one-layer model with bytes left after its last layer.
    let single = [owned(Op::Linear, TensorShape::vector(10), shape(4, 4, 1), Activation::Tanh, (LATENT_SCALE, 0), PRE_TANH)];
    let mut v = encode_with(&tiny_header(), &single);
    v.extend_from_slice(&[0u8; 5]);
    cases.push(("unused payload", reseal(v), ModelError::UnusedPayload { extra: 5 }));

    for (name, bytes, expected) in cases {
        let got = Model::parse(&bytes).map(|_| ()).expect_err(name);
        assert_eq!(got, expected, "case {name}");
        let message = std::format!("{got}");
        assert!(message.len() > 20, "case {name}: message too terse: {message}");
    }
}

#[test]
fn generation_errors_are_typed() {
    let file = tiny_model();
    let model = Model::parse(&file).unwrap();
    let mut scratch = [0i8; 582];
    assert_eq!(
        generate(&model, &[0; 8], Some(0), &mut scratch).unwrap_err(),
        ModelError::ScratchTooSmall { needed: 583, available: 582 }
    );
    let mut scratch = [0i8; 583];
    assert_eq!(
        generate(&model, &[0; 7], Some(0), &mut scratch).unwrap_err(),
        ModelError::LatentLength { found: 7, expected: 8 }
    );
    assert_eq!(
        generate(&model, &[0; 8], Some(2), &mut scratch).unwrap_err(),
        ModelError::Class { requested: Some(2), classes: 2 }
    );
    assert_eq!(
        generate(&model, &[0; 8], None, &mut scratch).unwrap_err(),
        ModelError::Class { requested: None, classes: 2 }
    );
}

#[test]
fn every_truncation_and_resealed_byte_flip_is_handled() {
    let good = tiny_model();
    for n in 0..good.len() {
        assert!(Model::parse(&good[..n]).is_err(), "cut at {n} parsed");
    }
    // Flip each payload byte and fix the checksum, so the decoder and the
    // validator (not the CRC) must cope. Parsing may succeed (a changed
    // weight is still a model), but must not panic, and a model that parses
    // must generate.
    for i in PREAMBLE_LEN..good.len() {
        for flip in [0x01u8, 0x80, 0xFF] {
            let mut v = good.clone();
            v[i] ^= flip;
            let v = reseal(v);
            if let Ok(model) = Model::parse(&v) {
                let mut scratch = vec![0i8; model.scratch_len()];
                let latent = vec![5i8; model.header().latent_dim as usize];
                let class = (model.header().classes > 0).then_some(0);
                generate(&model, &latent, class, &mut scratch).unwrap();
            }
        }
    }
}

const DOWN: ConvGeometry = ConvGeometry { kernel: [4, 4], stride: [2, 2], padding: [1, 1], output_padding: [0, 0] };
const SAME: ConvGeometry = ConvGeometry { kernel: [3, 3], stride: [1, 1], padding: [1, 1], output_padding: [0, 0] };
const IMAGE_Q: (f32, i8) = (1.0 / 128.0, 0);

fn with_skip(mut layer: OwnedLayer, skip: u16) -> OwnedLayer {
    layer.parts.skip = Some(skip);
    layer
}

/// A U-Net of depth 2 on 8×8 gray images: two stride-2 convolutions (both
/// outputs kept), a 3×3 convolution, then two transposed convolutions,
/// each joining the encoder output of its size.
fn unet_layers() -> Vec<OwnedLayer> {
    vec![
        owned(Op::Conv2d(DOWN), shape(8, 8, 1), shape(4, 4, 4), Activation::Relu, IMAGE_Q, HIDDEN),
        owned(Op::Conv2d(DOWN), shape(4, 4, 4), shape(2, 2, 8), Activation::Relu, HIDDEN, HIDDEN),
        owned(Op::Conv2d(SAME), shape(2, 2, 8), shape(2, 2, 8), Activation::Relu, HIDDEN, HIDDEN),
        with_skip(owned(Op::ConvTranspose2d(UP), shape(2, 2, 16), shape(4, 4, 4), Activation::Relu, HIDDEN, HIDDEN), 1),
        with_skip(owned(Op::ConvTranspose2d(UP), shape(4, 4, 8), shape(8, 8, 1), Activation::Tanh, HIDDEN, PRE_TANH), 0),
    ]
}

fn unet_header() -> Header<'static> {
    let input_image = Some(ImageInput { shape: shape(8, 8, 1), scale: IMAGE_Q.0, zero_point: IMAGE_Q.1 });
    Header { name: "unet", latent_dim: 0, classes: 0, latent_frac_bits: 5, image: shape(8, 8, 1), layer_count: 0, input_image }
}

/// Each pixel of `a` (`ca` channels) followed by the same pixel of `b`.
fn concat(a: &[i8], ca: usize, b: &[i8], cb: usize) -> Vec<i8> {
    a.chunks(ca).zip(b.chunks(cb)).flat_map(|(x, y)| x.iter().chain(y).copied()).collect()
}

#[test]
fn a_translator_with_skips_runs_as_the_reference_kernels_on_joined_inputs() {
    let owned = unet_layers();
    let bytes = encode_with(&unet_header(), &owned);
    let model = Model::parse(&bytes).unwrap();
    assert!(model.is_translator());
    assert_eq!(model.input_len(), 64);
    // Kept: the two encoder outputs (64 + 32 codes), alive until joined.
    // The rest ping-pongs: the input (64) and the bottom (32) in region 0;
    // the first join (2×2×16) in region 1, its output (64) in region 0; the
    // second join (4×4×8) in region 1, the image (64) in region 0.
    let plan = model.scratch_plan();
    assert_eq!((plan.even, plan.odd, plan.kept), (64, 128, 96));
    // Every tensor kept for the whole run: input, outputs, joined inputs.
    assert_eq!(model.all_activations_len(), 64 + (64 + 32 + 32 + 64 + 64) + (64 + 128));
    let image: Vec<i8> = (0..64).map(|i| ((i * 53) % 256) as u8 as i8).collect();
    let mut scratch = vec![0i8; model.scratch_len()];
    let fast = translate(&model, &image, &mut scratch).unwrap().to_vec();

    // The reference: every tensor kept in its own vector, joins built by hand.
    let layers: Vec<Layer<'_>> = owned.iter().map(OwnedLayer::layer).collect();
    let mut outputs: Vec<Vec<i8>> = Vec::new();
    let mut previous = image.clone();
    for layer in &layers {
        let input = match layer.skip {
            Some(k) => {
                let kept = &outputs[k as usize];
                let ck = layers[k as usize].output.channels as usize;
                concat(&previous, layer.input.channels as usize - ck, kept, ck)
            }
            None => previous.clone(),
        };
        let mut out = vec![0i8; layer.output.elements().unwrap() as usize];
        crate::kernels::reference::run_layer(layer, layer.input_zero_point, &input, &mut out);
        outputs.push(out.clone());
        previous = out;
    }
    assert_eq!(fast, previous);
    assert!(fast.iter().any(|&c| c != fast[0]), "a constant image would prove little");

    // Each kind of model refuses the other's entry point.
    assert_eq!(crate::generate(&model, &[0; 8], None, &mut scratch), Err(ModelError::WrongKind { translator: true }));
    assert_eq!(translate(&model, &image[..63], &mut scratch), Err(ModelError::ImageLength { found: 63, expected: 64 }));
    let generator = tiny_model();
    let generator = Model::parse(&generator).unwrap();
    let mut scratch = vec![0i8; generator.scratch_len()];
    assert_eq!(translate(&generator, &[0; 10], &mut scratch), Err(ModelError::WrongKind { translator: false }));
}

#[test]
fn skips_that_do_not_nest_join_or_quantize_alike_are_refused() {
    let invalid = |layer, problem| ModelError::Invalid { layer: Some(layer), problem };
    let parse = |layers: &[OwnedLayer], header: &Header<'_>| Model::parse(&encode_with(header, layers)).map(|_| ());
    // Crossed skips: the outer encoder output joined first.
    let mut crossed = unet_layers();
    crossed[3].parts.skip = Some(0);
    crossed[4].parts.skip = Some(1);
    assert_eq!(parse(&crossed, &unet_header()), Err(invalid(3, Problem::Skip)));
    // A skip naming the previous layer, or a later one.
    let mut own = unet_layers();
    own[3].parts.skip = Some(2);
    assert_eq!(parse(&own, &unet_header()), Err(invalid(3, Problem::Skip)));
    own[3].parts.skip = Some(7);
    assert_eq!(parse(&own, &unet_header()), Err(invalid(3, Problem::Skip)));
    // The same output joined twice.
    let mut twice = unet_layers();
    twice[4].parts.skip = Some(1);
    assert_eq!(parse(&twice, &unet_header()), Err(invalid(4, Problem::Skip)));
    // A kept output quantized unlike the stage it joins.
    let mut layers = unet_layers();
    layers[1] = owned(Op::Conv2d(DOWN), shape(4, 4, 4), shape(2, 2, 8), Activation::Relu, HIDDEN, (0.07, -128));
    layers[2] = owned(Op::Conv2d(SAME), shape(2, 2, 8), shape(2, 2, 8), Activation::Relu, (0.07, -128), HIDDEN);
    assert_eq!(parse(&layers, &unet_header()), Err(invalid(3, Problem::Skip)));
    // A translator header naming a latent; a first layer not taking the image.
    let latent = Header { latent_dim: 4, ..unet_header() };
    assert_eq!(parse(&unet_layers(), &latent), Err(ModelError::Invalid { layer: None, problem: Problem::InputImage }));
    let mut wrong_input = unet_layers();
    wrong_input[0] = owned(Op::Conv2d(DOWN), shape(8, 8, 1), shape(4, 4, 4), Activation::Relu, HIDDEN, HIDDEN);
    assert_eq!(parse(&wrong_input, &unet_header()), Err(invalid(0, Problem::InputQuantization)));
}

const WORDS: &str = "a\nthick\nseven\n7\n";

/// The tiny generator as a text model: latent 8, a 4-word vocabulary with
/// 2-code embeddings (the first layer takes 8 + 2).
fn text_model(embedding: &[i8], vocabulary: &str, header: Header<'_>) -> Result<Vec<u8>, ModelError> {
    let owned = tiny_layers();
    let layers: Vec<Layer<'_>> = owned.iter().map(OwnedLayer::layer).collect();
    let text = TextCondition { vocabulary, dim: 2, embedding: I8Array::new(embedding) };
    let mut buf = vec![0u8; encoded_len_bound(&header, &layers) + text.encoded_len_bound()];
    let n = encode_with_text(&header, Some(&text), &layers, &mut buf)?;
    buf.truncate(n);
    Ok(buf)
}

const TABLE: [i8; 8] = [10, -20, 31, 40, -128, 127, 5, 6];

#[test]
fn a_text_model_is_version_6_and_draws_the_mean_embedding_after_the_latent() {
    let text_header = Header { classes: 0, ..tiny_header() };
    let file = text_model(&TABLE, WORDS, text_header).unwrap();
    assert_eq!(file[4], 6, "a text model needs version 6");
    assert_eq!(tiny_model()[4], 5, "a model without text is written as version 5");
    let model = Model::parse(&file).unwrap();
    assert_eq!((model.version(), model.input_len()), (6, 10));
    let v = model.vocabulary().unwrap();
    assert_eq!(v.words().collect::<Vec<_>>(), ["a", "thick", "seven", "7"]);
    assert_eq!(model.text().unwrap().embedding.as_slice(), TABLE);

    // The same layers as a plain generator whose latent is 10 codes: the
    // text model's input is the latent, then the mean of the words' rows.
    let plain_file = encode_with(&Header { latent_dim: 10, classes: 0, ..tiny_header() }, &tiny_layers());
    let plain = Model::parse(&plain_file).unwrap();
    let latent: Vec<i8> = (0..8).map(|i| i * 9 - 30).collect();
    let mut scratch = vec![0i8; model.scratch_len()];
    let mut plain_scratch = vec![0i8; plain.scratch_len()];
    for (known, mean) in [(0b0110u64, [-49i8, 84]), (0b1111, [-21, 38]), (0, [0, 0])] {
        let drawn = generate_with(&model, &latent, Condition::Words(known), &mut scratch).unwrap().to_vec();
        let input = [&latent[..], &mean].concat();
        let expected = generate(&plain, &input, None, &mut plain_scratch).unwrap();
        assert_eq!(drawn, expected, "words {known:04b}");
    }
    // No condition is the empty prompt; classes and unknown rows are refused.
    let none = generate(&model, &latent, None, &mut scratch).unwrap().to_vec();
    assert_eq!(none, generate_with(&model, &latent, Condition::Words(0), &mut scratch).unwrap());
    assert_eq!(generate(&model, &latent, Some(0), &mut scratch), Err(ModelError::Class { requested: Some(0), classes: 0 }));
    assert_eq!(generate_with(&model, &latent, Condition::Words(1 << 4), &mut scratch), Err(ModelError::WordPastVocabulary { words: 4 }));
    let plain_tiny = tiny_model();
    let class_model = Model::parse(&plain_tiny).unwrap();
    assert_eq!(generate_with(&class_model, &latent, Condition::Words(1), &mut scratch), Err(ModelError::NoVocabulary));
}

#[test]
fn text_sections_that_do_not_fit_their_model_are_refused() {
    let text_header = Header { classes: 0, ..tiny_header() };
    let refused = |file: Result<Vec<u8>, ModelError>| Model::parse(&file.unwrap()).unwrap_err();
    assert_eq!(refused(text_model(&TABLE[..6], WORDS, text_header)), invalid(None, Problem::Text), "3 rows for 4 words");
    assert_eq!(refused(text_model(&[], "", text_header)), invalid(None, Problem::Text), "no words");
    assert_eq!(
        refused(text_model(&TABLE, "a\nThick\nseven\n7\n", text_header)),
        invalid(None, Problem::Vocabulary(crate::text::VocabularyError::BadWord { index: 1 }))
    );
    // With classes as well, the input would be latent + classes + dim and
    // the first layer's 10 inputs no longer chain: the section is refused first.
    assert_eq!(refused(text_model(&TABLE, WORDS, tiny_header())), invalid(None, Problem::Text));
    // A version 5 file relabelled 6 reads its first layer as a text section.
    let mut v = tiny_model();
    v[4] = 6;
    assert!(Model::parse(&v).is_err());
    // Every cut and resealed flip of a text model is an error or a valid model, never a panic.
    let good = text_model(&TABLE, WORDS, text_header).unwrap();
    flips_and_cuts_never_panic(&good, |m, scratch| {
        let _ = generate_with(m, &[0i8; 8], Condition::Words(0b1011), scratch);
    });
}

/// Parses every resealed one-bit flip (bits 0 and 7 of each payload byte)
/// and every cut of `good`; each model that parses is run by `run` in a
/// scratch of its size. None may panic.
fn flips_and_cuts_never_panic(good: &[u8], run: impl Fn(&Model<'_>, &mut [i8])) {
    for i in PREAMBLE_LEN..good.len() {
        for bit in [0x01u8, 0x80] {
            let mut f = good.to_vec();
            f[i] ^= bit;
            if let Ok(m) = Model::parse(&reseal(f)) {
                let mut scratch = vec![0i8; m.scratch_len()];
                run(&m, &mut scratch);
            }
        }
        let _ = Model::parse(&reseal(good[..i].to_vec()));
    }
}

const DIGITS: &str = "zero\none\n";

/// An encoder from 4 frames × 13 features (scale 1/16) through a
/// `[1, 3]` convolution to 2 logits in the latent's quantization.
fn tiny_encoder(logits: (f32, i8)) -> Vec<u8> {
    let conv = ConvGeometry { kernel: [1, 3], stride: [1, 2], padding: [0, 1], output_padding: [0, 0] };
    let features = (crate::audio::FEATURE_SCALE, 0);
    let layers = [
        owned(Op::Conv2d(conv), shape(1, 4, 13), shape(1, 2, 6), Activation::Relu, features, HIDDEN),
        owned(Op::Linear, shape(1, 2, 6), TensorShape::vector(2), Activation::Identity, HIDDEN, logits),
    ];
    let image = ImageInput { shape: shape(1, 4, 13), scale: features.0, zero_point: 0 };
    let header = Header { name: "ear", latent_dim: 0, classes: 0, latent_frac_bits: 5, image: TensorShape::vector(2), layer_count: 0, input_image: Some(image) };
    encode_with(&header, &layers)
}

/// The tiny generator (latent 8 + 2 logits) as a sound model.
fn sound_model(encoder: &[u8], labels: &str, shifts: &[i8], header: Header<'_>) -> Result<Vec<u8>, ModelError> {
    let owned = tiny_layers();
    let layers: Vec<Layer<'_>> = owned.iter().map(OwnedLayer::layer).collect();
    let audio = AudioCondition {
        sample_rate: 8000, frame_len: 256, hop_len: 128, mel_bands: 26, coefficients: 13, frames: 4,
        shifts: I8Array::new(shifts), labels, align: AlignmentPadding::default(), encoder: ModelBytes::new(encoder),
    };
    let mut buf = vec![0u8; encoded_len_bound(&header, &layers) + audio.encoded_len_bound()];
    let n = encode_with_conditions(&header, None, Some(&audio), &layers, &mut buf)?;
    buf.truncate(n);
    Ok(buf)
}

#[test]
fn a_sound_model_is_version_7_and_draws_what_its_encoder_heard_after_the_latent() {
    let sound_header = Header { classes: 0, ..tiny_header() };
    let encoder = tiny_encoder((LATENT_SCALE, 0));
    let file = sound_model(&encoder, DIGITS, &[4; 13], sound_header).unwrap();
    assert_eq!(file[4], 7);
    let model = Model::parse(&file).unwrap();
    assert_eq!((model.input_len(), model.labels().unwrap().len()), (10, 2));
    let audio = model.audio().unwrap();
    let offset = audio.encoder.as_bytes().as_ptr() as usize - file.as_ptr() as usize;
    assert_eq!(offset % 4, 0, "the encoder starts on a 4-byte boundary of the file");
    let ear = model.encoder().unwrap();
    assert!(model.scratch_len() >= ear.scratch_len());

    // The encoder runs as a translator does; its logits follow the latent.
    let mut scratch = vec![0i8; model.scratch_len()];
    let features: Vec<i8> = (0..52).map(|i| (i * 7 % 50 - 25) as i8).collect();
    let heard = translate(&ear, &features, &mut scratch).unwrap().to_vec();
    let latent: Vec<i8> = (0..8).map(|i| i * 9 - 30).collect();
    let drawn = generate_with(&model, &latent, Condition::Heard(&heard), &mut scratch).unwrap().to_vec();
    let plain_file = encode_with(&Header { latent_dim: 10, classes: 0, ..tiny_header() }, &tiny_layers());
    let plain = Model::parse(&plain_file).unwrap();
    let mut plain_scratch = vec![0i8; plain.scratch_len()];
    assert_eq!(drawn, generate(&plain, &[&latent[..], &heard].concat(), None, &mut plain_scratch).unwrap());

    // Without a recording, with the wrong length, or heard by another model: refused.
    assert_eq!(generate(&model, &latent, None, &mut scratch), Err(ModelError::Heard { sound_model: true }));
    assert_eq!(generate_with(&model, &latent, Condition::Heard(&[1]), &mut scratch), Err(ModelError::HeardLength { found: 1, expected: 2 }));
    let plain_tiny = tiny_model();
    let class_model = Model::parse(&plain_tiny).unwrap();
    assert_eq!(generate_with(&class_model, &latent, Condition::Heard(&heard), &mut scratch), Err(ModelError::Heard { sound_model: false }));
}

#[test]
fn audio_sections_that_do_not_fit_their_model_are_refused() {
    let sound_header = Header { classes: 0, ..tiny_header() };
    let encoder = tiny_encoder((LATENT_SCALE, 0));
    let refused = |file: Result<Vec<u8>, ModelError>| Model::parse(&file.unwrap()).unwrap_err();
    assert_eq!(refused(sound_model(&encoder, DIGITS, &[4; 12], sound_header)), invalid(None, Problem::Audio), "12 shifts");
    assert_eq!(refused(sound_model(&encoder, DIGITS, &[16; 13], sound_header)), invalid(None, Problem::Audio), "shift 16");
    assert_eq!(refused(sound_model(&encoder, "zero\n", &[4; 13], sound_header)), invalid(None, Problem::Audio), "one label");
    assert_eq!(refused(sound_model(&encoder, DIGITS, &[4; 13], tiny_header())), invalid(None, Problem::Audio), "with classes");
    // Logits not in the latent's quantization; labels the encoder does not make.
    let off_scale = tiny_encoder((0.05, 0));
    assert_eq!(refused(sound_model(&off_scale, DIGITS, &[4; 13], sound_header)), invalid(Some(1), Problem::Encoder));
    assert_eq!(refused(sound_model(&encoder, "zero\none\ntwo\n", &[4; 13], sound_header)), invalid(None, Problem::Encoder));
    // An encoder is no model of its own, and a model is no encoder.
    assert_eq!(Model::parse(&encoder).unwrap_err(), invalid(None, Problem::InputImage));
    assert_eq!(Model::parse_encoder(&tiny_model()).unwrap_err(), invalid(None, Problem::Encoder));
    // Every cut and resealed flip is an error or a valid model, never a panic.
    let good = sound_model(&encoder, DIGITS, &[4; 13], sound_header).unwrap();
    flips_and_cuts_never_panic(&good, |m, scratch| {
        if let Some(ear) = m.encoder() {
            let _ = translate(&ear, &[3i8; 52], scratch);
        }
        let _ = generate_with(m, &[0i8; 8], Condition::Heard(&[5, -5]), scratch);
    });
}
