//! Train → export → sample, through the library, on real data.

use burn::tensor::Device;
use pocketgan_host_trainer::data::DataSource;
use pocketgan_host_trainer::training::device::DeviceChoice;
use pocketgan_host_trainer::export::agreement::int8_vs_float;
use pocketgan_host_trainer::export::export;
use pocketgan_host_trainer::training::run_dir::RunDir;
use pocketgan_host_trainer::board::sample::{PixelFormat, SampleOptions, render_samples};
use pocketgan_host_trainer::training::image_config::TrainConfig;
use pocketgan_host_trainer::training::images::train;
use pocketgan_shared::Model;
use pocketgan_shared::pixels::DEFAULT_BLACK_LEVEL;
use pocketgan_shared::format::TensorShape;

#[test]
fn a_short_run_trains_checkpoints_exports_and_samples() {
    let dir = tempfile::tempdir().unwrap();
    let run = RunDir::new(dir.path().join("run"));
    let config = TrainConfig {
        data: DataSource::Digits,
        steps: 12,
        batch_size: 16,
        generator_channels: 16,
        discriminator_channels: 8,
        latent_dim: 8,
        sample_every: 6,
        checkpoint_every: 6,
        ..TrainConfig::default()
    };
    let report = train(&config, &run, &DeviceChoice::Cpu, false).unwrap();
    assert!(report.d_loss.is_finite() && report.g_loss.is_finite());
    for f in ["config.toml", "generator.json", "losses.csv", "samples/step-000006.png", "samples/step-000012.png", "checkpoint/generator.bpk", "checkpoint/discriminator.bpk", "checkpoint/optimizer-g.bin", "checkpoint/state.json"] {
        assert!(run.root.join(f).exists(), "{f} missing");
    }
    let losses = std::fs::read_to_string(run.losses()).unwrap();
    assert_eq!(losses.lines().count(), 13);
    // The saved config round-trips.
    let saved: TrainConfig = toml::from_str(&std::fs::read_to_string(run.config()).unwrap()).unwrap();
    assert_eq!(saved, config.resolved());
    // A second run into the same folder is refused, not overwritten.
    let err = train(&config, &run, &DeviceChoice::Cpu, false).unwrap_err().to_string();
    assert!(err.contains("already holds a training run"), "{err}");

    let device = Device::flex();
    let (generator, _, state) = run.load_generator(&device).unwrap();
    assert_eq!(state.step, 12);
    let exported = export(&generator, "test", &device).unwrap();
    let model = Model::parse(&exported.bytes).unwrap();
    assert_eq!(model.header().latent_dim, 8);
    assert_eq!(model.header().image, TensorShape { height: 28, width: 28, channels: 1 });
    assert!(exported.psnr_db > 30.0, "{}", exported.psnr_db);
    assert_eq!(int8_vs_float(&model, &generator, &device).unwrap().psnr_db, exported.psnr_db);

    let opts = SampleOptions { seed: 3, count: 2, class: None, prompts: Vec::new(), recordings: Vec::new(), display: Some((128, 64)), scale: 1, pixels: PixelFormat::Mono, columns: 2, mix: 0, black_level: DEFAULT_BLACK_LEVEL };
    let frames = render_samples(&model, &opts).unwrap();
    assert_eq!((frames.width, frames.height), (128, 64));
    let images = frames.rgb;
    assert_eq!(images.len(), 2);
    // The raw framebuffer is the picture, one bit a pixel.
    for (rgb, raw) in images.iter().zip(&frames.raw) {
        assert_eq!(raw.len(), 16 * 64);
        for (i, px) in rgb.chunks(3).enumerate() {
            let bit = raw[(i / 128) * 16 + (i % 128) / 8] & (0x80 >> (i % 8)) != 0;
            assert_eq!(bit, px[0] == 255);
        }
    }
    // Only black and white on a 1-bit display, and something is lit.
    assert!(images[0].iter().all(|&v| v == 0 || v == 255));
    assert!(images[0].contains(&255));
}

#[test]
fn fixed_point_generator_tracks_float_on_a_trained_model() {
    // A wider, deeper generator (32×32 output, three ×2 stages) exported
    // right after initialisation: checks folding of every block and the
    // HWC permutation on a shape other than the default.
    let device = Device::flex();
    let config = pocketgan_host_trainer::nets::GeneratorConfig::new().with_height(32).with_width(32).with_latent_dim(16).with_base_channels(32);
    let generator = config.init(&device).unwrap();
    let exported = export(&generator, "wide", &device).unwrap();
    let model = Model::parse(&exported.bytes).unwrap();
    assert_eq!(model.layers().count(), 4);
    assert_eq!(model.header().image, TensorShape { height: 32, width: 32, channels: 1 });
    assert!(exported.psnr_db > 30.0, "{}", exported.psnr_db);
}

#[test]
fn a_conditional_generator_exports_with_its_classes() {
    use pocketgan_host_trainer::nets::GeneratorConfig;
    use pocketgan_shared::generate;
    use pocketgan_shared::latent::latent_for_seed;
    let device = Device::flex();
    let generator = GeneratorConfig::new().with_classes(4).with_latent_dim(8).with_base_channels(16).init(&device).unwrap();
    let exported = export(&generator, "cond", &device).unwrap();
    let model = Model::parse(&exported.bytes).unwrap();
    assert_eq!((model.header().classes, model.header().latent_dim), (4, 8));
    assert_eq!(model.input_len(), 12, "latent + one-hot");
    // The int8 model follows the float one with the class input too.
    assert!(exported.psnr_db > 30.0, "{}", exported.psnr_db);
    // Every class generates; a class out of range, or none, is refused.
    let mut scratch = vec![0i8; model.scratch_len()];
    let mut latent = [0i8; 8];
    latent_for_seed(1, &mut latent);
    for class in 0..4 {
        assert!(generate(&model, &latent, Some(class), &mut scratch).is_ok());
    }
    assert!(generate(&model, &latent, Some(4), &mut scratch).is_err());
    assert!(generate(&model, &latent, None, &mut scratch).is_err());
}
