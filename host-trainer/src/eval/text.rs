//! `pocketgan eval` of a text model: does it draw what it is asked? The
//! evaluation classifier reads the class of "<class word>" samples, and
//! each attribute word ("thick seven") is checked by measuring the image
//! as the captions were measured, against the share of the same bin
//! among samples that did not ask for it (the base rate).

use crate::data::captions::{CaptionKind, Captioned, mean_multi_hot};
use crate::metrics::images::{Evaluator, splits};
use crate::nets::Generator;
use crate::nets::seeded::{seed_latents, tensor_images};
use crate::training::image_config::TrainConfig;
use anyhow::{Result, anyhow, bail};
use burn::module::Module;
use burn::tensor::{Device, Tensor, TensorData};
use pocketgan_shared::latent::latent_for_seed;
use pocketgan_shared::pixels::code_to_u8;
use pocketgan_shared::text::Prompt;
use pocketgan_shared::{Condition, Model, generate_with};

/// A share measured on the float generator and on its int8 model.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Shares {
    /// The float generator.
    pub float: f64,
    /// The int8 model on board pixels.
    pub int8: f64,
}

/// How well one attribute's words are honoured.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AttributeScore {
    /// Its name (`thickness`).
    pub name: &'static str,
    /// Share of "<word> <class word>" samples whose measure falls in the
    /// word's bin, over the attribute's words.
    pub honoured: Shares,
    /// Share of "<class word>" samples falling in that bin anyway (int8).
    pub base_rate: f64,
    /// Each word: (word, honoured by int8, base rate).
    pub words: Vec<(&'static str, f64, f64)>,
}

/// A text model's scores.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TextReport {
    /// Samples per prompt and class.
    pub per_prompt: usize,
    /// The evaluation classifier's accuracy on real test images (its own quality).
    pub classifier_accuracy: f64,
    /// Share of "<class word>" samples the classifier puts in that class.
    pub class_accuracy: Shares,
    /// Share of the attribute prompts' samples still in their class (int8).
    pub class_kept_with_attributes: f64,
    /// Each attribute.
    pub attributes: Vec<AttributeScore>,
}

/// Images drawn for one prompt on seeds `0..m`, float and int8, as 8-bit
/// gray pixels (HWC).
struct Drawn {
    float: Vec<Vec<u8>>,
    int8: Vec<Vec<u8>>,
}

fn draw(generator: &Generator, model: &Model<'_>, prompt: &str, m: usize, device: &Device) -> Result<Drawn> {
    let vocabulary = model.vocabulary().ok_or_else(|| anyhow!("the exported model has no vocabulary"))?;
    let known = Prompt::parse(&vocabulary, prompt).known;
    let words = vocabulary.len();
    let row = mean_multi_hot(known, words);
    let latents = seed_latents(0, m, generator.latent_dim, device);
    let rows = Tensor::<2>::from_data(TensorData::new(row.repeat(m), [m, words]), device);
    let float = tensor_images(generator.valid().forward(Tensor::cat(vec![latents, rows], 1)));
    let mut scratch = vec![0i8; model.scratch_len()];
    let mut latent = vec![0i8; generator.latent_dim];
    let mut int8 = Vec::with_capacity(m);
    for seed in 0..m as u32 {
        latent_for_seed(seed, &mut latent);
        let codes = generate_with(model, &latent, Condition::Words(known), &mut scratch).map_err(|e| anyhow!("{e}"))?;
        int8.push(codes.iter().map(|&c| code_to_u8(c)).collect());
    }
    Ok(Drawn { float, int8 })
}

/// Scores a text run's generator (and its int8 export `model`) with `m`
/// samples per prompt and class.
pub fn evaluate(config: &TrainConfig, generator: &Generator, model: &Model<'_>, m: usize, device: &Device, show_progress: bool) -> Result<TextReport> {
    let kind = CaptionKind::of(&config.data)?;
    let data = config.data.load()?;
    let (width, height) = (data.width, data.height);
    if data.channels != 1 {
        bail!("text models are measured on gray images");
    }
    // The cuts the model's captions were made with.
    let captioned = Captioned::measure(kind, &data, None)?;
    let (train, test) = splits(&config.data)?;
    let evaluator = Evaluator::new(&train, &test, device, show_progress)?;
    let classes = evaluator.classes;
    let class_word = |c: usize| kind.class_words(c)[0];

    let classify = |images: &[Vec<u8>]| evaluator.classes_of_gray(images, width, height);
    let mut right = Shares { float: 0.0, int8: 0.0 };
    // Per attribute and bin: how many class-only samples fall in it (the base rate).
    let attributes = captioned.attributes();
    let mut base = vec![[0usize; 3]; attributes.len()];
    for c in 0..classes {
        let drawn = draw(generator, model, class_word(c), m, device)?;
        right.float += classify(&drawn.float).iter().filter(|&&p| p == c).count() as f64;
        right.int8 += classify(&drawn.int8).iter().filter(|&&p| p == c).count() as f64;
        for image in &drawn.int8 {
            let bins = captioned.bins_of(image, width, height);
            for a in 0..attributes.len() {
                base[a][bins[a] as usize] += 1;
            }
        }
    }
    let class_total = (classes * m) as f64;
    let mut kept = (0usize, 0usize);
    let mut scores = Vec::new();
    for (a, (name, words)) in attributes.iter().enumerate() {
        let mut per_word = Vec::new();
        let mut honoured = Shares { float: 0.0, int8: 0.0 };
        for (bin, word) in words.iter().enumerate() {
            let Some(word) = word else { continue };
            let mut hits = Shares { float: 0.0, int8: 0.0 };
            for c in 0..classes {
                let drawn = draw(generator, model, &format!("{word} {}", class_word(c)), m, device)?;
                let count = |images: &[Vec<u8>]| images.iter().filter(|i| captioned.bins_of(i, width, height)[a] as usize == bin).count() as f64;
                hits.float += count(&drawn.float);
                hits.int8 += count(&drawn.int8);
                kept.0 += classify(&drawn.int8).iter().filter(|&&p| p == c).count();
                kept.1 += m;
            }
            let (f, q) = (hits.float / class_total, hits.int8 / class_total);
            per_word.push((*word, q, base[a][bin] as f64 / class_total));
            honoured.float += f;
            honoured.int8 += q;
        }
        let n = per_word.len().max(1) as f64;
        scores.push(AttributeScore {
            name,
            honoured: Shares { float: honoured.float / n, int8: honoured.int8 / n },
            base_rate: per_word.iter().map(|w| w.2).sum::<f64>() / n,
            words: per_word,
        });
    }
    Ok(TextReport {
        per_prompt: m,
        classifier_accuracy: evaluator.real_accuracy,
        class_accuracy: Shares { float: right.float / class_total, int8: right.int8 / class_total },
        class_kept_with_attributes: kept.0 as f64 / kept.1.max(1) as f64,
        attributes: scores,
    })
}

/// Prints a [`TextReport`] as tables.
pub fn print(report: &TextReport) {
    let pct = |v: f64| format!("{:.1}%", v * 100.0);
    println!("(the classifier reads {} of the real test images right)", pct(report.classifier_accuracy));
    println!("| prompt | float | int8 (board pixels) |");
    println!("|---|---|---|");
    println!("| \"<class word>\" in its class (classifier) | {} | {} |", pct(report.class_accuracy.float), pct(report.class_accuracy.int8));
    println!("| \"<attribute> <class word>\" still in its class | | {} |", pct(report.class_kept_with_attributes));
    println!();
    println!("| attribute | honoured, float | honoured, int8 | base rate (not asked) | per word, int8 (base) |");
    println!("|---|---|---|---|---|");
    for a in &report.attributes {
        let words: Vec<String> = a.words.iter().map(|(w, q, b)| format!("{w} {} ({})", pct(*q), pct(*b))).collect();
        println!("| {} | {} | {} | {} | {} |", a.name, pct(a.honoured.float), pct(a.honoured.int8), pct(a.base_rate), words.join(", "));
    }
}
