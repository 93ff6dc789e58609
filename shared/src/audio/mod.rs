//! The audio front end for sound-conditioned models: MFCCs of 8 kHz, 16-bit
//! speech in integers only, so a board's features equal the host's bit for
//! bit (the same code runs on both) and no FPU is needed.
//!
//! Per frame of [`FRAME_LEN`] samples (32 ms), every [`HOP_LEN`] (16 ms):
//! pre-emphasis `y[n] = x[n] − 0.97·x[n−1]` (Q15), a periodic Hann window,
//! a 256-point real FFT (a 128-point complex one and a split, each stage
//! halving, so the spectrum is `X/256`: [`spectrum`]), the power of bins
//! 0–128, [`MEL_BANDS`] triangular mel filters over
//! 0–4 kHz, `log2(E + 1)` with 8 fractional bits (a table: [`log2_q8`]),
//! and a DCT-II to
//! [`COEFFICIENTS`] coefficients. All tables are computed at compile time
//! from integer series ([`trig`]).

mod log2;
pub mod spectrum;
pub mod trig;

pub use log2::{LOG_FRAC_BITS, log2_q8};
use trig::cos_turn;

/// Samples per second the front end takes.
pub const SAMPLE_RATE: u32 = 8000;
/// Samples per frame (32 ms).
pub const FRAME_LEN: usize = spectrum::FRAME_LEN;
/// Samples between frame starts (16 ms).
pub const HOP_LEN: usize = 128;
/// Mel filters.
pub const MEL_BANDS: usize = 26;
/// MFCCs per frame.
pub const COEFFICIENTS: usize = 13;
/// Pre-emphasis factor, Q15 (0.97).
pub const PRE_EMPHASIS_Q15: i32 = 31785;

/// FFT bins of the mel filters' corners: `MEL_BANDS + 2` points evenly
/// spaced in mel (`2595 · log10(1 + f / 700)`) from 0 to 4 kHz, each
/// rounded to the nearest bin of 31.25 Hz (a test derives them again).
pub const MEL_EDGES: [u8; MEL_BANDS + 2] =
    [0, 2, 3, 5, 7, 9, 12, 14, 17, 20, 23, 26, 30, 34, 38, 42, 47, 52, 57, 63, 69, 76, 83, 91, 99, 108, 118, 128];

/// The periodic Hann window, Q15 (1.0 = 32768).
const HANN: [u16; FRAME_LEN] = {
    let mut t = [0; FRAME_LEN];
    let mut i = 0;
    while i < FRAME_LEN {
        t[i] = ((32768 - cos_turn(i as u32, FRAME_LEN as u32)) / 2) as u16;
        i += 1;
    }
    t
};

/// The DCT-II's `cos(π j (m + ½) / MEL_BANDS)`, Q15.
const DCT: [[i16; MEL_BANDS]; COEFFICIENTS] = {
    let mut t = [[0; MEL_BANDS]; COEFFICIENTS];
    let mut j = 0;
    while j < COEFFICIENTS {
        let mut m = 0;
        while m < MEL_BANDS {
            t[j][m] = cos_turn((j * (2 * m + 1)) as u32, 4 * MEL_BANDS as u32) as i16;
            m += 1;
        }
        j += 1;
    }
    t
};

/// Most FFT bins one mel filter spans.
const MEL_SPAN: usize = {
    let mut widest = 0;
    let mut m = 0;
    while m < MEL_BANDS {
        let span = (MEL_EDGES[m + 2] - MEL_EDGES[m]) as usize + 1;
        if span > widest {
            widest = span;
        }
        m += 1;
    }
    widest
};

/// Each mel filter's triangle over its bins from `MEL_EDGES[m]` on, Q15
/// (1.0 = 32768 at the peak), computed once at compile time.
const MEL_WEIGHTS: [[u16; MEL_SPAN]; MEL_BANDS] = {
    let mut t = [[0u16; MEL_SPAN]; MEL_BANDS];
    let mut m = 0;
    while m < MEL_BANDS {
        let (lo, mid, hi) = (MEL_EDGES[m] as usize, MEL_EDGES[m + 1] as usize, MEL_EDGES[m + 2] as usize);
        let mut k = lo;
        while k <= hi {
            t[m][k - lo] = if k <= mid { ((k - lo) << 15) / (mid - lo) } else { ((hi - k) << 15) / (hi - mid) } as u16;
            k += 1;
        }
        m += 1;
    }
    t
};

/// Rounds `v / 2^shift` to nearest, ties up (as the kernels do).
const fn round_shift(v: i64, shift: u32) -> i64 {
    (v + (1 << (shift - 1))) >> shift
}

/// One frame's features.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameFeatures {
    /// The MFCCs, log2 units with [`LOG_FRAC_BITS`] fractional bits
    /// (before any per-utterance normalization).
    pub mfcc: [i32; COEFFICIENTS],
    /// `log2(1 + Σ power)` of the frame, Q8: what the speech gate looks at.
    pub log_energy: i32,
}

/// The features of the frame of `samples` starting at `start` (samples
/// past the end count as 0; the sample before the frame feeds the
/// pre-emphasis, 0 at the very start).
pub fn frame_features(samples: &[i16], start: usize) -> FrameFeatures {
    let at = |i: usize| samples.get(i).map_or(0, |&s| s as i32);
    let mut re = [0i32; spectrum::HALF];
    let mut im = [0i32; spectrum::HALF];
    let mut previous = if start > 0 { at(start - 1) } else { 0 };
    let mut peak = 0u32;
    for (n, &window) in HANN.iter().enumerate() {
        let x = at(start + n);
        let emphasized = x - ((PRE_EMPHASIS_Q15 * previous + (1 << 14)) >> 15);
        previous = x;
        // |emphasized| < 2^16 and the window ≤ 2^15: the product fits 32 bits.
        let windowed = (emphasized * window as i32 + (1 << 14)) >> 15;
        peak = peak.max(windowed.unsigned_abs());
        let (slot, imaginary) = spectrum::input_slot(n);
        if imaginary { im[slot] = windowed } else { re[slot] = windowed }
    }
    // Block floating point: a frame is shifted up to the FFT's input range
    // (quiet ones by up to 28 bits), so its spectrum keeps its precision;
    // the logs take the shift out again, exactly.
    let shift = spectrum::INPUT_BITS.saturating_sub(32 - peak.leading_zeros());
    for v in re.iter_mut().chain(im.iter_mut()) {
        *v <<= shift;
    }
    let mut power = [0u64; spectrum::BINS];
    spectrum::power_spectrum(&mut re, &mut im, &mut power);
    let total: u64 = power.iter().sum();
    // log2(E + 1) of the unshifted energy E = scaled / 4^shift.
    let unshifted_log = |scaled: u64| log2_q8(scaled + (1 << (2 * shift))) - ((2 * shift) << LOG_FRAC_BITS) as i32;
    let mut logs = [0i32; MEL_BANDS];
    for (m, log) in logs.iter_mut().enumerate() {
        let (lo, hi) = (MEL_EDGES[m] as usize, MEL_EDGES[m + 2] as usize);
        // Powers are below 2^56 and the weights 2^15: a power's low 15 bits
        // are dropped first, so the sum over a filter stays in 64 bits.
        let energy: u64 = power[lo..=hi].iter().zip(&MEL_WEIGHTS[m]).map(|(&p, &w)| (p >> 15) * w as u64).sum();
        *log = unshifted_log(energy);
    }
    let mut mfcc = [0i32; COEFFICIENTS];
    for (j, c) in mfcc.iter_mut().enumerate() {
        let sum: i64 = (0..MEL_BANDS).map(|m| logs[m] as i64 * DCT[j][m] as i64).sum();
        *c = round_shift(sum, 15) as i32;
    }
    FrameFeatures { mfcc, log_energy: unshifted_log(total) }
}

/// Frames a recording of `samples` samples makes (the last one may run
/// past the end; a recording shorter than a frame makes one).
pub const fn frame_count(samples: usize) -> usize {
    if samples <= FRAME_LEN { 1 } else { (samples - FRAME_LEN).div_ceil(HOP_LEN) + 1 }
}

// What a sound model's encoder takes (the model format checks them; see
// `crate::hearing`).

/// Fractional bits of the encoder's input codes: code `c` stands for `c / 16`.
pub const FEATURE_FRAC_BITS: u32 = 4;
/// The encoder input's scale (`1 / 2^FEATURE_FRAC_BITS`), which a sound
/// model's encoder must take.
pub const FEATURE_SCALE: f32 = 1.0 / (1 << FEATURE_FRAC_BITS) as f32;
/// The most frames an encoder takes.
pub const MAX_ENCODER_FRAMES: usize = 64;
/// The most labels (logits) a sound model has.
pub const MAX_LABELS: usize = 16;

/// A frame is speech when its log energy is within this much of the
/// loudest frame's (30 dB: log2(1000) · 256, Q8).
pub const SPEECH_RANGE_Q8: i32 = 2551;
/// No frame this quiet or quieter is speech: the log energy (Q8) of a frame
/// of a sine of amplitude 100 (−50 dBFS), so silence and a faint hiss
/// are "no speech heard".
pub const NO_SPEECH_BELOW_Q8: i32 = 1730;

/// Why a recording has no features.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AudioError {
    /// No frame is loud enough to be speech.
    NoSpeech {
        /// The loudest frame's log energy, Q8.
        loudest: i32,
    },
}

impl core::fmt::Display for AudioError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            AudioError::NoSpeech { loudest: 0 } => f.write_str("no speech heard: the recording is silent (is the microphone connected?)"),
            AudioError::NoSpeech { loudest } => {
                // Tenths of a dB (3.0103 dB per log2 unit) in integers: no
                // float formatting in a board's flash.
                let tenths = ((NO_SPEECH_BELOW_Q8 - loudest) as i64 * 30_103 + 128_000) / 256_000;
                write!(
                    f,
                    "no speech heard: the loudest 32 ms is {}.{} dB under the speech floor; speak closer to the microphone, or louder",
                    tenths / 10,
                    tenths % 10
                )
            }
        }
    }
}

/// The frames that hold speech, from the frames' log energies: from the
/// first to the last within [`SPEECH_RANGE_Q8`] of the loudest, which must
/// be above [`NO_SPEECH_BELOW_Q8`].
pub fn speech_frames(log_energies: &[i32]) -> Result<core::ops::Range<usize>, AudioError> {
    let loudest = log_energies.iter().copied().max().unwrap_or(0);
    if loudest <= NO_SPEECH_BELOW_Q8 {
        return Err(AudioError::NoSpeech { loudest });
    }
    let gate = (loudest - SPEECH_RANGE_Q8).max(NO_SPEECH_BELOW_Q8);
    let first = log_energies.iter().position(|&e| e > gate).unwrap_or(0);
    let last = log_energies.iter().rposition(|&e| e > gate).unwrap_or(first);
    Ok(first..last + 1)
}

/// Subtracts each coefficient's mean over `frames` (rounded half up), the
/// per-utterance normalization: a microphone's or a room's colouring is a
/// constant offset of the log spectrum, and so of every coefficient.
pub fn subtract_means(frames: &mut [[i32; COEFFICIENTS]]) {
    let n = frames.len() as i64;
    if n == 0 {
        return;
    }
    for j in 0..COEFFICIENTS {
        let sum: i64 = frames.iter().map(|f| f[j] as i64).sum();
        let mean = (2 * sum + n).div_euclid(2 * n);
        for f in frames.iter_mut() {
            f[j] -= mean as i32;
        }
    }
}

/// A deterministic test signal: seeded noise under a triangle envelope,
/// silent at both ends and full scale in the middle of `out`. The emulated
/// board's `bench-mfcc` and the host's check of it both use it.
pub fn test_signal(out: &mut [i16]) {
    let mut rng = crate::latent::LatentSampler::new(8000);
    let half = (out.len() / 2).max(1) as i32;
    for (n, s) in out.iter_mut().enumerate() {
        let envelope = half - (half - n as i32).abs();
        let noise = (rng.next_u32() >> 16) as u16 as i16 as i32;
        *s = (noise * envelope / half) as i16;
    }
}

/// The features of a whole recording: each frame's MFCCs, the span the
/// speech gate finds, and the speech frames' means taken out. Returns the
/// span; frames past `mfcc.len()` are not computed (a recording longer
/// than the room given is cut).
pub fn recording_features(samples: &[i16], mfcc: &mut [[i32; COEFFICIENTS]], energies: &mut [i32]) -> Result<core::ops::Range<usize>, AudioError> {
    let frames = frame_count(samples.len()).min(mfcc.len()).min(energies.len());
    for f in 0..frames {
        let features = frame_features(samples, f * HOP_LEN);
        mfcc[f] = features.mfcc;
        energies[f] = features.log_energy;
    }
    let span = speech_frames(&energies[..frames])?;
    subtract_means(&mut mfcc[span.clone()]);
    Ok(span)
}

#[cfg(test)]
mod tests;
