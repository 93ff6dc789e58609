//! `pocketgan inspect`: what is inside a model file, and whether it is valid.

use anyhow::{Context, Result, anyhow};
use pocketgan_shared::format::{Activation, Op};
use pocketgan_shared::{Model, format};
use std::fmt::Write;
use std::path::Path;

/// A human-readable description of a valid model, or the reason it is not.
pub fn describe(bytes: &[u8]) -> Result<String> {
    let model = Model::parse(bytes).map_err(|e| anyhow!("{e}"))?;
    let h = model.header();
    let mut s = String::new();
    writeln!(s, "pocketgan model \"{}\" (format version {}, {} bytes, valid)", h.name, model.version(), bytes.len())?;
    match h.input_image {
        Some(input) => writeln!(
            s,
            "  translator: takes a {}x{} image, {} channel(s), int8 codes of scale {:.5} zero point {}",
            input.shape.width, input.shape.height, input.shape.channels, input.scale, input.zero_point
        )?,
        None => {
            writeln!(s, "  latent: {} values (Q{} codes)", h.latent_dim, h.latent_frac_bits)?;
            match (model.text(), model.vocabulary()) {
                (Some(text), Some(vocabulary)) => {
                    writeln!(
                        s,
                        "  prompt: a text model; the mean of its words' {}-code embeddings follows the latent ({} bytes of table)",
                        text.dim,
                        text.embedding.byte_len()
                    )?;
                    let words: Vec<&str> = vocabulary.words().collect();
                    writeln!(s, "  vocabulary ({} words): {}", words.len(), words.join(" "))?;
                }
                _ => match (model.audio(), model.labels(), model.encoder()) {
                    (Some(audio), Some(labels), Some(encoder)) => {
                        writeln!(
                            s,
                            "  sound: a sound model; what its encoder hears ({} logits) follows the latent",
                            labels.len()
                        )?;
                        writeln!(s, "  labels: {}", labels.words().collect::<Vec<_>>().join(" "))?;
                        writeln!(
                            s,
                            "  front end: {} Hz, {}-sample frames every {} ({} ms), {} mel bands, {} MFCCs; the speech stretched to {} frames",
                            audio.sample_rate,
                            audio.frame_len,
                            audio.hop_len,
                            audio.hop_len as u32 * 1000 / audio.sample_rate,
                            audio.mel_bands,
                            audio.coefficients,
                            audio.frames
                        )?;
                        let shifts: Vec<String> = audio.shifts.as_slice().iter().map(|v| v.to_string()).collect();
                        writeln!(s, "  feature shifts (per coefficient): {}", shifts.join(" "))?;
                        writeln!(s, "  encoder ({} bytes):", audio.encoder.as_bytes().len())?;
                        write_layers(&mut s, &encoder, "    ")?;
                        writeln!(s, "    parameters: {}, MACs per recording: {}, scratch RAM: {} bytes", encoder.parameters(), encoder.macs(), encoder.scratch_len())?;
                    }
                    _ => writeln!(s, "  classes: {}", if h.classes == 0 { "none (unconditional)".to_string() } else { h.classes.to_string() })?,
                },
            }
        }
    }
    writeln!(s, "  image: {}x{}, {} channel(s)", h.image.width, h.image.height, h.image.channels)?;
    writeln!(s, "  layers:")?;
    write_layers(&mut s, &model, "  ")?;
    writeln!(s, "  parameters: {}", model.parameters())?;
    writeln!(s, "  MACs per image: {}", model.macs())?;
    writeln!(s, "  output: int8 tanh codes, scale 1/128, zero point 0 (TFLite's TANH)")?;
    let plan = model.scratch_plan();
    let kept = if plan.kept > 0 { format!(", {} kept for skips", plan.kept) } else { String::new() };
    writeln!(
        s,
        "  scratch RAM: {} bytes ({} + {} ping-pong{kept}, {} staging: int16 inputs and unpacked weights)",
        model.scratch_len(),
        plan.even,
        plan.odd,
        plan.staging
    )?;
    if plan.kept > 0 {
        let all = model.all_activations_len();
        writeln!(
            s,
            "  activations: {} bytes as planned, {all} if every one were kept for the whole run ({:.0}% saved)",
            plan.activations(),
            100.0 * (1.0 - plan.activations() as f64 / all as f64)
        )?;
    }
    Ok(s)
}

/// `2`, or `1x2` when the two directions differ.
fn pair([a, b]: [u8; 2]) -> String {
    if a == b { a.to_string() } else { format!("{a}x{b}") }
}

/// One line per layer of `model`, each starting with `indent`.
fn write_layers(s: &mut String, model: &Model<'_>, indent: &str) -> Result<()> {
    for (i, layer) in model.layers().enumerate() {
        let l = layer.map_err(|e| anyhow!("{e}"))?;
        let op = match l.op {
            Op::Linear => "Linear".to_string(),
            Op::Conv2d(g) => format!("Conv2d k{}x{} s{} p{}", g.kernel[0], g.kernel[1], pair(g.stride), pair(g.padding)),
            Op::ConvTranspose2d(g) => format!("ConvT k{}x{} s{} p{}", g.kernel[0], g.kernel[1], pair(g.stride), pair(g.padding)),
        };
        let act = match l.activation {
            Activation::Identity => "-".to_string(),
            Activation::Relu => "ReLU".to_string(),
            Activation::Tanh => "tanh".to_string(),
        };
        let shape = |t: format::TensorShape| format!("{}x{}x{}", t.height, t.width, t.channels);
        let joins = l.skip.map(|k| format!(" (joins layer {k}'s output)")).unwrap_or_default();
        let kept = if model.is_kept(i as u16) { " (kept for a later layer)" } else { "" };
        writeln!(
            s,
            "{indent}  {i}: {op:<18} {:>9} -> {:<9} {act:<9} out scale {:.5} zp {:>4}  {:>7} weights  {:>9} MACs{joins}{kept}",
            shape(l.input),
            shape(l.output),
            l.output_scale,
            l.output_zero_point,
            l.packing().map_or(0, |p| p.channels * p.taps * p.depth),
            l.macs()
        )?;
    }
    Ok(())
}

/// `pocketgan inspect`.
pub fn run(path: &Path) -> Result<()> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read model file {}", path.display()))?;
    let text = describe(&bytes).map_err(|e| anyhow!("{}: {e}", path.display()))?;
    print!("{text}");
    Ok(())
}
