//! `cargo run --release -p pocketgan-tests --bin litert-oracle -- [DEFAULT.tflite]`
//!
//! An external oracle for pocketgan's arithmetic: LiteRT (Google's TFLite
//! runtime) with its reference kernels runs the exported `.tflite` of the
//! default model and of random small models (every op, odd channel counts,
//! both fused activations, tanh, SAME and VALID padding), and every layer's
//! int8 output must equal pocketgan's host kernels' (the reference and the
//! portable optimized ones, which must also equal each other) on the same
//! inputs: 64 inputs per model. For the default model the inputs are the
//! latents of seeds 0..63, and the last tensor is the image itself: the
//! codes `pocketgan sample` turns into pixels.
//!
//! DEFAULT.tflite is the default model as `pocketgan export models/dcgan-digits.pgan --tflite`
//! wrote it (so the CLI's file is the one checked); without it the file is
//! written here with the same function.
//!
//! Needs Python with `ai-edge-litert` (`scripts/python-setup` puts one in
//! `target/python`; `POCKETGAN_PYTHON` names another).

use pocketgan_host_trainer::export::tflite;
use pocketgan_shared::format::owned::{LayerParts, OwnedLayer};
use pocketgan_shared::format::{self, Activation, ConvGeometry, Header, Layer, Model, Op, TensorShape};
use pocketgan_shared::kernels::{optimized, reference};
use pocketgan_shared::latent::{LATENT_FRAC_BITS, LATENT_SCALE, LatentSampler, latent_for_seed};
use pocketgan_tests::emulator::repo_root;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// Inputs per model.
const INPUTS: usize = 64;
/// Random models besides the default one.
const RANDOM_MODELS: u32 = 48;
/// Random translators (image in, a skip connection joined by
/// CONCATENATION) besides them.
const RANDOM_TRANSLATORS: u32 = 12;

fn main() -> ExitCode {
    match oracle() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn oracle() -> Result<(), String> {
    let python = python()?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let default_path = repo_root().join("models/dcgan-digits.pgan");
    let bytes = std::fs::read(&default_path).map_err(|e| format!("{}: {e}", default_path.display()))?;
    let model = Model::parse(&bytes).map_err(|e| e.to_string())?;
    let tflite_file = match std::env::args().nth(1) {
        Some(path) => std::fs::read(&path).map_err(|e| format!("{path}: {e}"))?,
        None => tflite::write(&model).map_err(|e| format!("{e:#}"))?,
    };
    let seeds: Vec<Vec<i8>> = (0..INPUTS as u32)
        .map(|seed| {
            let mut latent = vec![0i8; model.input_len()];
            latent_for_seed(seed, &mut latent[..model.header().latent_dim as usize]);
            latent
        })
        .collect();
    write_case(&dir.path().join("default"), &model, &tflite_file, &seeds, model.header().classes == 0)?;

    for index in 0..RANDOM_MODELS {
        let file = random_model(index)?;
        let model = Model::parse(&file).map_err(|e| format!("random model {index}: {e}"))?;
        let mut rng = LatentSampler::new(1000 + index);
        let inputs: Vec<Vec<i8>> = (0..INPUTS).map(|_| (0..model.input_len()).map(|_| rng.next_u32() as i8).collect()).collect();
        let tflite_file = tflite::write(&model).map_err(|e| format!("random model {index}: {e:#}"))?;
        write_case(&dir.path().join(format!("random{index:02}")), &model, &tflite_file, &inputs, false)?;
    }

    for index in 0..RANDOM_TRANSLATORS {
        let file = random_translator(index)?;
        let model = Model::parse(&file).map_err(|e| format!("random translator {index}: {e}"))?;
        let mut rng = LatentSampler::new(5000 + index);
        let inputs: Vec<Vec<i8>> = (0..INPUTS).map(|_| (0..model.input_len()).map(|_| rng.next_u32() as i8).collect()).collect();
        let tflite_file = tflite::write(&model).map_err(|e| format!("random translator {index}: {e:#}"))?;
        write_case(&dir.path().join(format!("translator{index:02}")), &model, &tflite_file, &inputs, true)?;
    }

    let script = repo_root().join("scripts/litert_oracle.py");
    let out = Command::new(&python).arg(&script).arg(dir.path()).output().map_err(|e| format!("{}: {e}", python.display()))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.stderr.is_empty() && !out.status.success() {
        eprintln!("{}", String::from_utf8_lossy(&out.stderr));
    }
    report(&stdout)?;
    if !out.status.success() {
        return Err("LiteRT's reference kernels and pocketgan's disagree (details above)".into());
    }
    Ok(())
}

/// The Python that has LiteRT.
fn python() -> Result<PathBuf, String> {
    let python = std::env::var_os("POCKETGAN_PYTHON").map(PathBuf::from).unwrap_or_else(|| repo_root().join("target/python/bin/python"));
    let ok = Command::new(&python).args(["-c", "import ai_edge_litert.interpreter"]).output().is_ok_and(|o| o.status.success());
    if ok {
        Ok(python)
    } else {
        Err(format!(
            "{} cannot import ai_edge_litert: run scripts/python-setup (LiteRT and Vela in target/python), \
             or set POCKETGAN_PYTHON to a Python that has ai-edge-litert 2.3.0",
            python.display()
        ))
    }
}

/// Every layer's output for `input` through the reference kernels, checked
/// against the optimized kernels on the way; a skip layer's joined input
/// (each pixel's previous channels, then the kept output's) comes first.
fn layer_outputs(model: &Model<'_>, input: &[i8]) -> Result<Vec<Vec<i8>>, String> {
    let mut outputs = Vec::new();
    let mut by_layer: Vec<(Vec<i8>, usize)> = Vec::new();
    let mut x = input.to_vec();
    for (i, layer) in model.layers().enumerate() {
        let layer = layer.map_err(|e| e.to_string())?;
        if let Some(k) = layer.skip {
            let (kept, kept_channels) = &by_layer[k as usize];
            let own = layer.input.channels as usize - kept_channels;
            x = x.chunks(own).zip(kept.chunks(*kept_channels)).flat_map(|(a, b)| a.iter().chain(b).copied()).collect();
            outputs.push(x.clone());
        }
        let n = layer.output.elements().unwrap_or(0) as usize;
        let mut by_reference = vec![0i8; n];
        reference::run_layer(&layer, layer.input_zero_point, &x, &mut by_reference);
        let mut staging = vec![0u32; layer.staging_words()];
        let mut by_optimized = vec![0i8; n];
        optimized::run_layer(&layer, layer.input_zero_point, &x, &mut by_optimized, &mut staging);
        if by_reference != by_optimized {
            return Err(format!("layer {i}: the optimized kernels differ from the reference"));
        }
        // A tanh layer's kernels emit the table's output: the pre-tanh
        // codes are the table's input, recovered by running without it.
        if layer.activation == Activation::Tanh {
            let pre = Layer { activation: Activation::Identity, tanh_table: format::I8Array::new(&[]), ..layer };
            let mut codes = vec![0i8; n];
            reference::run_layer(&pre, layer.input_zero_point, &x, &mut codes);
            outputs.push(codes);
        }
        outputs.push(by_reference.clone());
        by_layer.push((by_reference.clone(), layer.output.channels as usize));
        x = by_reference;
    }
    Ok(outputs)
}

/// The tensor names `tflite::write` gives each layer output, their
/// lengths, and the TFLite op that writes them.
fn tensor_names(model: &Model<'_>) -> Vec<(String, usize, &'static str)> {
    let mut names = Vec::new();
    for (i, layer) in model.layers().enumerate() {
        let layer = layer.expect("parsed");
        let n = layer.output.elements().unwrap_or(0) as usize;
        if layer.skip.is_some() {
            names.push((format!("layer{i}_joined"), layer.input.elements().unwrap_or(0) as usize, "CONCATENATION"));
        }
        let op = match layer.op {
            Op::Linear => "FULLY_CONNECTED",
            Op::Conv2d(_) => "CONV_2D",
            Op::ConvTranspose2d(_) => "TRANSPOSE_CONV",
        };
        names.push((format!("layer{i}"), n, op));
        if layer.activation == Activation::Tanh {
            names.push(("image".to_string(), n, "TANH"));
        }
    }
    names
}

fn write_case(dir: &Path, model: &Model<'_>, tflite_file: &[u8], inputs: &[Vec<i8>], check_generate: bool) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let names = tensor_names(model);
    let mut expected: Vec<Vec<u8>> = vec![Vec::new(); names.len()];
    let mut input_bytes = Vec::new();
    for input in inputs {
        input_bytes.extend(input.iter().map(|&v| v as u8));
        for (store, out) in expected.iter_mut().zip(layer_outputs(model, input)?) {
            store.extend(out.iter().map(|&v| v as u8));
        }
    }
    // The image tensor is also what the whole generator (pocketgan sample,
    // the board) returns.
    if check_generate {
        let (h, mut scratch) = (model.header(), vec![0i8; model.scratch_len()]);
        let image_len = model.output_len();
        let images = expected.last().expect("a model has layers");
        for (k, input) in inputs.iter().enumerate() {
            let image = if model.is_translator() {
                pocketgan_shared::translate(model, input, &mut scratch)
            } else {
                pocketgan_shared::generate(model, &input[..h.latent_dim as usize], None, &mut scratch)
            }
            .map_err(|e| e.to_string())?;
            if as_bytes(image) != &images[k * image_len..(k + 1) * image_len] {
                return Err(format!("{}: generate() differs from the layers run one by one", dir.display()));
            }
        }
    }
    let tensors: Vec<String> =
        names.iter().map(|(name, len, op)| format!("{{\"name\": \"{name}\", \"len\": {len}, \"op\": \"{op}\"}}")).collect();
    let manifest = format!("{{\"inputs\": {}, \"input_len\": {}, \"tensors\": [{}]}}", inputs.len(), model.input_len(), tensors.join(", "));
    let write = |name: &str, bytes: &[u8]| std::fs::write(dir.join(name), bytes).map_err(|e| e.to_string());
    write("manifest.json", manifest.as_bytes())?;
    write("model.tflite", tflite_file)?;
    write("inputs.bin", &input_bytes)?;
    for ((name, _, _), bytes) in names.iter().zip(&expected) {
        write(&format!("{name}.bin"), bytes)?;
    }
    Ok(())
}

fn as_bytes(codes: &[i8]) -> &[u8] {
    // SAFETY: i8 and u8 have the same layout.
    unsafe { std::slice::from_raw_parts(codes.as_ptr().cast::<u8>(), codes.len()) }
}

/// Prints the oracle's findings as a table.
fn report(json: &str) -> Result<(), String> {
    let value: serde_json::Value = serde_json::from_str(json).map_err(|e| format!("the oracle printed no result ({e}): {json}"))?;
    let cases = value["cases"].as_array().ok_or_else(|| format!("the oracle failed: {json}"))?;
    let (mut compared, mut differ, mut layers) = (0u64, 0u64, 0u64);
    let mut default_differs = std::collections::BTreeMap::<String, [u64; 5]>::new();
    for case in cases {
        for t in case["tensors"].as_array().into_iter().flatten() {
            compared += t["elements"].as_u64().unwrap_or(0);
            differ += t["differ"].as_u64().unwrap_or(0);
            layers += 1;
            if t["differ"].as_u64().unwrap_or(0) > 0 {
                println!("MISMATCH {} {}: {}", case["case"], t["name"], t["first"]);
            }
            let kind = t["op"].as_str().unwrap_or("?").to_string();
            let entry = default_differs.entry(kind).or_default();
            let field = |name: &str| t[name].as_u64().unwrap_or(0);
            entry[0] += field("default_resolver_differs");
            entry[1] += field("elements");
            entry[2] = entry[2].max(field("default_resolver_max_abs"));
            entry[3] += field("isolated_differs");
            entry[4] += field("isolated_elements");
        }
    }
    println!("LiteRT 2.3.0 reference kernels vs pocketgan: {} models x {INPUTS} inputs, {layers} layer outputs, {compared} int8 values: {differ} differ", cases.len());
    println!("LiteRT's default resolver (optimized kernels, XNNPACK) against its reference kernels, same model inputs:");
    println!("  op               end to end (upstream differences propagate)          the op alone (its input identical)");
    for (kind, [d, n, max, iso_d, iso_n]) in default_differs {
        let pct = |a: u64, b: u64| 100.0 * a as f64 / b.max(1) as f64;
        println!(
            "  {kind:<16} {d:>8} of {n:>9} differ ({:>6.3} %, at most {max:>2})   {iso_d:>8} of {iso_n:>9} differ ({:>6.3} %)",
            pct(d, n),
            pct(iso_d, iso_n)
        );
    }
    Ok(())
}

/// A random generator: a fully connected layer from the input, then 0–3
/// convolutions, the last with tanh; odd channel counts, random scales and
/// zero points.
fn random_model(index: u32) -> Result<Vec<u8>, String> {
    let mut rng = LatentSampler::new(7919 * (index + 1));
    let mut pick = |n: u32| rng.next_u32() % n;
    let latent_dim = 1 + pick(24) as u16;
    let classes = if pick(3) == 0 { 1 + pick(5) as u16 } else { 0 };
    let convs = pick(4) as usize;
    let mut shapes = Vec::new();
    let (mut h, mut w) = (1 + pick(4) as u16, 1 + pick(4) as u16);
    let mut c = 1 + pick(9) as u16;
    let mut current = TensorShape { height: h, width: w, channels: c };
    shapes.push((Op::Linear, TensorShape::vector(latent_dim + classes), current));
    for _ in 0..convs {
        let next_c = 1 + pick(9) as u16;
        let (op, out) = match pick(5) {
            0 | 1 => {
                let g = ConvGeometry { kernel: [4, 4], stride: [2, 2], padding: [1, 1], output_padding: [0, 0] };
                (Op::ConvTranspose2d(g), TensorShape { height: 2 * h, width: 2 * w, channels: next_c })
            }
            2 => {
                let g = ConvGeometry { kernel: [2, 2], stride: [2, 2], padding: [0, 0], output_padding: [0, 0] };
                (Op::ConvTranspose2d(g), TensorShape { height: 2 * h, width: 2 * w, channels: next_c })
            }
            3 => {
                let g = ConvGeometry { kernel: [3, 3], stride: [1, 1], padding: [1, 1], output_padding: [0, 0] };
                (Op::Conv2d(g), TensorShape { height: h, width: w, channels: next_c })
            }
            _ => {
                let g = ConvGeometry { kernel: [1, 1], stride: [1, 1], padding: [0, 0], output_padding: [0, 0] };
                (Op::Conv2d(g), TensorShape { height: h, width: w, channels: next_c })
            }
        };
        shapes.push((op, current, out));
        (h, w, c) = (out.height, out.width, out.channels);
        current = out;
    }
    let _ = c;
    let image = shapes.last().map(|s| s.2).expect("one layer at least");
    // A tanh image must have 1 or 3 channels: a last 1x1 conv makes it so.
    let mut shapes = shapes;
    if image.channels != 1 && image.channels != 3 {
        let g = ConvGeometry { kernel: [1, 1], stride: [1, 1], padding: [0, 0], output_padding: [0, 0] };
        let out = TensorShape { channels: if pick(2) == 0 { 1 } else { 3 }, ..image };
        shapes.push((Op::Conv2d(g), image, out));
    }
    let image = shapes.last().map(|s| s.2).expect("one layer at least");
    let mut layers = Vec::new();
    let (mut in_scale, mut in_zp) = (LATENT_SCALE, 0i8);
    let count = shapes.len();
    for (i, (op, input, output)) in shapes.into_iter().enumerate() {
        let last = i + 1 == count;
        let activation = if last { Activation::Tanh } else if pick(3) == 0 { Activation::Identity } else { Activation::Relu };
        let channels = match op {
            Op::Linear => output.elements().unwrap_or(0) as usize,
            _ => output.channels as usize,
        };
        let depth = match op {
            Op::Linear => input.elements().unwrap_or(0) as usize,
            Op::Conv2d(g) | Op::ConvTranspose2d(g) => g.kernel[0] as usize * g.kernel[1] as usize * input.channels as usize,
        };
        let output_scale = if last { 1.0 / (8.0 + pick(60) as f32) } else { 0.01 + pick(1000) as f32 / 20000.0 };
        let output_zp = if activation == Activation::Relu { -128 } else { pick(256) as i32 as i8 };
        let weights: Vec<i8> = (0..channels * depth).map(|_| (pick(255) as i32 - 127) as i8).collect();
        // Factors of 2^-12 to 2^-5 of the output scale per weight step, so
        // outputs span the int8 range without all saturating.
        let weight_scales: Vec<f32> = (0..channels)
            .map(|_| output_scale / in_scale * (1.0 + pick(256) as f32 / 256.0) / (1u32 << (5 + pick(5)) as u32) as f32 / (depth as f32).sqrt())
            .collect();
        let bias = (0..channels).map(|_| pick(20001) as i32 - 10000).collect();
        let parts = LayerParts {
            op, input, output, skip: None, activation,
            input_scale: in_scale, input_zero_point: in_zp,
            output_scale, output_zero_point: output_zp,
            weight_scales, weights, bias,
        };
        layers.push(OwnedLayer::derive(parts, f32::tanh).map_err(|e| e.to_string())?);
        (in_scale, in_zp) = (output_scale, output_zp);
    }
    let header = Header { name: "oracle", latent_dim, classes, latent_frac_bits: LATENT_FRAC_BITS, image, layer_count: 0, input_image: None };
    let views: Vec<Layer<'_>> = layers.iter().map(OwnedLayer::layer).collect();
    let mut bytes = vec![0u8; format::encoded_len_bound(&header, &views)];
    let len = format::encode(&header, &views, &mut bytes).map_err(|e| e.to_string())?;
    bytes.truncate(len);
    Ok(bytes)
}

/// A random translator: a stride-2 convolution whose output is kept, a
/// 3 × 3 convolution, then a transposed convolution back to the input's
/// size joining the kept output (the U-Net's pattern); odd channel counts,
/// gray or RGB, random weights and scales (the two joined outputs share
/// one scale and zero point, as export ties them).
fn random_translator(index: u32) -> Result<Vec<u8>, String> {
    let mut rng = LatentSampler::new(104_729 * (index + 1));
    let mut pick = |n: u32| rng.next_u32() % n;
    let side = 4 + 2 * pick(3) as u16;
    let rgb = |bit: u32| if bit == 0 { 1 } else { 3 };
    let (c_in, c_out) = (rgb(pick(2)), rgb(pick(2)));
    let (c1, c2) = (1 + pick(9) as u16, 1 + pick(9) as u16);
    let half = side / 2;
    let shape = |h: u16, c: u16| TensorShape { height: h, width: h, channels: c };
    let down = ConvGeometry { kernel: [4, 4], stride: [2, 2], padding: [1, 1], output_padding: [0, 0] };
    let same = ConvGeometry { kernel: [3, 3], stride: [1, 1], padding: [1, 1], output_padding: [0, 0] };
    let image_q = (1.0f32 / 128.0, 0i8);
    let joined_q = (0.01 + pick(1000) as f32 / 20000.0, if pick(2) == 0 { -128 } else { pick(256) as i32 as i8 });
    let pre_tanh = (1.0 / (8.0 + pick(60) as f32), pick(256) as i32 as i8);
    let plan = [
        (Op::Conv2d(down), shape(side, c_in), shape(half, c1), None, Activation::Relu, image_q, joined_q),
        (Op::Conv2d(same), shape(half, c1), shape(half, c2), None, Activation::Relu, joined_q, joined_q),
        (Op::ConvTranspose2d(down), shape(half, c1 + c2), shape(side, c_out), Some(0), Activation::Tanh, joined_q, pre_tanh),
    ];
    let mut layers = Vec::new();
    for (op, input, output, skip, activation, (in_scale, in_zp), (output_scale, output_zp)) in plan {
        let (Op::Conv2d(g) | Op::ConvTranspose2d(g)) = op else { unreachable!("convolutions only") };
        let channels = output.channels as usize;
        let depth = g.kernel[0] as usize * g.kernel[1] as usize * input.channels as usize;
        let weights: Vec<i8> = (0..channels * depth).map(|_| (pick(255) as i32 - 127) as i8).collect();
        let weight_scales: Vec<f32> = (0..channels)
            .map(|_| output_scale / in_scale * (1.0 + pick(256) as f32 / 256.0) / (1u32 << (5 + pick(5))) as f32 / (depth as f32).sqrt())
            .collect();
        let bias = (0..channels).map(|_| pick(20001) as i32 - 10000).collect();
        let parts = LayerParts {
            op, input, output, skip, activation,
            input_scale: in_scale, input_zero_point: in_zp,
            output_scale, output_zero_point: output_zp,
            weight_scales, weights, bias,
        };
        layers.push(OwnedLayer::derive(parts, f32::tanh).map_err(|e| e.to_string())?);
    }
    let input_image = Some(format::ImageInput { shape: shape(side, c_in), scale: image_q.0, zero_point: image_q.1 });
    let header = Header { name: "translator", latent_dim: 0, classes: 0, latent_frac_bits: LATENT_FRAC_BITS, image: shape(side, c_out), layer_count: 0, input_image };
    let views: Vec<Layer<'_>> = layers.iter().map(OwnedLayer::layer).collect();
    let mut bytes = vec![0u8; format::encoded_len_bound(&header, &views)];
    let len = format::encode(&header, &views, &mut bytes).map_err(|e| e.to_string())?;
    bytes.truncate(len);
    Ok(bytes)
}
