//! The committed models (the 137k-parameter default, the small one and the
//! text model): valid, within their size, faithful to their float
//! generators, and reproducible from the committed float checkpoints.

use burn::tensor::Device;
use pocketgan_host_trainer::export::agreement::int8_vs_float;
use pocketgan_host_trainer::export::export;
use pocketgan_host_trainer::training::run_dir::RunDir;
use pocketgan_shared::Model;
use std::path::PathBuf;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn default_model_matches_its_float_generator_above_30_db() {
    let bytes = std::fs::read(repo().join("models/dcgan-digits.pgan")).unwrap();
    let model = Model::parse(&bytes).unwrap();
    let device = Device::flex();
    let (generator, config, _) = RunDir::new(repo().join("models/dcgan-digits-run")).load_generator(&device).unwrap();
    assert_eq!(config.latent_dim, model.header().latent_dim as usize);
    let agreement = int8_vs_float(&model, &generator, &device).unwrap();
    println!("default model: int8 vs float PSNR {:.2} dB, max |diff| {:.1}/255", agreement.psnr_db, agreement.max_abs);
    assert!(agreement.psnr_db >= 30.0, "PSNR {:.2} dB", agreement.psnr_db);
}

#[test]
fn exporting_the_committed_checkpoint_gives_an_equivalent_model() {
    let device = Device::flex();
    let (generator, _, _) = RunDir::new(repo().join("models/dcgan-digits-run")).load_generator(&device).unwrap();
    let report = export(&generator, "dcgan-digits", &device).unwrap();
    let committed = std::fs::read(repo().join("models/dcgan-digits.pgan")).unwrap();
    // Same size and quality; bytes may differ only if float rounding in
    // calibration differs between CPUs.
    assert_eq!(report.bytes.len(), committed.len());
    assert!(report.psnr_db >= 30.0);
    let fresh = Model::parse(&report.bytes).unwrap();
    let old = Model::parse(&committed).unwrap();
    assert_eq!(fresh.scratch_len(), old.scratch_len());
    assert_eq!(fresh.macs(), old.macs());
}

#[test]
fn the_small_default_fits_64_kib_of_weights_and_matches_its_float_generator() {
    let bytes = std::fs::read(repo().join("models/dcgan-digits-small.pgan")).unwrap();
    let model = Model::parse(&bytes).unwrap();
    let weight_bytes: usize = model.layers().map(|l| l.unwrap().weights.as_bytes().len()).sum();
    assert!(weight_bytes <= 64 * 1024, "{weight_bytes} bytes of int8 weights");
    let device = Device::flex();
    let (generator, config, _) = RunDir::new(repo().join("models/dcgan-digits-small-run")).load_generator(&device).unwrap();
    assert_eq!(config.base_channels, 32);
    let agreement = int8_vs_float(&model, &generator, &device).unwrap();
    assert!(agreement.psnr_db >= 30.0, "PSNR {:.2} dB", agreement.psnr_db);
}

#[test]
fn the_committed_text_model_is_its_checkpoint_exported() {
    let device = Device::flex();
    let (generator, config, _) = RunDir::new(repo().join("models/text-digits-run")).load_generator(&device).unwrap();
    assert_eq!(config.vocabulary.len(), 30);
    let committed = std::fs::read(repo().join("models/text-digits.pgan")).unwrap();
    let model = Model::parse(&committed).unwrap();
    assert_eq!(model.vocabulary().unwrap().words().collect::<Vec<_>>(), config.vocabulary);
    let agreement = int8_vs_float(&model, &generator, &device).unwrap();
    assert!(agreement.psnr_db >= 30.0, "PSNR {:.2} dB", agreement.psnr_db);
    let report = export(&generator, "text-digits", &device).unwrap();
    assert_eq!(report.bytes.len(), committed.len());
    let fresh = Model::parse(&report.bytes).unwrap();
    assert_eq!(fresh.text().unwrap().embedding.as_slice(), model.text().unwrap().embedding.as_slice(), "the same table");
}

#[test]
fn the_committed_sound_model_is_its_checkpoint_exported() {
    let device = Device::flex();
    let (generator, config, _) = RunDir::new(repo().join("models/spoken-digits-run")).load_generator(&device).unwrap();
    assert_eq!(config.labels.len(), 10);
    let committed = std::fs::read(repo().join("models/spoken-digits.pgan")).unwrap();
    let model = Model::parse(&committed).unwrap();
    assert_eq!(model.labels().unwrap().words().collect::<Vec<_>>(), config.labels);
    assert_eq!(model.audio().unwrap().shifts.as_slice(), config.audio_shifts.as_slice());
    let report = export(&generator, "spoken-digits", &device).unwrap();
    assert!(report.psnr_db >= 30.0, "PSNR {:.2} dB", report.psnr_db);
    assert!(report.bytes == committed, "export of models/spoken-digits-run differs from models/spoken-digits.pgan: export it again");
}
