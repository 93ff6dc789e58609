//! What a sound model's encoder reads of a recording, computed with the
//! board's own code (`pocketgan_shared::hearing`): the MFCCs of the speech
//! the gate finds, stretched to the encoder's frame count and shifted to
//! int8 codes, one shift per coefficient chosen on the training
//! recordings ([`choose_shifts`]).

use anyhow::{Result, anyhow};
use pocketgan_shared::audio::{COEFFICIENTS, recording_features};
use pocketgan_shared::hearing::{FEATURE_FRAC_BITS, MAX_FRAMES, MAX_RECORDING, encoder_input};

/// Frames a sound model's encoder takes unless told otherwise: the
/// speech stretched to 32 × 16 ms (FSDD's digits last 0.3–0.8 s).
pub const DEFAULT_ENCODER_FRAMES: usize = 32;

/// The names of the spoken digits' labels, in order.
pub const DIGIT_LABELS: [&str; 10] = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];

/// One recording's MFCCs (Q8) and its speech frames, as the board finds
/// them (a recording past 1.5 s is cut, as on the board).
pub fn speech_mfcc(samples: &[i16]) -> Result<(Vec<[i32; COEFFICIENTS]>, std::ops::Range<usize>)> {
    let samples = &samples[..samples.len().min(MAX_RECORDING)];
    let mut mfcc = vec![[0i32; COEFFICIENTS]; MAX_FRAMES];
    let mut energies = vec![0i32; MAX_FRAMES];
    let span = recording_features(samples, &mut mfcc, &mut energies).map_err(|e| anyhow!("{e}"))?;
    Ok((mfcc, span))
}

/// Per coefficient, the smallest right shift that keeps 99.5 % of the
/// training frames' values inside int8 once shifted: a code then stands
/// for `value / 2^shift`, and the encoder reads `code / 16`.
pub fn choose_shifts(recordings: &[&[i16]]) -> Result<[i8; COEFFICIENTS]> {
    let mut values: Vec<Vec<u32>> = vec![Vec::new(); COEFFICIENTS];
    for samples in recordings {
        let Ok((mfcc, span)) = speech_mfcc(samples) else { continue };
        for frame in &mfcc[span] {
            for (j, &v) in frame.iter().enumerate() {
                values[j].push(v.unsigned_abs());
            }
        }
    }
    if values[0].is_empty() {
        return Err(anyhow!("none of the training recordings holds speech"));
    }
    let mut shifts = [0i8; COEFFICIENTS];
    for (shift, mut v) in shifts.iter_mut().zip(values) {
        v.sort_unstable();
        let high = v[(v.len() * 995 / 1000).min(v.len() - 1)];
        *shift = (0..=15).find(|&s| high >> s <= 127).unwrap_or(15);
    }
    Ok(shifts)
}

/// A recording's encoder input: `frames × COEFFICIENTS` codes, frame-major.
pub fn encoder_codes(samples: &[i16], frames: usize, shifts: &[i8]) -> Result<Vec<i8>> {
    let (mfcc, span) = speech_mfcc(samples)?;
    let mut codes = vec![0i8; frames * COEFFICIENTS];
    encoder_input(&mfcc, span, shifts, &mut codes);
    Ok(codes)
}

/// The digit a user's recording says, from its folder (`seven/`, `7/`)
/// or its file name's first word (`7_me_3.wav`, `seven-2.wav`).
pub fn label_of(path: &std::path::Path) -> Option<u8> {
    let word = |s: &str| -> Option<u8> {
        let s = s.to_ascii_lowercase();
        let first = s.split(['_', '-', '.', ' ']).next().unwrap_or("");
        DIGIT_LABELS.iter().position(|&l| l == first).map(|d| d as u8).or_else(|| first.parse::<u8>().ok().filter(|&d| d < 10))
    };
    let folder = path.parent().and_then(|p| p.file_name()).and_then(|n| n.to_str()).and_then(word);
    folder.or_else(|| path.file_name().and_then(|n| n.to_str()).and_then(word))
}

/// Codes as the float encoder reads them (`code / 16`).
pub fn codes_as_floats(codes: &[i8]) -> impl Iterator<Item = f32> + '_ {
    codes.iter().map(|&c| c as f32 / (1u32 << FEATURE_FRAC_BITS) as f32)
}

/// Appends a sound model's condition row: the spoken label's one-hot over
/// the digits, then the recording's features (`code / 16`).
pub fn push_condition_row(rows: &mut Vec<f32>, label: usize, features: impl IntoIterator<Item = f32>) {
    rows.extend((0..DIGIT_LABELS.len()).map(|c| if c == label { 1.0 } else { 0.0 }));
    rows.extend(features);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::spoken_digits::{SpokenDigits, Split};

    #[test]
    fn a_users_recording_is_labelled_by_its_folder_or_its_name() {
        use std::path::Path;
        assert_eq!(label_of(Path::new("mine/seven/take-1.wav")), Some(7));
        assert_eq!(label_of(Path::new("mine/7/a.wav")), Some(7));
        assert_eq!(label_of(Path::new("mine/7_me_3.wav")), Some(7));
        assert_eq!(label_of(Path::new("mine/Three-2.WAV")), Some(3));
        assert_eq!(label_of(Path::new("mine/hello.wav")), None);
        assert_eq!(label_of(Path::new("mine/12_me.wav")), None);
    }

    #[test]
    fn shifts_keep_the_training_features_inside_int8() {
        let digits = SpokenDigits::load_bundled().unwrap();
        let (train, _) = digits.split(&Split::Official).unwrap();
        let some: Vec<&[i16]> = train.iter().step_by(20).map(|r| r.samples.as_slice()).collect();
        let shifts = choose_shifts(&some).unwrap();
        // c0 (loudness) spans the widest range, the last coefficients the narrowest.
        assert!(shifts[0] >= shifts[12], "{shifts:?}");
        let mut saturated = 0;
        let mut total = 0;
        for samples in &some {
            for &c in &encoder_codes(samples, DEFAULT_ENCODER_FRAMES, &shifts).unwrap() {
                saturated += (c == 127 || c == -128) as usize;
                total += 1;
            }
        }
        assert!(saturated * 100 < total, "{saturated} of {total} codes saturate");
    }
}
