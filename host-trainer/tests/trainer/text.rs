//! Text → image: a short captioned run on the bundled digits learns to draw
//! the class its prompt names (well above chance, int8 as float); the model
//! file carries the vocabulary (`inspect` lists it); `sample --prompt`
//! names unknown words and refuses what does not fit.

use pocketgan_host_trainer::data::DataSource;
use pocketgan_host_trainer::eval::text::evaluate;
use pocketgan_host_trainer::export::export;
use pocketgan_host_trainer::training::device::DeviceChoice;
use pocketgan_host_trainer::training::image_config::TrainConfig;
use pocketgan_host_trainer::training::images::train;
use pocketgan_host_trainer::training::run_dir::RunDir;
use pocketgan_shared::Model;
use std::process::Command;

use crate::common::burn_rng as serial;
use burn::tensor::Device;

fn pocketgan(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_pocketgan")).args(args).output().unwrap()
}

#[test]
fn a_short_captioned_run_draws_the_class_its_prompt_names() {
    let _serial = serial();
    let device = Device::flex();
    let dir = tempfile::tempdir().unwrap();
    let run = RunDir::new(dir.path().join("text"));
    let config = TrainConfig {
        data: DataSource::Digits,
        captions: true,
        steps: 500,
        sample_every: 0,
        checkpoint_every: 0,
        ..TrainConfig::default()
    };
    train(&config, &run, &DeviceChoice::Cpu, false).unwrap();
    let (generator, _, _) = run.load_generator(&device).unwrap();
    assert_eq!(generator.classes, 30, "the digits' 30 words are the condition's columns");
    let exported = export(&generator, "text", &device).unwrap();
    let model = Model::parse(&exported.bytes).unwrap();
    assert_eq!(model.version(), 6);
    let report = evaluate(&config, &generator, &model, 10, &device, false).unwrap();
    let (float, int8) = (report.class_accuracy.float, report.class_accuracy.int8);
    eprintln!("captioned digits, 500 steps: {report:?}");
    // Chance is 0.1.
    assert!(float > 0.3 && int8 > 0.3, "class accuracy float {float}, int8 {int8}");
    assert!((float - int8).abs() < 0.15, "int8 export changed the classes: {float} vs {int8}");
    assert_eq!(report.attributes.len(), 3);
    assert!(report.attributes.iter().all(|a| (0.0..=1.0).contains(&a.honoured.int8) && a.base_rate > 0.0), "{report:?}");

    // The vocabulary travels in the file.
    let path = dir.path().join("text.pgan");
    std::fs::write(&path, &exported.bytes).unwrap();
    let p = path.to_str().unwrap();
    let out = pocketgan(&["inspect", p]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("format version 6") && text.contains("vocabulary (30 words): a an zero 0 one 1"), "{text}");
    assert!(text.contains("thin medium thick left-leaning upright right-leaning narrow wide"), "{text}");

    // Prompts: unknown words are named, the empty prompt said to be unconditional.
    let grid = dir.path().join("grid.png");
    let out = pocketgan(&["sample", p, "--prompt", "a thick wobbly seven", "--prompt", "", "--n", "4", "-o", grid.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("unknown word \"wobbly\"") && err.contains("inspect"), "{err}");
    assert!(err.contains("prompt \"\": no known word: an unconditional sample"), "{err}");
    let png = image::open(&grid).unwrap();
    assert!(png.width() > 3 * png.height(), "4 samples of each of 2 prompts, one row of 8");
    // Refusals, one line each.
    let out = pocketgan(&["sample", p, "--class", "3", "-o", grid.to_str().unwrap()]);
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("text model"), "{}", String::from_utf8_lossy(&out.stderr));
    let default_model = concat!(env!("CARGO_MANIFEST_DIR"), "/../models/dcgan-digits.pgan");
    let out = pocketgan(&["sample", default_model, "--prompt", "seven", "-o", grid.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("--prompt needs a text model") && err.contains("unconditional"), "{err}");
    let out = pocketgan(&["export", p, "--tflite", dir.path().join("t.tflite").to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("text model does not convert to .tflite"), "{err}");
}

#[test]
fn captions_refuse_what_they_cannot_measure() {
    let dir = tempfile::tempdir().unwrap();
    let images = dir.path().join("images");
    std::fs::create_dir_all(&images).unwrap();
    for i in 0..4 {
        image::GrayImage::from_pixel(32, 32, image::Luma([i * 60])).save(images.join(format!("{i}.png"))).unwrap();
    }
    let run = dir.path().join("run");
    for (args, says) in [
        (vec!["--data", images.to_str().unwrap()], "--captions measures its words on the bundled digits or on Fashion-MNIST"),
        (vec!["--conditional"], "cannot be used with"),
        (vec!["--text-dim", "0"], "--text-dim must be at least 1"),
        (vec!["--pack", "2"], "cannot be combined"),
    ] {
        let mut all = vec!["train", "--captions", "--steps", "1", "--quiet", "--run", run.to_str().unwrap()];
        all.extend(args);
        let out = pocketgan(&all);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && err.contains(says), "{all:?}: {err}");
        assert!(!run.exists(), "{all:?}: nothing is written for a refused run");
    }
}
