//! The integer front end against a float64 reference of the same
//! definition (pre-emphasis, Hann, DFT / 256, power, the same triangles,
//! log2(E + 1), DCT-II).

extern crate std;
use super::*;
use std::string::ToString;
use std::vec;
use std::vec::Vec;

/// The reference: the same steps in f64.
fn reference(samples: &[i16], start: usize) -> ([f64; COEFFICIENTS], f64) {
    let at = |i: usize| samples.get(i).map_or(0.0, |&s| s as f64);
    let a = PRE_EMPHASIS_Q15 as f64 / 32768.0;
    let x: Vec<f64> = (0..FRAME_LEN)
        .map(|n| {
            let prev = if start + n > 0 { at(start + n - 1) } else { 0.0 };
            let w = 0.5 - 0.5 * (2.0 * core::f64::consts::PI * n as f64 / FRAME_LEN as f64).cos();
            (at(start + n) - a * prev) * w
        })
        .collect();
    let power = super::spectrum::tests::reference(&x);
    let logs: Vec<f64> = (0..MEL_BANDS)
        .map(|m| {
            let (lo, mid, hi) = (MEL_EDGES[m] as f64, MEL_EDGES[m + 1] as f64, MEL_EDGES[m + 2] as f64);
            let e: f64 = (0..power.len())
                .map(|k| {
                    let k = k as f64;
                    let w = if k < lo || k > hi { 0.0 } else if k <= mid { (k - lo) / (mid - lo) } else { (hi - k) / (hi - mid) };
                    power[k as usize] * w
                })
                .sum();
            (e + 1.0).log2() * 256.0
        })
        .collect();
    let mut mfcc = [0.0; COEFFICIENTS];
    for (j, c) in mfcc.iter_mut().enumerate() {
        *c = (0..MEL_BANDS).map(|m| logs[m] * (core::f64::consts::PI * j as f64 * (m as f64 + 0.5) / MEL_BANDS as f64).cos()).sum();
    }
    (mfcc, (power.iter().sum::<f64>() + 1.0).log2() * 256.0)
}

/// A deterministic "voice": a few harmonics of a gliding pitch, amplitude
/// `amp`, with a little noise.
fn voice(len: usize, amp: f64, seed: u64) -> Vec<i16> {
    let mut state = seed;
    (0..len)
        .map(|n| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let noise = ((state >> 33) as f64 / (1u64 << 31) as f64 - 0.5) * 0.05;
            let t = n as f64 / SAMPLE_RATE as f64;
            let f0 = 120.0 + 60.0 * t;
            let v: f64 = (1..6).map(|h| (2.0 * core::f64::consts::PI * f0 * h as f64 * t).sin() / h as f64).sum::<f64>() * 0.4 + noise;
            (v * amp).clamp(-32768.0, 32767.0) as i16
        })
        .collect()
}

#[test]
fn mfccs_follow_the_float64_reference() {
    let mut worst = 0.0f64;
    let mut worst_energy = 0.0f64;
    for (amp, seed) in [(30000.0, 1), (3000.0, 2), (300.0, 3)] {
        let samples = voice(3000, amp, seed);
        for f in 0..frame_count(samples.len()) {
            let start = f * HOP_LEN;
            let got = frame_features(&samples, start);
            let (want, energy) = reference(&samples, start);
            for j in 0..COEFFICIENTS {
                worst = worst.max((got.mfcc[j] as f64 - want[j]).abs());
            }
            worst_energy = worst_energy.max((got.log_energy as f64 - energy).abs());
        }
    }
    std::println!("largest difference: {worst:.2} (MFCC, 1/256 log2 units), {worst_energy:.2} (log energy)");
    // 0.25 log2 units (≈ 0.75 dB) on any coefficient; the log energy within 0.03.
    assert!(worst <= 64.0, "MFCCs {worst} from the reference");
    assert!(worst_energy <= 8.0, "log energy {worst_energy} from the reference");
}

#[test]
fn the_tables_are_what_their_definitions_say() {
    // Mel corners: evenly spaced in mel, rounded to bins.
    let mel = |f: f64| 2595.0 * (1.0 + f / 700.0).log10();
    let top = mel(4000.0);
    for (i, &e) in MEL_EDGES.iter().enumerate() {
        let f = 700.0 * (10f64.powf(top * i as f64 / (MEL_BANDS + 1) as f64 / 2595.0) - 1.0);
        assert_eq!(e as f64, (f * FRAME_LEN as f64 / SAMPLE_RATE as f64).round(), "corner {i}");
    }
    assert!(MEL_EDGES.windows(2).all(|w| w[0] < w[1]), "no empty filter");
    assert_eq!((HANN[0], HANN[FRAME_LEN / 2]), (0, 32767));
    assert_eq!((frame_count(100), frame_count(256), frame_count(257), frame_count(8000)), (1, 1, 2, 62), "the last frame may run past the end");
}

#[test]
fn a_full_scale_square_wave_does_not_overflow() {
    let square: Vec<i16> = (0..1024).map(|n| if (n / 4) % 2 == 0 { i16::MAX } else { i16::MIN }).collect();
    for f in 0..frame_count(square.len()) {
        let got = frame_features(&square, f * HOP_LEN);
        let (want, _) = reference(&square, f * HOP_LEN);
        assert!((got.mfcc[0] as f64 - want[0]).abs() < 64.0, "frame {f}: {} vs {}", got.mfcc[0], want[0]);
    }
}


fn tone(len: usize, amp: f64, hz: f64) -> Vec<i16> {
    (0..len).map(|n| (amp * (2.0 * core::f64::consts::PI * hz * n as f64 / SAMPLE_RATE as f64).sin()) as i16).collect()
}

fn energies(samples: &[i16]) -> Vec<i32> {
    (0..frame_count(samples.len())).map(|f| frame_features(samples, f * HOP_LEN).log_energy).collect()
}

#[test]
fn the_gate_finds_speech_and_hears_none_in_silence_or_hiss() {
    // The floor is a −50 dBFS sine's frame energy.
    let floor = energies(&tone(2048, 100.0, 440.0));
    assert!(floor[2..floor.len() - 2].iter().all(|&e| (e - NO_SPEECH_BELOW_Q8).abs() < 64), "{floor:?}");
    assert_eq!(speech_frames(&energies(&[0i16; 8000])), Err(AudioError::NoSpeech { loudest: 0 }));
    let hiss = voice(8000, 40.0, 9);
    assert!(matches!(speech_frames(&energies(&hiss)), Err(AudioError::NoSpeech { .. })), "a faint hiss is not speech");
    let message = speech_frames(&energies(&hiss)).unwrap_err().to_string();
    assert!(message.contains("no speech heard") && message.contains("dB"), "{message}");
    // Silence, half a second of voice, silence: the span is the voice's frames.
    let mut samples = vec![0i16; 8000];
    samples[2000..6000].copy_from_slice(&voice(4000, 8000.0, 4));
    let span = speech_frames(&energies(&samples)).unwrap();
    let (first, last) = (span.start * HOP_LEN, (span.end - 1) * HOP_LEN + FRAME_LEN);
    assert!((2000 - FRAME_LEN..=2000 + HOP_LEN).contains(&first), "{span:?}");
    assert!((6000 - HOP_LEN..=6000 + FRAME_LEN).contains(&last), "{span:?}");
}

#[test]
fn means_are_taken_out_per_coefficient() {
    let mut frames = [[0i32; COEFFICIENTS]; 3];
    for (i, f) in frames.iter_mut().enumerate() {
        f[0] = 100 + i as i32;
        f[1] = -7;
        f[2] = i as i32 * 2 - 1; // -1, 1, 3: mean 1
    }
    subtract_means(&mut frames);
    assert_eq!([frames[0][0], frames[1][0], frames[2][0]], [-1, 0, 1]);
    assert!(frames.iter().all(|f| f[1] == 0));
    assert_eq!([frames[0][2], frames[1][2], frames[2][2]], [-2, 0, 2]);
    subtract_means(&mut []);
}
