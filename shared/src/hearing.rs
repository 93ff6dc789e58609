//! Hearing a recording with a sound model: the MFCCs of
//! [`crate::audio`], the speech found by its gate and stretched to the
//! encoder's frame count, one right shift per coefficient to int8 codes
//! ([`encoder_input`]), then the model's encoder ([`crate::Model::encoder`])
//! to one logit per label ([`hear`]). The logits are the generator's
//! condition ([`crate::Condition::Heard`]) and name what was heard, with a
//! confidence ([`confidence_permille`]). Everything is integer, so host and
//! board hear the same bits.
//!
//! Memory is the caller's: a [`Hearing`] (about 6.5 KB: the frames of the
//! longest recording, the frame being filled and the encoder's input) and
//! the model's scratch. Samples are taken as they come
//! ([`Hearing::push`]: a microphone's DMA half-buffers, a file's chunks),
//! so no recording is ever held whole; the features are those
//! [`crate::audio::recording_features`] computes of the whole recording.

pub use crate::audio::{FEATURE_FRAC_BITS, FEATURE_SCALE, MAX_ENCODER_FRAMES, MAX_LABELS};
use crate::audio::{AudioError, COEFFICIENTS, FRAME_LEN, HOP_LEN, frame_count, frame_features, speech_frames, subtract_means};
use crate::format::{Model, ModelError};
use crate::generator::translate;
use core::ops::Range;

/// The longest recording heard: 1.5 s at 8 kHz. Longer ones are cut.
pub const MAX_RECORDING: usize = 12_000;
/// Frames of the longest recording.
pub const MAX_FRAMES: usize = frame_count(MAX_RECORDING);
/// A recording being heard: its frames' features so far, the samples of
/// the frame being filled, and the encoder's input.
pub struct Hearing {
    mfcc: [[i32; COEFFICIENTS]; MAX_FRAMES],
    energies: [i32; MAX_FRAMES],
    codes: [i8; MAX_ENCODER_FRAMES * COEFFICIENTS],
    /// The sample before the next frame (0 before the first), then the
    /// frame's samples received so far.
    window: [i16; FRAME_LEN + 1],
    filled: usize,
    frames: usize,
    samples: usize,
}

impl Hearing {
    /// An empty recording (a `const fn`, so a board can keep it in a `static`).
    pub const fn new() -> Self {
        Hearing {
            mfcc: [[0; COEFFICIENTS]; MAX_FRAMES],
            energies: [0; MAX_FRAMES],
            codes: [0; MAX_ENCODER_FRAMES * COEFFICIENTS],
            window: [0; FRAME_LEN + 1],
            filled: 1,
            frames: 0,
            samples: 0,
        }
    }

    /// Forgets the recording: the next [`Hearing::push`] starts a new one.
    pub fn start(&mut self) {
        self.window[0] = 0;
        self.filled = 1;
        self.frames = 0;
        self.samples = 0;
    }

    /// Samples received since [`Hearing::start`] (those past
    /// [`MAX_RECORDING`] included, though they are not heard).
    pub fn samples(&self) -> usize {
        self.samples
    }

    /// Takes the next samples (8 kHz, 16-bit); each frame's features are
    /// computed as soon as its last sample arrives.
    pub fn push(&mut self, samples: &[i16]) {
        let room = MAX_RECORDING.saturating_sub(self.samples);
        self.samples += samples.len();
        let mut rest = &samples[..samples.len().min(room)];
        while !rest.is_empty() {
            let take = (FRAME_LEN + 1 - self.filled).min(rest.len());
            self.window[self.filled..self.filled + take].copy_from_slice(&rest[..take]);
            self.filled += take;
            rest = &rest[take..];
            if self.filled == FRAME_LEN + 1 {
                self.next_frame();
            }
        }
    }

    /// Computes the frame in the window and slides it one hop on.
    fn next_frame(&mut self) {
        if self.frames < MAX_FRAMES {
            let features = frame_features(&self.window, 1);
            self.mfcc[self.frames] = features.mfcc;
            self.energies[self.frames] = features.log_energy;
            self.frames += 1;
        }
        self.window.copy_within(HOP_LEN.., 0);
        self.filled -= HOP_LEN;
    }

    /// The last frames, which run past the recording's end (as
    /// [`crate::audio::frame_count`] counts them: samples past the end are 0).
    fn finish_frames(&mut self) {
        let heard = self.samples.min(MAX_RECORDING);
        let total = frame_count(heard).min(MAX_FRAMES);
        while self.frames < total {
            self.window[self.filled..].fill(0);
            self.filled = FRAME_LEN + 1;
            self.next_frame();
        }
    }

    /// The encoder's input codes of the last [`hear`] (`frames × coefficients`, frame-major).
    pub fn codes(&self, frames: usize) -> &[i8] {
        &self.codes[..(frames * COEFFICIENTS).min(self.codes.len())]
    }
}

impl Default for Hearing {
    fn default() -> Self {
        Self::new()
    }
}

/// What a sound model heard in a recording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heard {
    logits: [i8; MAX_LABELS],
    labels: usize,
    /// The label with the largest logit (the first of equals).
    pub guess: usize,
    /// How sure: the guess's softmax probability, in thousandths.
    pub confidence_permille: u16,
    /// The frames (16 ms each) the speech gate found.
    pub speech: Range<usize>,
    /// The recording was longer than [`MAX_RECORDING`] and was cut.
    pub cut: bool,
}

impl Heard {
    /// The encoder's logits, in the latent's quantization: the generator's
    /// condition ([`crate::Condition::Heard`]).
    pub fn condition(&self) -> &[i8] {
        &self.logits[..self.labels]
    }

    /// The name of the label heard (`"seven"`), from the sound model that
    /// heard it; `"?"` for another model.
    pub fn label<'m>(&self, model: &Model<'m>) -> &'m str {
        model.labels().and_then(|l| l.words().nth(self.guess)).unwrap_or("?")
    }
}

/// Why nothing was heard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HearError {
    /// The recording holds no speech ([`AudioError`] says why).
    Audio(AudioError),
    /// The model is not a sound model, its encoder cannot run in the
    /// scratch given, or the like.
    Model(ModelError),
}

impl core::fmt::Display for HearError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            HearError::Audio(e) => e.fmt(f),
            HearError::Model(e) => e.fmt(f),
        }
    }
}

impl core::error::Error for HearError {}

/// Writes the encoder's input: `out.len() / COEFFICIENTS` frames taken
/// evenly from the speech frames `span` of `mfcc` (the middle of each
/// output frame's share; short speech repeats frames, long speech skips
/// some), each coefficient `j` shifted right by `shifts[j]` (rounded half
/// up) and saturated to int8.
pub fn encoder_input(mfcc: &[[i32; COEFFICIENTS]], span: Range<usize>, shifts: &[i8], out: &mut [i8]) {
    let frames = out.len() / COEFFICIENTS;
    let len = span.len().max(1);
    for (i, row) in out.chunks_exact_mut(COEFFICIENTS).enumerate() {
        let source = span.start + ((2 * i + 1) * len) / (2 * frames);
        let Some(frame) = mfcc.get(source) else { row.fill(0); continue };
        for ((code, &value), &shift) in row.iter_mut().zip(frame).zip(shifts) {
            let shift = shift.clamp(0, 15) as u32;
            let rounded = if shift == 0 { value } else { (value + (1 << (shift - 1))) >> shift };
            *code = rounded.clamp(i8::MIN as i32, i8::MAX as i32) as i8;
        }
    }
}

/// The softmax probability of the largest of `logits` (codes of 1/32), in
/// thousandths, in integers: `e^(−d/32)` by repeated Q16 products.
pub fn confidence_permille(logits: &[i8]) -> u16 {
    // round(65536 · e^(−1/32))
    const STEP_Q16: u64 = 63_519;
    let Some(&top) = logits.iter().max() else { return 0 };
    let mut total = 0u64;
    for &l in logits {
        let mut e = 1u64 << 16;
        for _ in 0..(top as i32 - l as i32) {
            e = (e * STEP_Q16 + (1 << 15)) >> 16;
        }
        total += e;
    }
    ((1000u64 << 16) / total.max(1)).min(1000) as u16
}

/// Hears `samples` (8 kHz, 16-bit) with the sound model `model` whose
/// encoder is `encoder` ([`Model::encoder`], parsed once by the caller):
/// MFCCs, the speech gate, [`encoder_input`], the encoder. `scratch` is
/// the model's ([`Model::scratch_len`]).
pub fn hear(model: &Model<'_>, encoder: &Model<'_>, samples: &[i16], hearing: &mut Hearing, scratch: &mut [i8]) -> Result<Heard, HearError> {
    hearing.start();
    hearing.push(samples);
    finish(model, encoder, hearing, scratch)
}

/// Ends the recording pushed into `hearing` since [`Hearing::start`] and
/// hears it, as [`hear`] does a whole one.
pub fn finish(model: &Model<'_>, encoder: &Model<'_>, hearing: &mut Hearing, scratch: &mut [i8]) -> Result<Heard, HearError> {
    let Some(audio) = model.audio() else { return Err(HearError::Model(ModelError::Heard { sound_model: false })) };
    if hearing.samples == 0 {
        return Err(HearError::Audio(AudioError::NoSpeech { loudest: 0 }));
    }
    hearing.finish_frames();
    let cut = hearing.samples > MAX_RECORDING;
    let speech = speech_frames(&hearing.energies[..hearing.frames]).map_err(HearError::Audio)?;
    subtract_means(&mut hearing.mfcc[speech.clone()]);
    let inputs = audio.frames as usize * COEFFICIENTS;
    encoder_input(&hearing.mfcc, speech.clone(), audio.shifts.as_slice(), &mut hearing.codes[..inputs]);
    let out = translate(encoder, &hearing.codes[..inputs], scratch).map_err(HearError::Model)?;
    let mut logits = [0i8; MAX_LABELS];
    let labels = out.len().min(MAX_LABELS);
    logits[..labels].copy_from_slice(&out[..labels]);
    let guess = (0..labels).fold(0, |best, i| if logits[i] > logits[best] { i } else { best });
    Ok(Heard { confidence_permille: confidence_permille(&logits[..labels]), logits, labels, guess, speech, cut })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stretching_spreads_short_speech_and_thins_long_speech_evenly() {
        let mfcc: [[i32; COEFFICIENTS]; 8] = core::array::from_fn(|f| [f as i32 * 16; COEFFICIENTS]);
        let shifts = [4i8; COEFFICIENTS];
        let mut out = [0i8; 4 * COEFFICIENTS];
        // Two speech frames (2 and 3) over four: each twice, in order.
        encoder_input(&mfcc, 2..4, &shifts, &mut out);
        let firsts: [i8; 4] = core::array::from_fn(|i| out[i * COEFFICIENTS]);
        assert_eq!(firsts, [2, 2, 3, 3]);
        // Eight over four: the middle of each pair (1, 3, 5, 7).
        encoder_input(&mfcc, 0..8, &shifts, &mut out);
        let firsts: [i8; 4] = core::array::from_fn(|i| out[i * COEFFICIENTS]);
        assert_eq!(firsts, [1, 3, 5, 7]);
    }

    #[test]
    fn codes_round_half_up_and_saturate() {
        let mut frame = [0i32; COEFFICIENTS];
        frame[..5].copy_from_slice(&[8, 7, -8, 100_000, -100_000]);
        let mut out = [0i8; COEFFICIENTS];
        encoder_input(&[frame], 0..1, &[4; COEFFICIENTS], &mut out);
        assert_eq!(out[..5], [1, 0, 0, 127, -128]);
        encoder_input(&[frame], 0..1, &[0; COEFFICIENTS], &mut out);
        assert_eq!(out[..3], [8, 7, -8]);
    }

    #[test]
    fn pushed_chunks_make_the_whole_recordings_features() {
        extern crate std;
        use crate::audio::recording_features;
        let mut signal = [0i16; 5000];
        crate::audio::test_signal(&mut signal);
        let mut hearing = std::boxed::Box::new(Hearing::new());
        for (len, chunk) in [(5000, 1), (5000, 37), (4097, 256), (300, 128), (200, 7), (256, 256), (257, 300)] {
            let samples = &signal[..len];
            let mut mfcc = std::vec![[0i32; COEFFICIENTS]; MAX_FRAMES];
            let mut energies = std::vec![0i32; MAX_FRAMES];
            let frames = frame_count(len);
            let _ = recording_features(samples, &mut mfcc, &mut energies);
            hearing.start();
            for part in samples.chunks(chunk) {
                hearing.push(part);
            }
            hearing.finish_frames();
            assert_eq!(hearing.frames, frames, "{len} samples");
            assert_eq!(&hearing.energies[..frames], &energies[..frames], "{len} samples in chunks of {chunk}");
            // recording_features took the speech's means out; the raw frames outside the span agree.
            let span = speech_frames(&energies[..frames]).unwrap();
            let outside = (0..frames).filter(|f| !span.contains(f));
            for f in outside {
                assert_eq!(hearing.mfcc[f], mfcc[f]);
            }
            subtract_means(&mut hearing.mfcc[span.clone()]);
            assert_eq!(&hearing.mfcc[span.clone()], &mfcc[span], "{len} samples in chunks of {chunk}");
        }
    }

    #[test]
    fn confidence_is_the_softmax_of_the_top_logit() {
        for logits in [[0i8, 0, 0, 0], [64, 0, -32, 10], [127, -128, -128, -128], [5, 5, -60, 20]] {
            let top = *logits.iter().max().unwrap() as f64 / 32.0;
            let sum: f64 = logits.iter().map(|&l| (l as f64 / 32.0 - top).exp()).sum();
            let expected = 1000.0 / sum;
            let got = confidence_permille(&logits) as f64;
            assert!((got - expected).abs() <= 1.5, "{logits:?}: {got} vs {expected:.1}");
        }
        assert_eq!(confidence_permille(&[]), 0);
    }
}
