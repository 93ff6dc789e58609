//! `pocketgan eval` of a sound model: does it draw the digit it hears?
//! Every test recording of the run's split (FSDD's official test takes,
//! or all of the held-out speaker's) is heard and drawn once (recording
//! `k` with seed `k`); the evaluation classifier reads the drawn digit and
//! it is compared with the digit spoken. The int8 path is the board's:
//! its front end, int8 encoder and int8 generator on board pixels.

use crate::board::hearing::hear_samples;
use crate::data::spoken_digits::{SpokenDigits, Split};
use crate::data::spoken_features::{DIGIT_LABELS, codes_as_floats, encoder_codes, push_condition_row};
use crate::eval::text::Shares;
use crate::metrics::images::{Evaluator, splits};
use crate::nets::Generator;
use crate::nets::seeded::{sound_inputs, tensor_images};
use crate::training::image_config::TrainConfig;
use anyhow::{Context, Result, anyhow};
use burn::module::Module;
use burn::tensor::{Device, Tensor, TensorData};
use pocketgan_shared::latent::latent_for_seed;
use pocketgan_shared::pixels::code_to_u8;
use pocketgan_shared::{Condition, Model, generate_with};

/// A sound model's scores on its split's test recordings.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SoundReport {
    /// Which recordings: "official test split" or "held-out speaker theo".
    pub split: String,
    /// Test recordings.
    pub recordings: usize,
    /// Recordings the speech gate heard nothing in (counted as wrong).
    pub unheard: usize,
    /// The evaluation classifier's accuracy on real test images.
    pub classifier_accuracy: f64,
    /// Share of recordings whose encoder guess is the digit spoken.
    pub heard: Shares,
    /// Share of recordings whose drawn image the classifier reads as the digit spoken.
    pub drawn: Shares,
    /// Per digit: drawn right, int8.
    pub drawn_per_digit: Vec<f64>,
    /// Per speaker: (speaker, drawn right, int8).
    pub drawn_per_speaker: Vec<(String, f64)>,
}

/// Scores a sound run's generator and its int8 export `model`.
pub fn evaluate(config: &TrainConfig, generator: &Generator, model: &Model<'_>, device: &Device, show_progress: bool) -> Result<SoundReport> {
    let encoder = generator.audio.as_ref().context("not a sound model")?;
    let digits = SpokenDigits::load_bundled()?;
    let (split, name) = match &config.held_out_speaker {
        Some(s) => (Split::HeldOutSpeaker(s.clone()), format!("held-out speaker {s}")),
        None => (Split::Official, "official test split".to_string()),
    };
    let (_, test) = digits.split(&split)?;
    let data = config.data.load()?;
    let (train_images, test_images) = splits(&config.data)?;
    let evaluator = Evaluator::new(&train_images, &test_images, device, show_progress)?;

    // The float path: the float encoder and generator on the same codes.
    let mut rows = Vec::new();
    let mut heard_codes = Vec::new();
    for r in &test {
        let codes = encoder_codes(&r.samples, encoder.frames, &encoder.shifts).unwrap_or_else(|_| vec![0; encoder.columns()]);
        push_condition_row(&mut rows, r.digit as usize, codes_as_floats(&codes));
        heard_codes.extend(codes_as_floats(&codes));
    }
    let n = test.len();
    let generator = generator.valid();
    let encoder = generator.audio.as_ref().context("not a sound model")?;
    let features = Tensor::<2>::from_data(TensorData::new(heard_codes, [n, encoder.columns()]), device);
    let float_guesses: Vec<i64> = encoder.forward(features).argmax(1).into_data().convert::<i64>().try_to_vec::<i64>().map_err(|e| anyhow!("{e:?}"))?;
    let mut float_images = Vec::with_capacity(n);
    for start in (0..n).step_by(100) {
        let end = (start + 100).min(n);
        let chunk = &rows[start * generator.classes..end * generator.classes];
        let input = sound_inputs(start as u32, end - start, generator.latent_dim, chunk, generator.classes, device);
        float_images.extend(tensor_images(generator.forward(input)));
    }

    // The board's path.
    let mut scratch = vec![0i8; model.scratch_len()];
    let mut latent = vec![0i8; generator.latent_dim];
    let mut int8_images = Vec::with_capacity(n);
    let mut int8_guesses = Vec::with_capacity(n);
    let mut unheard = 0;
    for (k, r) in test.iter().enumerate() {
        latent_for_seed(k as u32, &mut latent);
        match hear_samples(model, &r.samples) {
            Ok(heard) => {
                int8_guesses.push(heard.guess as i64);
                let codes = generate_with(model, &latent, Condition::Heard(heard.condition()), &mut scratch).map_err(|e| anyhow!("{e}"))?;
                int8_images.push(codes.iter().map(|&c| code_to_u8(c)).collect());
            }
            Err(_) => {
                unheard += 1;
                int8_guesses.push(-1);
                int8_images.push(vec![0u8; data.width * data.height]);
            }
        }
    }
    let read_float = evaluator.classes_of_gray(&float_images, data.width, data.height);
    let read_int8 = evaluator.classes_of_gray(&int8_images, data.width, data.height);
    let share = |right: usize| right as f64 / n.max(1) as f64;
    let spoken = |k: usize| test[k].digit as usize;
    let count = |pred: &dyn Fn(usize) -> bool| (0..n).filter(|&k| pred(k)).count();
    let drawn_per_digit = (0..DIGIT_LABELS.len())
        .map(|d| {
            let of: Vec<usize> = (0..n).filter(|&k| spoken(k) == d).collect();
            of.iter().filter(|&&k| read_int8[k] == d).count() as f64 / of.len().max(1) as f64
        })
        .collect();
    let mut speakers: Vec<String> = test.iter().map(|r| r.speaker.clone()).collect();
    speakers.sort();
    speakers.dedup();
    let drawn_per_speaker = speakers
        .into_iter()
        .map(|s| {
            let of: Vec<usize> = (0..n).filter(|&k| test[k].speaker == s).collect();
            let right = of.iter().filter(|&&k| read_int8[k] == spoken(k)).count();
            (s, right as f64 / of.len().max(1) as f64)
        })
        .collect();
    Ok(SoundReport {
        split: name,
        recordings: n,
        unheard,
        classifier_accuracy: evaluator.real_accuracy,
        heard: Shares {
            float: share(count(&|k| float_guesses[k] == spoken(k) as i64)),
            int8: share(count(&|k| int8_guesses[k] == spoken(k) as i64)),
        },
        drawn: Shares { float: share(count(&|k| read_float[k] == spoken(k))), int8: share(count(&|k| read_int8[k] == spoken(k))) },
        drawn_per_digit,
        drawn_per_speaker,
    })
}

/// Prints a [`SoundReport`] as tables.
pub fn print(report: &SoundReport) {
    let pct = |v: f64| format!("{:.1}%", v * 100.0);
    println!(
        "{} recordings of the {} (the classifier reads {} of the real test images right; {} recordings with no speech heard)",
        report.recordings,
        report.split,
        pct(report.classifier_accuracy),
        report.unheard
    );
    println!("| recordings → | float | int8 (board front end, encoder, pixels) |");
    println!("|---|---|---|");
    println!("| the encoder's guess is the digit spoken | {} | {} |", pct(report.heard.float), pct(report.heard.int8));
    println!("| the classifier reads the digit spoken in the drawn image | {} | {} |", pct(report.drawn.float), pct(report.drawn.int8));
    let digits: Vec<String> = report.drawn_per_digit.iter().enumerate().map(|(d, v)| format!("{d} {}", pct(*v))).collect();
    println!("drawn right per digit (int8): {}", digits.join(", "));
    let speakers: Vec<String> = report.drawn_per_speaker.iter().map(|(s, v)| format!("{s} {}", pct(*v))).collect();
    println!("drawn right per speaker (int8): {}", speakers.join(", "));
}
