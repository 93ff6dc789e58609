//! A sound model hearing on the host what a board hears: a WAV file read
//! and converted to 8 kHz mono ([`crate::data::wav`]), then the board's own
//! front end and int8 encoder (`pocketgan_shared::hearing`).

use crate::data::wav::load_wav;
use anyhow::{Result, anyhow, bail};
use pocketgan_shared::hearing::{HearError, Heard, Hearing, MAX_RECORDING, hear};
use pocketgan_shared::{Model, translate};
use std::path::{Path, PathBuf};

/// What a sound model heard in one file.
#[derive(Debug, Clone)]
pub struct HeardFile {
    /// The file.
    pub path: PathBuf,
    /// What the encoder made of it.
    pub heard: Heard,
    /// What was done to the file (resampled, cut, …), for the user.
    pub notes: Vec<String>,
}

impl HeardFile {
    /// The label heard, e.g. `seven`.
    pub fn label<'m>(&self, model: &Model<'m>) -> &'m str {
        self.heard.label(model)
    }

    /// `heard "seven" (93 % sure)`.
    pub fn describe(&self, model: &Model<'_>) -> String {
        format!("heard \"{}\" ({} % sure)", self.label(model), self.heard.confidence_permille / 10)
    }
}

/// The encoder's logits for feature codes (as `pocketgan_shared::hearing::encoder_input` writes them).
pub fn hear_codes(encoder: &Model<'_>, codes: &[i8], scratch: &mut [i8]) -> Result<Vec<i8>> {
    Ok(translate(encoder, codes, scratch).map_err(|e| anyhow!("{e}"))?.to_vec())
}

/// Hears 8 kHz samples with `model` (a sound model) as a board does.
pub fn hear_samples(model: &Model<'_>, samples: &[i16]) -> Result<Heard, HearError> {
    let Some(encoder) = model.encoder() else {
        return Err(HearError::Model(pocketgan_shared::ModelError::Heard { sound_model: false }));
    };
    let mut hearing = Box::new(Hearing::new());
    let mut scratch = vec![0i8; model.scratch_len()];
    hear(model, &encoder, samples, &mut hearing, &mut scratch)
}

/// Reads and hears `path`; a file with no speech is an error naming it.
pub fn hear_file(model: &Model<'_>, path: &Path) -> Result<HeardFile> {
    if model.audio().is_none() {
        bail!("--audio needs a sound model (trained with `pocketgan train --spoken-digits`); this one is not (`pocketgan inspect` tells what it takes)");
    }
    let audio = load_wav(path)?;
    let mut notes = audio.notes;
    let heard = hear_samples(model, &audio.samples).map_err(|e| anyhow!("{}: {e}", path.display()))?;
    if heard.cut {
        notes.push(format!("{:.2} s long: only the first {:.1} s is heard, as on the board", audio.samples.len() as f64 / 8000.0, MAX_RECORDING as f64 / 8000.0));
    }
    Ok(HeardFile { path: path.to_path_buf(), heard, notes })
}
