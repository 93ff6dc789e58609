//! A sound model to a `.pgan` file: the encoder quantized into a model
//! file of its own (features in, logits in the latent's quantization out),
//! nested in the generator's audio section with the front end's
//! parameters, then checked against the float networks on recordings.

use super::agreement::pixel_agreement;
use super::fold::{FloatLayer, conv2d, fold_generator, values};
use super::quantize::{QuantizedLayer, quantize_layers, quantize_layers_from, value_range};
use super::report::{CALIBRATION_SEEDS, ExportReport};
use crate::data::spoken_digits::{OFFICIAL_TEST_TAKES, SpokenDigits};
use crate::data::spoken_features::{codes_as_floats, encoder_codes, push_condition_row};
use crate::nets::Generator;
use crate::nets::audio_encoder::{AudioEncoder, logit_range};
use crate::nets::seeded::sound_inputs;
use crate::board::hearing::hear_codes;
use anyhow::{Context, Result, anyhow, bail};
use burn::module::Module;
use burn::tensor::{Device, Tensor, TensorData};
use pocketgan_shared::audio::{COEFFICIENTS, FRAME_LEN, HOP_LEN, MEL_BANDS, SAMPLE_RATE};
use pocketgan_shared::format::{self, AlignmentPadding, AudioCondition, Header, I8Array, ImageInput, Model, ModelBytes, TensorShape};
use pocketgan_shared::hearing::FEATURE_SCALE;
use pocketgan_shared::latent::{LATENT_FRAC_BITS, latent_for_seed};
use pocketgan_shared::{Condition, generate_with};

/// Recordings the activation ranges are measured on: every third take of
/// FSDD's official training split (takes 5–49), so no test recording.
fn calibration_recordings(encoder: &AudioEncoder) -> Result<(Vec<Vec<i8>>, Vec<u8>)> {
    let digits = SpokenDigits::load_bundled()?;
    let mut codes = Vec::new();
    let mut labels = Vec::new();
    for r in digits.recordings.iter().filter(|r| r.take >= OFFICIAL_TEST_TAKES && r.take % 3 == 0) {
        if let Ok(c) = encoder_codes(&r.samples, encoder.frames, &encoder.shifts) {
            codes.push(c);
            labels.push(r.digit);
        }
    }
    if codes.is_empty() {
        bail!("no calibration recording holds speech");
    }
    Ok((codes, labels))
}

/// Condition rows (label one-hot, then features) for recordings.
fn condition_rows(codes: &[Vec<i8>], labels: &[u8]) -> Vec<f32> {
    let mut rows = Vec::new();
    for (c, &label) in codes.iter().zip(labels) {
        push_condition_row(&mut rows, label as usize, codes_as_floats(c));
    }
    rows
}

/// The encoder as int8-ready float layers: its convolutions over the
/// `1 × frames × coefficients` map, then the head, whose inputs burn
/// flattens channel-major (`c · W + w`) and the int8 model pixel-major
/// (`w · C + c`).
fn fold_encoder(encoder: &AudioEncoder) -> Result<Vec<FloatLayer>> {
    let mut layers: Vec<FloatLayer> = Vec::new();
    let mut current = TensorShape { height: 1, width: u16::try_from(encoder.frames)?, channels: COEFFICIENTS as u16 };
    for conv in &encoder.convs {
        layers.push(conv2d(conv, None, current, pocketgan_shared::format::Activation::Relu)?);
        current = layers.last().expect("just pushed").output;
    }
    let [n_in, n_out] = encoder.head.weight.val().dims();
    let (c, w) = (current.channels as usize, current.width as usize);
    if n_in != c * w {
        bail!("the sound encoder's head takes {n_in} values, its last map holds {}", c * w);
    }
    let lw = values(encoder.head.weight.val());
    let lb = encoder.head.bias.as_ref().map(|b| values(b.val())).unwrap_or_else(|| vec![0.0; n_out]);
    let mut weights = vec![0f32; n_out * n_in];
    for o in 0..n_out {
        for ch in 0..c {
            for x in 0..w {
                weights[o * n_in + x * c + ch] = lw[(ch * w + x) * n_out + o];
            }
        }
    }
    layers.push(FloatLayer {
        op: pocketgan_shared::format::Op::Linear,
        input: current,
        output: TensorShape::vector(u16::try_from(n_out)?),
        skip: None,
        activation: pocketgan_shared::format::Activation::Identity,
        weights,
        bias: lb,
    });
    Ok(layers)
}

/// Each encoder layer's output range on `features` (`[n, columns]`); the
/// logits' is the clamp's, so their codes are the latent's `1/32`.
fn encoder_ranges(encoder: &AudioEncoder, features: Tensor<2>) -> Vec<(f32, f32)> {
    let mut ranges: Vec<(f32, f32)> = encoder.conv_stages(features).into_iter().map(value_range).collect();
    ranges.push(logit_range());
    ranges
}

/// The encoder's own model file.
fn encoder_file(encoder: &AudioEncoder, name: &str, features: Tensor<2>) -> Result<Vec<u8>> {
    let layers = fold_encoder(encoder)?;
    let quantized = quantize_layers_from(&layers, &encoder_ranges(encoder, features), (FEATURE_SCALE, 0))?;
    let input = TensorShape { height: 1, width: encoder.frames as u16, channels: COEFFICIENTS as u16 };
    let header = Header {
        name,
        latent_dim: 0,
        classes: 0,
        latent_frac_bits: LATENT_FRAC_BITS,
        image: TensorShape::vector(encoder.labels() as u16),
        layer_count: 0,
        input_image: Some(ImageInput { shape: input, scale: FEATURE_SCALE, zero_point: 0 }),
    };
    let views: Vec<_> = quantized.iter().map(QuantizedLayer::layer).collect();
    let mut bytes = vec![0u8; format::encoded_len_bound(&header, &views)];
    let len = format::encode(&header, &views, &mut bytes).map_err(|e| anyhow!("{e}"))?;
    bytes.truncate(len);
    Model::parse_encoder(&bytes).map_err(|e| anyhow!("the exporter wrote an invalid sound encoder (a bug): {e}"))?;
    Ok(bytes)
}

/// Quantizes a sound model's generator and encoder into one model file.
pub fn export_sound(generator: &Generator, name: &str, device: &Device) -> Result<ExportReport> {
    let generator = generator.valid();
    let encoder = generator.audio.as_ref().context("not a sound model")?;
    let (codes, labels) = calibration_recordings(encoder)?;
    let columns = encoder.columns();
    let features: Vec<f32> = codes.iter().flat_map(|c| codes_as_floats(c)).collect();
    let features = Tensor::<2>::from_data(TensorData::new(features, [codes.len(), columns]), device);
    let ear_name = format!("{name}-ear");
    let ear = encoder_file(encoder, &ear_name, features)?;

    let rows = condition_rows(&codes, &labels);
    let n = CALIBRATION_SEEDS.len();
    let z = sound_inputs(CALIBRATION_SEEDS.start, n, generator.latent_dim, &rows, generator.classes, device);
    let ranges: Vec<(f32, f32)> = generator
        .forward_stages(z)
        .into_iter()
        .map(value_range)
        .collect();
    let layers = fold_generator(&generator)?;
    let image = layers.last().expect("a generator has layers").output;
    let quantized = quantize_layers(&layers, &ranges)?;
    let label_text: String = encoder.label_names.iter().map(|l| format!("{l}\n")).collect();
    let audio = AudioCondition {
        sample_rate: SAMPLE_RATE,
        frame_len: FRAME_LEN as u16,
        hop_len: HOP_LEN as u16,
        mel_bands: MEL_BANDS as u8,
        coefficients: COEFFICIENTS as u8,
        frames: u16::try_from(encoder.frames)?,
        shifts: I8Array::new(&encoder.shifts),
        labels: &label_text,
        align: AlignmentPadding::default(),
        encoder: ModelBytes::new(&ear),
    };
    let header = Header {
        name,
        latent_dim: u16::try_from(generator.latent_dim).context("latent size above 65535")?,
        classes: 0,
        latent_frac_bits: LATENT_FRAC_BITS,
        image,
        layer_count: 0,
        input_image: None,
    };
    let views: Vec<_> = quantized.iter().map(QuantizedLayer::layer).collect();
    let mut bytes = vec![0u8; format::encoded_len_bound(&header, &views) + audio.encoded_len_bound()];
    let len = format::encode_with_conditions(&header, None, Some(&audio), &views, &mut bytes).map_err(|e| anyhow!("{e}"))?;
    bytes.truncate(len);
    let model = Model::parse(&bytes).map_err(|e| anyhow!("the exporter wrote an invalid model (a bug): {e}"))?;
    let ear = model.encoder().context("the exported model's encoder does not parse (a bug)")?;

    // int8 against float on 64 calibration recordings and seeds 0..63.
    let check = 64.min(codes.len());
    let check_rows = condition_rows(&codes[..check], &labels[..check]);
    let float = generator.forward(sound_inputs(0, check, generator.latent_dim, &check_rows, generator.classes, device));
    let mut scratch = vec![0i8; model.scratch_len()];
    let mut latent = vec![0i8; generator.latent_dim];
    let mut int8 = Vec::with_capacity(check);
    for (k, c) in codes[..check].iter().enumerate() {
        let heard = hear_codes(&ear, c, &mut scratch)?;
        latent_for_seed(k as u32, &mut latent);
        int8.push(generate_with(&model, &latent, Condition::Heard(&heard), &mut scratch).map_err(|e| anyhow!("{e}"))?.to_vec());
    }
    let psnr_db = pixel_agreement(float, &int8)?.psnr_db;
    Ok(ExportReport {
        parameters: model.parameters() + ear.parameters(),
        macs: model.macs() + ear.macs(),
        scratch: model.scratch_len(),
        psnr_db,
        bytes,
    })
}
