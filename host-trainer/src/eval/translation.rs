//! `pocketgan eval` of a translator's run: its held-out inputs translated
//! by the float translator and by the int8 one exactly as a board runs it,
//! scored side by side ([`crate::metrics::translation`]).

use crate::board::translate::translate_pixels;
use crate::data::ImageSet;
use crate::export::translator::{export_translator, float_input};
use crate::metrics::images::Evaluator;
use crate::metrics::translation::{TranslationScores, score};
use crate::nets::seeded::tensor_images;
use crate::nets::unet::UNet;
use crate::training::run_dir::RunDir;
use crate::training::translation::run::load_translator;
use anyhow::{Result, anyhow, bail};
use burn::module::Module;
use burn::tensor::Device;
use pocketgan_shared::Model;
use pocketgan_shared::format::TensorShape;
use std::path::Path;

/// Float and int8 scores of a translator.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TranslatorReport {
    /// The float translator.
    pub float: TranslationScores,
    /// The int8 translator (board arithmetic).
    pub int8: TranslationScores,
    /// Real target images scored as if translated (the floor the Fréchet
    /// distance reaches with this many images).
    pub real_targets: Option<f64>,
    /// Held-out inputs scored.
    pub images: usize,
}

fn shape_of(set: &ImageSet) -> TensorShape {
    TensorShape { height: set.height as u16, width: set.width as u16, channels: set.channels as u16 }
}

/// `net` on 8-bit images, float, in batches; 8-bit outputs.
fn float_outputs(net: &UNet, images: &[Vec<u8>], shape: TensorShape, device: &Device) -> Vec<Vec<u8>> {
    let net = net.valid();
    images
        .chunks(256)
        .flat_map(|chunk| {
            let codes: Vec<Vec<i8>> = chunk.iter().map(|img| img.iter().map(|&p| pocketgan_shared::pixels::code_of_u8(p)).collect()).collect();
            tensor_images(net.forward(float_input(&codes, shape, device)))
        })
        .collect()
}

fn int8_outputs(model_bytes: &[u8], images: &[Vec<u8>]) -> Result<Vec<Vec<u8>>> {
    let model = Model::parse(model_bytes).map_err(|e| anyhow!("{e}"))?;
    let mut scratch = Vec::new();
    images.iter().map(|img| translate_pixels(&model, img, &mut scratch)).collect()
}

/// Scores the run's translator on its first `n` held-out inputs.
pub fn evaluate(run: &RunDir, n: usize, device: &Device, show_progress: bool) -> Result<TranslatorReport> {
    if n < 2 {
        bail!("--n must be at least 2");
    }
    let loaded = load_translator(run, device)?;
    let data = loaded.config.data.load()?;
    let (train, test) = (&data.train, &data.test);
    let n = n.min(test.a.len()).min(if test.paired { test.b.len() } else { usize::MAX });
    let inputs = test.a.subset(0..n);
    let targets = test.paired.then(|| test.b.subset(0..n));
    let evaluator = match (&train.b.labels, &test.b.labels) {
        (Some(_), Some(_)) => Some(Evaluator::new(&train.b, &test.b, device, show_progress)?),
        _ => None,
    };
    let images: Vec<Vec<u8>> = (0..n).map(|i| inputs.image(i).to_vec()).collect();
    let (shape_a, shape_b) = (shape_of(&inputs), shape_of(&test.b));
    let float = float_outputs(&loaded.a_to_b, &images, shape_a, device);
    let model = export_translator(&loaded.a_to_b, "eval", &train.a, &test.a, device)?;
    let int8 = int8_outputs(&model.bytes, &images)?;
    let (float_trips, int8_trips) = match &loaded.b_to_a {
        Some(back) => {
            let back_model = export_translator(back, "eval-back", &train.b, &test.b, device)?;
            (Some(float_outputs(back, &float, shape_b, device)), Some(int8_outputs(&back_model.bytes, &int8)?))
        }
        None => (None, None),
    };
    let scores = |outputs: &[Vec<u8>], trips: Option<&[Vec<u8>]>| score(&inputs, outputs, targets.as_ref(), evaluator.as_ref(), trips, device);
    Ok(TranslatorReport {
        float: scores(&float, float_trips.as_deref()),
        int8: scores(&int8, int8_trips.as_deref()),
        real_targets: evaluator.as_ref().map(|e| e.score_real(&train.b, n).frechet),
        images: n,
    })
}

fn cell(v: Option<f64>, digits: usize, percent: bool) -> String {
    match v {
        Some(v) if percent => format!("{:.1}%", v * 100.0),
        Some(v) => format!("{v:.digits$}"),
        None => "-".into(),
    }
}

/// Runs `pocketgan eval` on a translator's run.
pub fn run(path: &Path, n: usize, json: bool) -> Result<()> {
    let device = Device::flex();
    let run = RunDir::new(path);
    let report = evaluate(&run, n, &device, !json)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    let loaded = load_translator(&run, &device)?;
    println!("{} at step {} ({} on {}, {} held-out inputs)", path.display(), loaded.step, loaded.config.method(), loaded.config.data.short_name(), report.images);
    println!("| translator | L1 | PSNR (dB) | SSIM | Fréchet distance | class agreement | cycle L1 |");
    println!("|---|---|---|---|---|---|---|");
    for (label, s) in [("float", &report.float), ("int8 (board)", &report.int8)] {
        println!(
            "| {label} | {} | {} | {} | {} | {} | {} |",
            cell(s.l1, 4, false),
            cell(s.psnr_db, 2, false),
            cell(s.ssim, 3, false),
            cell(s.frechet, 2, false),
            cell(s.class_agreement, 1, true),
            cell(s.cycle_l1, 4, false)
        );
    }
    if let Some(floor) = report.real_targets {
        println!("| {} real targets (the floor) | - | - | - | {floor:.2} | - | - |", report.images);
    }
    Ok(())
}

