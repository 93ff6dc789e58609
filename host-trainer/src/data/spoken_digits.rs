//! The bundled spoken digits: the Free Spoken Digit Dataset's 3 000
//! recordings (`data/fsdd/`: one lossless FLAC stream and an index, see
//! its README), with each recording's digit, speaker and take, and the two
//! splits sound → image is measured on.

use super::find_bundled;
use anyhow::{Context, Result, bail};
use std::path::Path;

/// Where the bundle lives in a checkout.
pub const BUNDLED_SPOKEN_DIGITS: &str = "data/fsdd";
/// The recordings' sample rate.
pub const SAMPLE_RATE: u32 = 8000;
/// Takes `0..OFFICIAL_TEST_TAKES` of every speaker and digit are FSDD's test split.
pub const OFFICIAL_TEST_TAKES: u16 = 5;

/// One recording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recording {
    /// FSDD's file name (`7_jackson_32.wav`).
    pub name: String,
    /// The digit spoken, 0–9.
    pub digit: u8,
    /// Who spoke it.
    pub speaker: String,
    /// The take, 0–49.
    pub take: u16,
    /// 16-bit samples at [`SAMPLE_RATE`].
    pub samples: Vec<i16>,
}

/// The spoken digits, in the index's order (digit, speaker, take).
#[derive(Debug, Clone)]
pub struct SpokenDigits {
    /// Every recording.
    pub recordings: Vec<Recording>,
}

/// How a set of recordings is split into training and test recordings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Split {
    /// FSDD's own: takes 0–4 of every speaker and digit are the test split.
    Official,
    /// One speaker's recordings are the test split, the others' the training split.
    HeldOutSpeaker(String),
}

impl SpokenDigits {
    /// Loads `data/fsdd` (found as the bundled digits are).
    pub fn load_bundled() -> Result<SpokenDigits> {
        let dir = find_bundled(BUNDLED_SPOKEN_DIGITS, "recordings.flac", "the bundled spoken digits")?;
        Self::load(&dir)
    }

    /// Loads a folder made by `scripts/bundle-fsdd`.
    pub fn load(dir: &Path) -> Result<SpokenDigits> {
        let index_path = dir.join("index.csv");
        let index = std::fs::read_to_string(&index_path).with_context(|| format!("cannot read {}", index_path.display()))?;
        let flac = dir.join("recordings.flac");
        let samples = decode_flac(&flac)?;
        let mut recordings = Vec::new();
        for (number, line) in index.lines().enumerate().skip(1) {
            let bad = || anyhow::anyhow!("{} line {}: expected file,digit,speaker,take,start,samples", index_path.display(), number + 1);
            let fields: Vec<&str> = line.split(',').collect();
            let [name, digit, speaker, take, start, count] = fields[..] else { return Err(bad()) };
            let (digit, take): (u8, u16) = (digit.parse().map_err(|_| bad())?, take.parse().map_err(|_| bad())?);
            let (start, count): (usize, usize) = (start.parse().map_err(|_| bad())?, count.parse().map_err(|_| bad())?);
            let Some(samples) = samples.get(start..start + count) else {
                bail!("{}: {name} reaches past the {} samples of {}", index_path.display(), samples.len(), flac.display());
            };
            if digit > 9 {
                return Err(bad());
            }
            recordings.push(Recording { name: name.to_string(), digit, speaker: speaker.to_string(), take, samples: samples.to_vec() });
        }
        if recordings.is_empty() {
            bail!("{} lists no recordings", index_path.display());
        }
        Ok(SpokenDigits { recordings })
    }

    /// The speakers, sorted.
    pub fn speakers(&self) -> Vec<String> {
        let mut s: Vec<String> = self.recordings.iter().map(|r| r.speaker.clone()).collect();
        s.sort();
        s.dedup();
        s
    }

    /// The training and test recordings of `split`.
    pub fn split(&self, split: &Split) -> Result<(Vec<&Recording>, Vec<&Recording>)> {
        let is_test = |r: &Recording| match split {
            Split::Official => r.take < OFFICIAL_TEST_TAKES,
            Split::HeldOutSpeaker(s) => &r.speaker == s,
        };
        if let Split::HeldOutSpeaker(s) = split
            && !self.speakers().contains(s)
        {
            bail!("no speaker '{s}' among the spoken digits (speakers: {})", self.speakers().join(", "));
        }
        Ok(self.recordings.iter().partition(|r| !is_test(r)))
    }
}

/// Every sample of a mono 16-bit FLAC file.
fn decode_flac(path: &Path) -> Result<Vec<i16>> {
    let mut reader = claxon::FlacReader::open(path).with_context(|| format!("cannot open {} as FLAC", path.display()))?;
    let info = reader.streaminfo();
    if info.channels != 1 || info.bits_per_sample != 16 || info.sample_rate != SAMPLE_RATE {
        bail!(
            "{}: {} channel(s), {}-bit, {} Hz; the spoken digits are mono 16-bit {SAMPLE_RATE} Hz",
            path.display(),
            info.channels,
            info.bits_per_sample,
            info.sample_rate
        );
    }
    let mut samples = Vec::with_capacity(info.samples.unwrap_or(0) as usize);
    for s in reader.samples() {
        let s = s.with_context(|| format!("{} is damaged", path.display()))?;
        samples.push(s as i16);
    }
    Ok(samples)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pocketgan_shared::format::crc32;

    #[test]
    fn the_bundle_decodes_to_fsdd_samples_bit_for_bit() {
        let digits = SpokenDigits::load_bundled().unwrap();
        assert_eq!(digits.recordings.len(), 3000);
        assert_eq!(digits.speakers(), ["george", "jackson", "lucas", "nicolas", "theo", "yweweler"]);
        let pcm: Vec<u8> = digits.recordings.iter().flat_map(|r| r.samples.iter().flat_map(|s| s.to_le_bytes())).collect();
        assert_eq!(pcm.len(), 2 * 10_498_424);
        assert_eq!(crc32(&pcm), 0x8308_38fb, "data/fsdd/README.md's checksum of the WAV files' samples");
        let seven = digits.recordings.iter().find(|r| r.name == "7_jackson_32.wav").unwrap();
        assert_eq!((seven.digit, seven.speaker.as_str(), seven.take), (7, "jackson", 32));
        for split in [Split::Official, Split::HeldOutSpeaker("theo".into())] {
            let (train, test) = digits.split(&split).unwrap();
            let expected = match split {
                Split::Official => 300,
                Split::HeldOutSpeaker(_) => 500,
            };
            assert_eq!((train.len(), test.len()), (3000 - expected, expected), "{split:?}");
            for digit in 0..10 {
                assert_eq!(test.iter().filter(|r| r.digit == digit).count(), expected / 10, "{split:?}: every digit in the test split");
            }
        }
        let err = digits.split(&Split::HeldOutSpeaker("alice".into())).unwrap_err().to_string();
        assert!(err.contains("no speaker 'alice'") && err.contains("jackson"), "{err}");
    }

    #[test]
    fn the_speech_gate_hears_every_recording() {
        use pocketgan_shared::audio::{HOP_LEN, frame_count, frame_features, speech_frames};
        let digits = SpokenDigits::load_bundled().unwrap();
        let (mut frames, mut speech) = (0, 0);
        for r in &digits.recordings {
            let energies: Vec<i32> = (0..frame_count(r.samples.len())).map(|f| frame_features(&r.samples, f * HOP_LEN).log_energy).collect();
            let span = speech_frames(&energies).unwrap_or_else(|e| panic!("{}: {e}", r.name));
            frames += energies.len();
            speech += span.len();
        }
        // FSDD's recordings are trimmed: most of each is speech.
        let share = speech as f64 / frames as f64;
        assert!(share > 0.6, "{share}");
    }
}
