//! `bench-mfcc` (a script's first line): the audio front end on one second
//! of [`test_signal`], with the instructions it took and a checksum of
//! every feature, which the host computes again (`pocketgan-tests`: the
//! board's MFCCs are the host's, bit for bit).
//!
//! Log line: `bench-mfcc: N frames, T ticks, speech frames A..B, checksum C`.
//!
//! With a sound model built in, the same second is then heard as a
//! recording is (streamed into a `Hearing`, the gate, the encoder), and
//! the encoder timed alone: `bench-hear: T ticks for 1 s, encoder E
//! ticks, heard LABEL`.

use pocketgan_firmware::Clock;
use pocketgan_shared::audio::{COEFFICIENTS, SAMPLE_RATE, frame_count, recording_features, test_signal};
use pocketgan_shared::format::crc32;
use pocketgan_shared::hearing::{Hearing, hear};
use pocketgan_shared::{Model, translate};

const SAMPLES: usize = SAMPLE_RATE as usize;
const FRAMES: usize = frame_count(SAMPLES);

/// Runs the benchmark and logs its line (and, for a sound model in
/// `model_file`, the hearing line).
pub fn run(clock: &mut impl Clock, model_file: &[u8], scratch: &mut [i8], hearing: Option<&mut Hearing>) {
    let mut samples = [0i16; SAMPLES];
    test_signal(&mut samples);
    let mut mfcc = [[0i32; COEFFICIENTS]; FRAMES];
    let mut energies = [0i32; FRAMES];
    let start = clock.ticks();
    let speech = recording_features(&samples, &mut mfcc, &mut energies);
    let ticks = clock.ticks().wrapping_sub(start);
    let mut bytes = [0u8; FRAMES * COEFFICIENTS * 4];
    for (chunk, v) in bytes.chunks_exact_mut(4).zip(mfcc.iter().flatten()) {
        chunk.copy_from_slice(&v.to_le_bytes());
    }
    let (first, end) = speech.map_or((0, 0), |s| (s.start, s.end));
    defmt::info!(
        "bench-mfcc: {=usize} frames, {=u64} ticks, speech frames {=usize}..{=usize}, checksum {=u32:08x}",
        FRAMES,
        ticks,
        first,
        end,
        crc32(&bytes)
    );
    let (Ok(model), Some(hearing)) = (Model::parse(model_file), hearing) else { return };
    let Some(encoder) = model.encoder() else { return };
    let start = clock.ticks();
    let heard = hear(&model, &encoder, &samples, hearing, scratch);
    let total = clock.ticks().wrapping_sub(start);
    let frames = model.audio().map_or(0, |a| a.frames as usize);
    let start = clock.ticks();
    let _ = translate(&encoder, hearing.codes(frames), scratch);
    let encoder_ticks = clock.ticks().wrapping_sub(start);
    let label = match &heard {
        Ok(h) => h.label(&model),
        Err(_) => "(nothing)",
    };
    defmt::info!("bench-hear: {=u64} ticks for 1 s, encoder {=u64} ticks, heard {=str}", total, encoder_ticks, label);
}
