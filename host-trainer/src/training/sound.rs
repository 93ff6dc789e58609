//! A sound model's training pairs: every digit image is shown with a
//! recording of the same digit, rolled per step from the training split's
//! recordings of that digit, so each image meets many voices and each
//! recording many images (the pairs FSDD and MNIST never had).

use crate::data::spoken_digits::{SpokenDigits, Split};
use crate::data::spoken_features::{DIGIT_LABELS, choose_shifts, codes_as_floats, encoder_codes, label_of, push_condition_row};
use crate::data::wav::load_wav;
use anyhow::{Context, Result, bail};
use std::path::Path;
use pocketgan_shared::audio::COEFFICIENTS;
use pocketgan_shared::hearing::MAX_ENCODER_FRAMES;

/// The training recordings' encoder inputs, by digit.
pub struct SoundPairs {
    /// The front end's shift per coefficient, chosen on these recordings.
    pub shifts: [i8; COEFFICIENTS],
    /// Frames the encoder reads.
    pub frames: usize,
    /// The split the recordings are the training part of.
    pub split: Split,
    /// Per digit, each training recording's feature row (`code / 16`).
    by_digit: Vec<Vec<Vec<f32>>>,
}

impl SoundPairs {
    /// The bundled spoken digits' training recordings of `split`, and the
    /// user's own under `extra` (WAV files labelled by folder or name,
    /// see [`label_of`]).
    /// With `speeds`, every recording is also heard at 0.9, 0.95, 1.05 and
    /// 1.1 times its speed ([`SPEED_PERTURBATIONS`]).
    pub fn load(frames: usize, split: Split, extra: Option<&Path>, speeds: bool) -> Result<SoundPairs> {
        if !(1..=MAX_ENCODER_FRAMES).contains(&frames) {
            bail!("--audio-frames must be 1 to {MAX_ENCODER_FRAMES} (the board's encoder input holds that many)");
        }
        let digits = SpokenDigits::load_bundled()?;
        let (train, _) = digits.split(&split)?;
        let mut recordings: Vec<(u8, Vec<i16>)> = train.iter().map(|r| (r.digit, r.samples.clone())).collect();
        if let Some(dir) = extra {
            recordings.extend(own_recordings(dir)?);
        }
        let samples: Vec<&[i16]> = recordings.iter().map(|(_, s)| s.as_slice()).collect();
        let shifts = choose_shifts(&samples)?;
        let mut by_digit = vec![Vec::new(); DIGIT_LABELS.len()];
        let rates: &[u32] = if speeds { &SPEED_PERTURBATIONS } else { &[] };
        for (digit, samples) in &recordings {
            let variants = std::iter::once(samples.clone()).chain(rates.iter().map(|&from| at_speed(samples, from)));
            for samples in variants {
                // A recording the gate hears nothing in teaches nothing.
                if let Ok(codes) = encoder_codes(&samples, frames, &shifts) {
                    by_digit[*digit as usize].push(codes_as_floats(&codes).collect());
                }
            }
        }
        if let Some(d) = by_digit.iter().position(Vec::is_empty) {
            bail!("the training split has no recording of \"{}\" with speech", DIGIT_LABELS[d]);
        }
        Ok(SoundPairs { shifts, frames, split, by_digit })
    }

    /// Training recordings in all.
    pub fn len(&self) -> usize {
        self.by_digit.iter().map(Vec::len).sum()
    }

    /// Whether there are none (never, once loaded).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Condition columns per row: the label's one-hot, then the features.
    pub fn columns(&self) -> usize {
        DIGIT_LABELS.len() + self.frames * COEFFICIENTS
    }

    /// One row per label: its one-hot, then the features of a recording
    /// of that digit picked by `roll` (a step's seed).
    pub fn condition_rows(&self, labels: &[u8], roll: u64) -> Vec<f32> {
        let mut rows = Vec::with_capacity(labels.len() * self.columns());
        for (i, &label) in labels.iter().enumerate() {
            let takes = &self.by_digit[label as usize % DIGIT_LABELS.len()];
            let pick = crate::training::step::step_seed(roll, i) as usize % takes.len();
            push_condition_row(&mut rows, label as usize, takes[pick].iter().copied());
        }
        rows
    }

    /// `n` fixed rows for pictures and batch-norm measurements: row `k` is
    /// digit `k % 10`, its `k / 10`-th recording.
    pub fn fixed_rows(&self, n: usize) -> Vec<f32> {
        let mut rows = Vec::with_capacity(n * self.columns());
        for k in 0..n {
            let digit = k % DIGIT_LABELS.len();
            let takes = &self.by_digit[digit];
            push_condition_row(&mut rows, digit, takes[(k / DIGIT_LABELS.len()) % takes.len()].iter().copied());
        }
        rows
    }
}

/// Speed perturbation (Ko et al., 2015): each recording taken as if
/// sampled at these rates and converted to 8 kHz, so it plays 0.9–1.1
/// times as fast, its pitch and formants moved with it (the stretch to
/// the encoder's frames takes the tempo out again): the five training
/// voices become twenty-five.
pub const SPEED_PERTURBATIONS: [u32; 4] = [7200, 7600, 8400, 8800];

/// `samples` (8 kHz) as if recorded at `from` Hz, converted to 8 kHz.
fn at_speed(samples: &[i16], from: u32) -> Vec<i16> {
    use crate::data::wav::{resample, to_samples, to_values};
    to_samples(&resample(&to_values(samples), from, 8000))
}

/// A user's recordings under `dir`: every WAV file, converted to 8 kHz
/// mono, labelled by its folder or name; a file with no label or no
/// speech is an error naming it (so no recording is silently left out).
fn own_recordings(dir: &Path) -> Result<Vec<(u8, Vec<i16>)>> {
    let mut files = Vec::new();
    crate::data::collect_files(dir, &["wav"], &mut files)?;
    files.sort();
    if files.is_empty() {
        bail!("--recordings {}: no .wav files there", dir.display());
    }
    let mut out = Vec::with_capacity(files.len());
    for path in files {
        let Some(digit) = label_of(&path) else {
            bail!(
                "{}: which digit is it? Put it in a folder named for the digit (seven/ or 7/) or start its name with it (7_me_1.wav)",
                path.display()
            );
        };
        let audio = load_wav(&path)?;
        crate::data::spoken_features::speech_mfcc(&audio.samples).with_context(|| format!("{}", path.display()))?;
        out.push((digit, audio.samples));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_faster_recording_is_shorter_and_higher() {
        // One second of a 500 Hz tone, heard 1.1 times as fast: 1/1.1 s of 550 Hz.
        let tone: Vec<i16> = (0..8000).map(|n| (8000.0 * (2.0 * std::f64::consts::PI * 500.0 * n as f64 / 8000.0).sin()) as i16).collect();
        let fast = at_speed(&tone, 8800);
        assert!((fast.len() as i64 - 7273).abs() <= 2, "{} samples", fast.len());
        let crossings = |x: &[i16]| x.windows(2).filter(|w| (w[0] < 0) != (w[1] < 0)).count() as f64 / x.len() as f64;
        let ratio = crossings(&fast) / crossings(&tone);
        assert!((ratio - 1.1).abs() < 0.02, "pitch ratio {ratio}");
    }
}
