//! A user's WAV file as the audio front end takes it: 8 kHz, mono, 16-bit.
//! Any PCM (8–32 bit) or float WAV of any rate and channel count is read;
//! channels are averaged and the rate converted with a windowed-sinc
//! low-pass (so nothing above 4 kHz folds back into the band), and what
//! was done is said.

use crate::data::spoken_digits::SAMPLE_RATE;
use anyhow::{Context, Result, bail};
use std::path::Path;

/// A WAV file made ready for the front end.
#[derive(Debug, Clone)]
pub struct Audio {
    /// 16-bit samples at [`SAMPLE_RATE`].
    pub samples: Vec<i16>,
    /// What was done to the file to get them (empty: nothing).
    pub notes: Vec<String>,
}

/// Reads `path` and converts it to 8 kHz mono 16-bit.
pub fn load_wav(path: &Path) -> Result<Audio> {
    let mut reader = hound::WavReader::open(path).map_err(|e| match e {
        hound::Error::IoError(io) => anyhow::anyhow!("cannot read {}: {io}", path.display()),
        other => anyhow::anyhow!("{} is not a WAV file pocketgan reads ({other}): save it as PCM WAV", path.display()),
    })?;
    let spec = reader.spec();
    let channels = spec.channels as usize;
    let values: Vec<f64> = match spec.sample_format {
        hound::SampleFormat::Int => {
            let full = (1i64 << (spec.bits_per_sample - 1)) as f64;
            reader.samples::<i32>().map(|s| s.map(|v| v as f64 / full)).collect::<Result<_, _>>()
        }
        hound::SampleFormat::Float => reader.samples::<f32>().map(|s| s.map(|v| v as f64)).collect::<Result<_, _>>(),
    }
    .with_context(|| format!("{} is damaged or cut short", path.display()))?;
    if values.is_empty() {
        bail!("{} holds no samples: record again", path.display());
    }
    let mut notes = Vec::new();
    let mono: Vec<f64> = if channels > 1 {
        notes.push(format!("{channels} channels averaged to mono"));
        values.chunks(channels).map(|c| c.iter().sum::<f64>() / c.len() as f64).collect()
    } else {
        values
    };
    let converted = if spec.sample_rate != SAMPLE_RATE {
        notes.push(format!("resampled from {} Hz to {SAMPLE_RATE} Hz", spec.sample_rate));
        resample(&mono, spec.sample_rate, SAMPLE_RATE)
    } else {
        mono
    };
    let clipped = converted.iter().filter(|v| v.abs() >= 1.0).count();
    if clipped > 0 {
        notes.push(format!("{clipped} samples at full scale (clipped: record a little quieter)"));
    }
    Ok(Audio { samples: to_samples(&converted), notes })
}

/// 16-bit samples as values in `[-1, 1)`.
pub fn to_values(samples: &[i16]) -> Vec<f64> {
    samples.iter().map(|&s| s as f64 / 32768.0).collect()
}

/// Values in `[-1, 1)` as 16-bit samples, rounded and saturated.
pub fn to_samples(values: &[f64]) -> Vec<i16> {
    values.iter().map(|&v| (v * 32768.0).round().clamp(-32768.0, 32767.0) as i16).collect()
}

/// Writes 16-bit PCM `samples` (interleaved when `channels > 1`) at
/// `rate` as a WAV file.
pub fn save_wav(path: &Path, rate: u32, channels: u16, samples: &[i16]) -> Result<()> {
    let spec = hound::WavSpec { channels, sample_rate: rate, bits_per_sample: 16, sample_format: hound::SampleFormat::Int };
    let cannot = |e: hound::Error| anyhow::anyhow!("cannot write {}: {e}", path.display());
    let mut writer = hound::WavWriter::create(path, spec).map_err(cannot)?;
    for &s in samples {
        writer.write_sample(s).map_err(cannot)?;
    }
    writer.finalize().map_err(cannot)
}

/// Converts `x` from rate `from` to rate `to` with a Hann-windowed sinc
/// whose cut-off is 0.9 of the lower rate's Nyquist frequency.
pub fn resample(x: &[f64], from: u32, to: u32) -> Vec<f64> {
    const HALF_TAPS: f64 = 16.0;
    let ratio = to as f64 / from as f64;
    let cutoff = 0.9 * ratio.min(1.0); // of the input's Nyquist
    let width = HALF_TAPS / cutoff;
    let n_out = (x.len() as f64 * ratio).floor() as usize;
    (0..n_out)
        .map(|i| {
            let centre = i as f64 / ratio;
            let (lo, hi) = ((centre - width).ceil().max(0.0) as usize, ((centre + width).floor() as usize).min(x.len() - 1));
            (lo..=hi)
                .map(|j| {
                    let t = j as f64 - centre;
                    let sinc = if t == 0.0 { 1.0 } else { (std::f64::consts::PI * cutoff * t).sin() / (std::f64::consts::PI * cutoff * t) };
                    let window = 0.5 + 0.5 * (std::f64::consts::PI * t / width).cos();
                    x[j] * cutoff * sinc * window
                })
                .sum()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_wav(path: &Path, rate: u32, channels: u16, samples: &[i16]) {
        save_wav(path, rate, channels, samples).unwrap();
    }

    #[test]
    fn any_rate_and_channel_count_becomes_8_khz_mono_and_says_so() {
        let dir = tempfile::tempdir().unwrap();
        // One second of a 440 Hz and a 6 kHz tone, stereo, at 44.1 kHz: the
        // 6 kHz one is above the new Nyquist frequency and must go.
        let rate = 44_100;
        let stereo: Vec<i16> = (0..rate)
            .flat_map(|n| {
                let t = n as f64 / rate as f64;
                let v = 0.3 * (2.0 * std::f64::consts::PI * 440.0 * t).sin() + 0.3 * (2.0 * std::f64::consts::PI * 6000.0 * t).sin();
                [(v * 32767.0) as i16, (v * 32767.0) as i16]
            })
            .collect();
        let path = dir.path().join("tone.wav");
        write_wav(&path, rate, 2, &stereo);
        let audio = load_wav(&path).unwrap();
        assert_eq!(audio.samples.len(), 8000);
        assert_eq!(audio.notes, ["2 channels averaged to mono", "resampled from 44100 Hz to 8000 Hz"]);
        // What is left is the 440 Hz tone: its amplitude, and no 6 kHz alias (at 2 kHz).
        let s: Vec<f64> = audio.samples[400..7600].iter().map(|&v| v as f64 / 32768.0).collect();
        let amplitude = |hz: f64| {
            let (c, q) = s.iter().enumerate().fold((0.0, 0.0), |(c, q), (n, v)| {
                let a = 2.0 * std::f64::consts::PI * hz * n as f64 / 8000.0;
                (c + v * a.cos(), q + v * a.sin())
            });
            2.0 * (c * c + q * q).sqrt() / s.len() as f64
        };
        assert!((amplitude(440.0) - 0.3).abs() < 0.01, "{}", amplitude(440.0));
        assert!(amplitude(2000.0) < 0.003, "alias of 6 kHz: {}", amplitude(2000.0));

        // An 8 kHz mono file passes untouched.
        let plain: Vec<i16> = (0..800).map(|n| (n * 37 % 2000) as i16 - 1000).collect();
        write_wav(&dir.path().join("plain.wav"), 8000, 1, &plain);
        let audio = load_wav(&dir.path().join("plain.wav")).unwrap();
        assert_eq!((audio.samples, audio.notes.len()), (plain, 0));
    }

    #[test]
    fn files_that_are_not_audio_are_refused_with_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.wav");
        write_wav(&empty, 8000, 1, &[]);
        assert!(load_wav(&empty).unwrap_err().to_string().contains("holds no samples"));
        let text = dir.path().join("notes.wav");
        std::fs::write(&text, "not a wav").unwrap();
        let e = load_wav(&text).unwrap_err().to_string();
        assert!(e.contains("is not a WAV file") && e.contains("PCM WAV"), "{e}");
        let e = load_wav(&dir.path().join("missing.wav")).unwrap_err().to_string();
        assert!(e.contains("cannot read"), "{e}");
    }
}
