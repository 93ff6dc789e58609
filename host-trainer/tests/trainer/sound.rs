//! Sound → image: a short run on the bundled digits paired with FSDD's
//! spoken digits learns to hear them (the encoder well above chance, int8
//! as float) and to draw what it heard; the model file carries the front
//! end and the encoder (`inspect` shows them); `sample --audio` says what
//! it heard and refuses what does not fit.

use pocketgan_host_trainer::data::DataSource;
use pocketgan_host_trainer::eval::sound::evaluate;
use pocketgan_host_trainer::export::export;
use pocketgan_host_trainer::training::device::DeviceChoice;
use pocketgan_host_trainer::training::image_config::TrainConfig;
use pocketgan_host_trainer::training::images::train;
use pocketgan_host_trainer::training::run_dir::RunDir;
use pocketgan_shared::Model;
use std::path::Path;
use std::process::Command;

use crate::common::burn_rng as serial;
use burn::tensor::Device;

fn pocketgan(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_pocketgan")).args(args).output().unwrap()
}

fn write_wav(path: &Path, rate: u32, channels: u16, samples: &[i16]) {
    pocketgan_host_trainer::data::wav::save_wav(path, rate, channels, samples).unwrap();
}

#[test]
fn a_short_sound_run_hears_the_spoken_digits_and_draws_what_it_heard() {
    let _serial = serial();
    let device = Device::flex();
    let dir = tempfile::tempdir().unwrap();
    let run = RunDir::new(dir.path().join("sound"));
    let config = TrainConfig {
        data: DataSource::Digits,
        spoken_digits: true,
        steps: 150,
        batch_size: 32,
        sample_every: 0,
        checkpoint_every: 0,
        ..TrainConfig::default()
    };
    train(&config, &run, &DeviceChoice::Cpu, false).unwrap();
    let (generator, _, _) = run.load_generator(&device).unwrap();
    assert_eq!(generator.classes, 10 + 32 * 13, "the label's one-hot and 32 frames of 13 features");
    let exported = export(&generator, "sound", &device).unwrap();
    let model = Model::parse(&exported.bytes).unwrap();
    assert_eq!(model.version(), 7);
    let report = evaluate(&config, &generator, &model, &device, false).unwrap();
    eprintln!("spoken digits, 150 steps: {report:?}");
    assert_eq!((report.recordings, report.unheard), (300, 0), "FSDD's official test split, every recording heard");
    // Chance is 0.1.
    let (float, int8) = (report.heard.float, report.heard.int8);
    assert!(float > 0.5 && int8 > 0.5, "the encoder hears float {float}, int8 {int8}");
    assert!((float - int8).abs() < 0.05, "int8 export changed what is heard: {float} vs {int8}");
    assert!((0.0..=1.0).contains(&report.drawn.int8) && report.drawn_per_speaker.len() == 6, "{report:?}");

    // The front end and the encoder travel in the file.
    let path = dir.path().join("sound.pgan");
    std::fs::write(&path, &exported.bytes).unwrap();
    let p = path.to_str().unwrap();
    let out = pocketgan(&["inspect", p]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("format version 7") && text.contains("labels: zero one two three four five six seven eight nine"), "{text}");
    assert!(text.contains("front end: 8000 Hz, 256-sample frames every 128 (16 ms), 26 mel bands, 13 MFCCs"), "{text}");
    assert!(text.contains("Conv2d k1x5 s1x2 p0x2") && text.contains("MACs per recording"), "{text}");

    // A recording of FSDD's test split, as a 44.1 kHz stereo file: said how it was converted.
    let wavs = dir.path().join("wavs");
    let out = pocketgan(&["data", "recordings", "-o", wavs.to_str().unwrap(), "--speaker", "george"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let seven = wavs.join("7_george_0.wav");
    let mono: Vec<i16> = hound::WavReader::open(&seven).unwrap().samples::<i16>().map(Result::unwrap).collect();
    let stereo: Vec<i16> = mono.iter().flat_map(|&s| [s, s]).collect();
    let wide = dir.path().join("seven-stereo.wav");
    write_wav(&wide, 8000, 2, &stereo);
    let grid = dir.path().join("grid.png");
    let out = pocketgan(&["sample", p, "--audio", seven.to_str().unwrap(), "--audio", wide.to_str().unwrap(), "--n", "4", "-o", grid.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("7_george_0.wav: heard \"") && err.contains("% sure"), "{err}");
    assert!(err.contains("2 channels averaged to mono"), "{err}");
    let png = image::open(&grid).unwrap();
    assert!(png.width() > 3 * png.height(), "4 samples of each of 2 recordings, one row of 8");

    // Refusals, one line each, nothing drawn.
    let silent = dir.path().join("silent.wav");
    write_wav(&silent, 8000, 1, &[0; 8000]);
    let not_wav = dir.path().join("notes.wav");
    std::fs::write(&not_wav, "not a recording").unwrap();
    let default_model = concat!(env!("CARGO_MANIFEST_DIR"), "/../models/dcgan-digits.pgan");
    let refused = dir.path().join("refused.png");
    let o = refused.to_str().unwrap();
    for (args, says) in [
        (vec!["sample", p, "-o", o], "this is a sound model: it draws what it hears; give it a recording with --audio FILE.wav"),
        (vec!["sample", p, "--audio", silent.to_str().unwrap(), "-o", o], "no speech heard: the recording is silent"),
        (vec!["sample", p, "--audio", not_wav.to_str().unwrap(), "-o", o], "is not a WAV file pocketgan reads"),
        (vec!["sample", p, "--class", "3", "-o", o], "sound model"),
        (vec!["sample", default_model, "--audio", seven.to_str().unwrap(), "-o", o], "--audio needs a sound model"),
        (vec!["export", p, "--tflite", o], "a sound model does not convert to .tflite yet"),
    ] {
        let out = pocketgan(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && err.contains(says) && err.trim().lines().count() == 1, "{args:?}: {err}");
        assert!(!refused.exists(), "{args:?}: nothing is drawn");
    }
}

#[test]
fn spoken_digits_refuse_what_they_cannot_pair() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    let mine = dir.path().join("mine");
    std::fs::create_dir_all(&mine).unwrap();
    write_wav(&mine.join("hello.wav"), 8000, 1, &[0; 100]);
    for (args, says) in [
        (vec!["--data", "fashion-mnist"], "--spoken-digits pairs the bundled spoken digits with the bundled digit images: use --data digits"),
        (vec!["--conditional"], "cannot be used with"),
        (vec!["--held-out-speaker", "nobody"], "no speaker 'nobody' among the spoken digits"),
        (vec!["--audio-frames", "65"], "--audio-frames must be 1 to 64"),
        (vec!["--pack", "2"], "cannot be combined"),
        (vec!["--recordings", mine.to_str().unwrap()], "hello.wav: which digit is it?"),
        (vec!["--speed-perturbation", "--data", "fashion-mnist"], "use --data digits"),
    ] {
        let mut all = vec!["train", "--spoken-digits", "--steps", "1", "--quiet", "--run", run.to_str().unwrap()];
        all.extend(args);
        let out = pocketgan(&all);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && err.contains(says), "{all:?}: {err}");
        assert!(!run.exists(), "{all:?}: nothing is written for a refused run");
    }
}
