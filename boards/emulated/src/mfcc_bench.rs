//! `bench-mfcc` (a script's first line): the audio front end on one second
//! of [`test_signal`], with the instructions it took and a checksum of
//! every feature, which the host computes again (`pocketgan-tests`: the
//! board's MFCCs are the host's, bit for bit).
//!
//! Log line: `bench-mfcc: N frames, T ticks, speech frames A..B, checksum C`.

use pocketgan_firmware::Clock;
use pocketgan_shared::audio::{COEFFICIENTS, SAMPLE_RATE, frame_count, recording_features, test_signal};
use pocketgan_shared::format::crc32;

const SAMPLES: usize = SAMPLE_RATE as usize;
const FRAMES: usize = frame_count(SAMPLES);

/// Runs the benchmark and logs its line.
pub fn run(clock: &mut impl Clock) {
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
}
