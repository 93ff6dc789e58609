//! Captions made from the images themselves, for text → image: no caption
//! data set installs offline, so each image's words are what can be
//! measured on it ([`measure`]): a digit's class, stroke thickness, slant
//! and width; a garment's class, darkness and pattern. Each attribute is
//! cut at the training set's tertiles, so "thick" means the thickest third
//! of the digits, except the slant: "upright" is within ±0.1 pixels of
//! shift per row (about ±6°) whatever the set does, since most handwritten
//! digits lean right. Templates leave words out at random so that partial
//! prompts ("thick seven", "a shirt", "dark") are what the model learns.

pub mod measure;

use crate::data::{DataSource, ImageSet};
use anyhow::{Result, bail};
use measure::{measure_digit, measure_garment};
use pocketgan_shared::text::{Prompt, Vocabulary};

/// Which kind of captions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaptionKind {
    /// MNIST-style digits.
    Digits,
    /// Fashion-MNIST garments.
    Garments,
}

/// The words each digit class answers to: its name, then the digit.
const DIGIT_WORDS: [[&str; 2]; 10] = [
    ["zero", "0"],
    ["one", "1"],
    ["two", "2"],
    ["three", "3"],
    ["four", "4"],
    ["five", "5"],
    ["six", "6"],
    ["seven", "7"],
    ["eight", "8"],
    ["nine", "9"],
];

/// Fashion-MNIST's classes: the first word is the caption's, the others
/// synonyms and plurals a user may type (each class's words train with it).
const GARMENT_WORDS: [&[&str]; 10] = [
    &["tee", "t-shirt", "top"],
    &["trousers", "trouser", "pants"],
    &["pullover", "sweater", "jumper"],
    &["dress"],
    &["coat", "jacket"],
    &["sandal", "sandals"],
    &["shirt"],
    &["sneaker", "sneakers", "trainers"],
    &["bag", "handbag"],
    &["boot", "boots"],
];

/// The three bins of an attribute, low to high (`None`: no word, as for a
/// middle third that has no name).
struct Attribute {
    name: &'static str,
    words: [Option<&'static str>; 3],
    /// Fixed cut points, or `None` for the set's tertiles.
    fixed: Option<Cuts>,
}

const THICKNESS: Attribute = Attribute { name: "thickness", words: [Some("thin"), Some("medium"), Some("thick")], fixed: None };
const SLANT: Attribute = Attribute { name: "slant", words: [Some("left-leaning"), Some("upright"), Some("right-leaning")], fixed: Some(Cuts { low: -0.1, high: 0.1 }) };
const WIDTH: Attribute = Attribute { name: "width", words: [Some("narrow"), None, Some("wide")], fixed: None };
const LIGHTNESS: Attribute = Attribute { name: "lightness", words: [Some("dark"), None, Some("light")], fixed: None };
const PATTERN: Attribute = Attribute { name: "pattern", words: [Some("plain"), None, Some("patterned")], fixed: None };

/// Words that only join the others.
const FILLERS: [&str; 2] = ["a", "an"];

impl CaptionKind {
    /// The captions a data source can have: the bundled digits' or
    /// Fashion-MNIST's (a folder's images have no measurable words).
    pub fn of(data: &DataSource) -> Result<CaptionKind> {
        match data {
            DataSource::Digits => Ok(CaptionKind::Digits),
            DataSource::FashionMnist { .. } => Ok(CaptionKind::Garments),
            DataSource::Folder { .. } => bail!(
                "--captions measures its words on the bundled digits or on Fashion-MNIST: use --data digits or --data fashion-mnist"
            ),
        }
    }

    fn attributes(self) -> &'static [Attribute] {
        match self {
            CaptionKind::Digits => &[THICKNESS, SLANT, WIDTH],
            CaptionKind::Garments => &[LIGHTNESS, PATTERN],
        }
    }

    /// Every word a caption of this kind can hold, in a fixed order: the
    /// vocabulary a model trained on them carries.
    pub fn vocabulary(self) -> Vec<&'static str> {
        let mut words: Vec<&'static str> = FILLERS.to_vec();
        match self {
            CaptionKind::Digits => words.extend(DIGIT_WORDS.iter().flatten()),
            CaptionKind::Garments => words.extend(GARMENT_WORDS.iter().flat_map(|w| w.iter())),
        }
        words.extend(self.attributes().iter().flat_map(|a| a.words.iter().flatten()));
        words
    }

    /// The words that name `class`.
    pub fn class_words(self, class: usize) -> &'static [&'static str] {
        match self {
            CaptionKind::Digits => &DIGIT_WORDS[class],
            CaptionKind::Garments => GARMENT_WORDS[class],
        }
    }
}

/// The two cut points of one attribute's three bins: the training set's
/// tertiles, or fixed ones where the words have a meaning of their own.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cuts {
    /// A third of the values lie below.
    pub low: f32,
    /// Two thirds lie below.
    pub high: f32,
}

impl Cuts {
    /// The tertiles of `values` (not empty).
    pub fn of(values: &[f32]) -> Cuts {
        let mut sorted = values.to_vec();
        sorted.sort_by(f32::total_cmp);
        let at = |q: usize| sorted[(sorted.len() * q / 3).min(sorted.len() - 1)];
        Cuts { low: at(1), high: at(2) }
    }

    /// 0 (low third), 1 or 2 (high third).
    pub fn bin(&self, v: f32) -> usize {
        if v < self.low {
            0
        } else if v < self.high {
            1
        } else {
            2
        }
    }
}

/// One image's captionable facts: its class and each attribute's bin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    /// The class.
    pub class: usize,
    /// Each attribute's bin, in [`CaptionKind`]'s order (thickness, slant,
    /// width; or lightness, pattern).
    pub bins: [u8; 3],
}

/// A set's measures, cut into bins, and each image's facts.
#[derive(Debug, Clone)]
pub struct Captioned {
    /// The kind.
    pub kind: CaptionKind,
    /// Each attribute's cut points (from the set measured).
    pub cuts: Vec<Cuts>,
    /// One per image, in the set's order.
    pub facts: Vec<Facts>,
}

/// An image's raw measures, in [`CaptionKind`]'s attribute order.
fn measures(kind: CaptionKind, image: &[u8], width: usize, height: usize) -> Vec<f32> {
    match kind {
        CaptionKind::Digits => measure_digit(image, width, height).map_or(vec![0.0; 3], |m| vec![m.thickness, m.slant, m.width]),
        CaptionKind::Garments => measure_garment(image, width, height).map_or(vec![0.0; 2], |m| vec![m.lightness, m.pattern]),
    }
}

impl Captioned {
    /// Measures every image of `set` (gray, labelled) and cuts each
    /// attribute (at its tertiles or fixed cuts), or at `cuts` when given (a test split
    /// uses its training split's).
    pub fn measure(kind: CaptionKind, set: &ImageSet, cuts: Option<&[Cuts]>) -> Result<Captioned> {
        let Some(labels) = &set.labels else { bail!("captions need labelled images ({} has no labels)", set.description) };
        if set.channels != 1 || set.is_empty() {
            bail!("captions are measured on gray images ({} has {} channels, {} images)", set.description, set.channels, set.len());
        }
        let raw: Vec<Vec<f32>> = (0..set.len()).map(|i| measures(kind, set.image(i), set.width, set.height)).collect();
        let n = kind.attributes().len();
        let cuts: Vec<Cuts> = match cuts {
            Some(c) => c.to_vec(),
            None => kind
                .attributes()
                .iter()
                .enumerate()
                .map(|(a, attribute)| attribute.fixed.unwrap_or_else(|| Cuts::of(&raw.iter().map(|m| m[a]).collect::<Vec<_>>())))
                .collect(),
        };
        let facts = raw
            .iter()
            .zip(labels)
            .map(|(m, &class)| {
                let mut bins = [1u8; 3];
                for a in 0..n {
                    bins[a] = cuts[a].bin(m[a]) as u8;
                }
                Facts { class: class as usize, bins }
            })
            .collect();
        Ok(Captioned { kind, cuts, facts })
    }

    /// The bins an image (gray, `width × height`) falls in, measured and
    /// cut as this set's were: what a generated image is checked against.
    pub fn bins_of(&self, image: &[u8], width: usize, height: usize) -> [u8; 3] {
        let m = measures(self.kind, image, width, height);
        let mut bins = [1u8; 3];
        for (a, cuts) in self.cuts.iter().enumerate() {
            bins[a] = cuts.bin(m[a]) as u8;
        }
        bins
    }

    /// Each attribute's name and its bins' words (`None`: the bin has no word).
    pub fn attributes(&self) -> Vec<(&'static str, [Option<&'static str>; 3])> {
        self.kind.attributes().iter().map(|a| (a.name, a.words)).collect()
    }

    /// A caption for image `i`: each part (the class word, each attribute's
    /// word) kept or left out by `roll`, a value in `0..2^32` per image
    /// and epoch, so each epoch sees other partial captions; at least one
    /// word is always kept.
    pub fn caption(&self, i: usize, roll: u64) -> String {
        let facts = self.facts[i];
        let attributes = self.kind.attributes();
        let mut parts: Vec<&str> = Vec::new();
        let mut bits = mix(roll ^ i as u64);
        // Attributes first ("thick right-leaning seven"), each half the time.
        for (a, attribute) in attributes.iter().enumerate() {
            if let Some(word) = attribute.words[facts.bins[a] as usize]
                && bits & 1 == 1
            {
                parts.push(word);
            }
            bits >>= 1;
        }
        // The class word three times in four; one of its words in turn.
        let names = self.kind.class_words(facts.class);
        if bits & 3 != 0 || parts.is_empty() {
            parts.push(names[(bits >> 2) as usize % names.len()]);
        }
        bits >>= 8;
        let filler = if bits & 1 == 1 { if parts[0].starts_with(['a', 'e', 'i', 'o', 'u']) { "an " } else { "a " } } else { "" };
        format!("{filler}{}", parts.join(" "))
    }
}

/// One training condition in this many is the empty prompt, so that a text
/// model draws an unconditional sample when no word of a prompt is known.
pub const EMPTY_PROMPT_ONE_IN: u64 = 10;

impl Captioned {
    /// The conditions a text model trains on for images `indices` at
    /// `roll`: each image's caption ([`Captioned::caption`]) tokenized by the
    /// board's own tokenizer, as a row over `vocabulary` holding `1/k` for
    /// each of its `k` known words (the row times an embedding table is the
    /// mean embedding the board computes); one row in
    /// [`EMPTY_PROMPT_ONE_IN`] is all zeros, the empty prompt.
    pub fn condition_rows(&self, indices: &[usize], roll: u64, vocabulary: &Vocabulary<'_>) -> Vec<f32> {
        let words = vocabulary.len();
        let mut rows = vec![0f32; indices.len() * words];
        for (r, &i) in indices.iter().enumerate() {
            if mix(roll ^ (i as u64).rotate_left(32) ^ 0x5EED) % EMPTY_PROMPT_ONE_IN == 0 {
                continue;
            }
            let caption = self.caption(i, roll);
            let known = Prompt::parse(vocabulary, &caption).known;
            rows[r * words..(r + 1) * words].copy_from_slice(&mean_multi_hot(known, words));
        }
        rows
    }
}

/// A word set (`Prompt::known`) as the text encoder's input row over
/// `words` columns: `1/k` for each of its `k` words, zeros for none.
pub fn mean_multi_hot(known: u64, words: usize) -> Vec<f32> {
    let share = 1.0 / known.count_ones().max(1) as f32;
    (0..words).map(|w| if known >> w & 1 == 1 { share } else { 0.0 }).collect()
}

/// The vocabulary text a model file keeps: each word followed by `\n`.
pub fn vocabulary_text<S: AsRef<str>>(words: &[S]) -> String {
    words.iter().map(|w| format!("{}\n", w.as_ref())).collect()
}

/// SplitMix64's finalizer: well-spread bits from a counter.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind_vocabulary(kind: CaptionKind) -> String {
        vocabulary_text(&kind.vocabulary())
    }

    #[test]
    fn vocabularies_fit_the_board_and_tokenize_to_themselves() {
        for kind in [CaptionKind::Digits, CaptionKind::Garments] {
            let text = kind_vocabulary(kind);
            let v = Vocabulary::new(&text).unwrap_or_else(|e| panic!("{kind:?}: {e}"));
            assert!(v.len() <= 48, "{kind:?}: {} words", v.len());
        }
        assert_eq!(CaptionKind::Digits.vocabulary().len(), 2 + 20 + 3 + 3 + 2);
    }

    #[test]
    fn tertiles_split_a_set_in_thirds() {
        let values: Vec<f32> = (0..300).map(|i| i as f32).collect();
        let t = Cuts::of(&values);
        assert_eq!((t.low, t.high), (100.0, 200.0));
        let counts = values.iter().fold([0; 3], |mut c, &v| {
            c[t.bin(v)] += 1;
            c
        });
        assert_eq!(counts, [100, 100, 100]);
    }

    #[test]
    fn captions_use_only_vocabulary_words_and_name_what_was_measured() {
        // Three digits: a thin upright one, a thick right-leaning one, and
        // one in between, labelled 7, 1 and 4.
        let bar = |thick: f32, shear: f32| -> Vec<u8> {
            (0..28 * 28)
                .map(|i| {
                    let (x, y) = ((i % 28) as f32, (i / 28) as f32);
                    let centre = 14.0 + shear * (14.0 - y);
                    if (4.0..24.0).contains(&y) && (x - centre).abs() < thick / 2.0 { 255 } else { 0 }
                })
                .collect()
        };
        let pixels = [bar(1.0, 0.0), bar(7.0, 0.5), bar(3.0, -0.2)].concat();
        let set = ImageSet { description: "bars".into(), height: 28, width: 28, channels: 1, pixels, labels: Some(vec![7, 1, 4]) };
        let c = Captioned::measure(CaptionKind::Digits, &set, None).unwrap();
        assert_eq!(c.facts[0], Facts { class: 7, bins: [0, 1, 0] }, "thin, upright, narrow");
        assert_eq!(c.facts[1], Facts { class: 1, bins: [2, 2, 2] }, "thick, right-leaning, wide");
        assert_eq!(c.facts[2].bins[..2], [1, 0], "medium, left-leaning");
        let text = kind_vocabulary(CaptionKind::Digits);
        let v = Vocabulary::new(&text).unwrap();
        let mut seen_full = false;
        for roll in 0..200u64 {
            for i in 0..3 {
                let caption = c.caption(i, roll);
                let p = Prompt::parse(&v, &caption);
                assert_eq!(p.unknown_count, 0, "{caption}");
                assert!(p.known != 0, "{caption}");
                if i == 1 && caption.contains("thick") && caption.contains("right-leaning") && caption.contains("wide") && (caption.ends_with("one") || caption.ends_with('1')) {
                    seen_full = true;
                }
                assert!(!caption.contains("seven") || i == 0, "{caption}: only image 0 is a seven");
                assert!(!(i == 0 && caption.contains("thick")), "{caption}");
            }
        }
        assert!(seen_full, "every word appears together sometimes");
        // Unlabelled or colour images are refused.
        let unlabelled = ImageSet { labels: None, ..set.clone() };
        assert!(Captioned::measure(CaptionKind::Digits, &unlabelled, None).unwrap_err().to_string().contains("labelled"));
    }

    #[test]
    fn condition_rows_are_mean_multi_hot_and_one_in_ten_is_empty() {
        let set = ImageSet {
            description: "blank sevens".into(),
            height: 28,
            width: 28,
            channels: 1,
            pixels: vec![0; 28 * 28 * 400],
            labels: Some(vec![7; 400]),
        };
        let c = Captioned::measure(CaptionKind::Digits, &set, None).unwrap();
        let text = kind_vocabulary(CaptionKind::Digits);
        let v = Vocabulary::new(&text).unwrap();
        let indices: Vec<usize> = (0..400).collect();
        let rows = c.condition_rows(&indices, 12345, &v);
        let mut empty = 0;
        for (i, row) in rows.chunks(v.len()).enumerate() {
            let set_words: Vec<usize> = (0..v.len()).filter(|&w| row[w] > 0.0).collect();
            if set_words.is_empty() {
                empty += 1;
                continue;
            }
            let k = set_words.len() as f32;
            assert!(set_words.iter().all(|&w| row[w] == 1.0 / k), "row {i}: {row:?}");
            let caption = c.caption(i, 12345);
            assert_eq!(Prompt::parse(&v, &caption).known.count_ones() as usize, set_words.len(), "{caption}");
        }
        assert!((25..=55).contains(&empty), "{empty} of 400 empty, about 40 expected");
        assert_ne!(rows, c.condition_rows(&indices, 54321, &v), "another roll, other captions");
    }
}
