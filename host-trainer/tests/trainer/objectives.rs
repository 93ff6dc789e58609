//! Every objective learns: on the 8-Gaussian ring (mean distance of its
//! samples to the data against the untrained generator's; modes need longer
//! budgets, see `pocketgan compare`) and on Fashion-MNIST (Fréchet distance against the
//! untrained generator, float and int8), without NaNs; WGAN's clipping and
//! SNGAN's spectral norm hold on the trained critic; a conditional model
//! exported to int8 draws the classes it is asked for.

use burn::module::Module;
use burn::tensor::Device;
use pocketgan_host_trainer::data::DataSource;
use pocketgan_host_trainer::training::device::DeviceChoice;
use pocketgan_host_trainer::metrics::images::{Evaluator, splits};
use pocketgan_host_trainer::eval::report::score_generator;
use pocketgan_host_trainer::nets::GeneratorConfig;
use pocketgan_host_trainer::nets::spectral_norm::SpectralNorm;
use pocketgan_host_trainer::training::objectives::Objective;
use pocketgan_host_trainer::training::run_dir::RunDir;
use pocketgan_host_trainer::training::toy::{ToyConfig, train_toy};
use pocketgan_host_trainer::training::image_config::{Preset, TrainConfig};
use pocketgan_host_trainer::training::images::train;

use crate::common::burn_rng as serial;

#[test]
fn every_objective_learns_the_ring() {
    let _serial = serial();
    let device = Device::flex();
    for objective in Objective::ALL {
        let config = ToyConfig { objective, steps: 1000, eval_every: 0, ..ToyConfig::default() };
        let run = train_toy(&config, &device, |_, _| Ok(())).unwrap_or_else(|e| panic!("{objective}: {e}"));
        let (before, after) = (run.history[0].modes, run.history.last().unwrap().modes);
        eprintln!("{objective}: {before:?} -> {after:?}");
        assert!(
            after.mean_distance < 0.6 * before.mean_distance,
            "{objective} did not move towards the ring: mean distance {} -> {}",
            before.mean_distance,
            after.mean_distance
        );

        let critic = &run.gan.critic;
        match objective {
            Objective::Wgan => {
                for layer in &critic.layers {
                    let max = layer.inner.weight.val().abs().max().into_scalar::<f32>();
                    assert!(max <= 0.01 + 1e-7, "a clipped weight reached {max}");
                }
            }
            Objective::Hinge => {
                for layer in &critic.layers {
                    let sn = layer.spectral.as_ref().expect("hinge trains a spectrally normalized critic");
                    let sigma = sn.sigma(layer.weight()).into_scalar::<f32>();
                    assert!((sigma - 1.0).abs() < 0.05, "normalized weight has σ ≈ {sigma}");
                    // The running estimate against the exact largest singular
                    // value of the weight (power iteration run to convergence).
                    let raw = layer.inner.weight.val();
                    let mut exact = SpectralNorm::new(raw.dims()[0], &raw.device());
                    (0..500).for_each(|_| exact.power_iteration(raw.clone()));
                    let (estimate, truth) = (sn.sigma(raw.clone()).into_scalar::<f32>(), exact.sigma(raw).into_scalar::<f32>());
                    eprintln!("  spectral norm: running estimate {estimate:.4}, exact {truth:.4}");
                    // Power iteration never overestimates; one step per update lags by a few
                    // per cent where the top singular values are close (measured ≤ 6 %).
                    assert!(estimate <= truth * 1.001 && estimate > 0.9 * truth, "σ estimate {estimate} vs exact {truth}");
                }
                // How steep the 1-Lipschitz critic really is where the data lies.
                let ring = pocketgan_host_trainer::data::ToyDistribution::Ring.sample(256, 5);
                let flat: Vec<f32> = ring.into_iter().flatten().collect();
                let x = burn::tensor::Tensor::<2>::from_data(burn::tensor::TensorData::new(flat, [256, 2]), &critic.devices()[0]);
                // A packing critic judges each point as a group of copies of it.
                let x = x.repeat_dim(1, critic.layers[0].inner.weight.val().dims()[0] / 2);
                let g = critic.input_gradient(x).powi_scalar(2).sum_dim(1).sqrt().mean().into_scalar::<f32>();
                eprintln!("  hinge critic: mean ‖∇D‖ on the ring {g:.3}");
            }
            _ => assert!(critic.layers.iter().all(|l| l.spectral.is_none())),
        }
    }
}

fn fashion_installed() -> bool {
    std::path::Path::new(pocketgan_host_trainer::data::FASHION_MNIST_DIR).join("train-images-idx3-ubyte.gz").exists()
}

#[test]
fn every_objective_learns_fashion_mnist_in_float_and_int8() {
    let _serial = serial();
    assert!(fashion_installed(), "Fashion-MNIST is needed: apt-get install dataset-fashion-mnist (scripts/test does)");
    let device = Device::flex();
    let data = DataSource::FashionMnist { split: "train".into() };
    let (train_set, test_set) = splits(&data).unwrap();
    let evaluator = Evaluator::new(&train_set, &test_set, &device, false).unwrap();
    assert!(evaluator.real_accuracy > 0.75, "the evaluation classifier is weak: {}", evaluator.real_accuracy);
    let n = 400;
    let untrained = GeneratorConfig::new().with_latent_dim(16).with_base_channels(32).init(&device).unwrap();
    let base = score_generator(&evaluator, &untrained, n, &device).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut results = Vec::new();
    for objective in Objective::ALL {
        let run = RunDir::new(dir.path().join(objective.name()));
        let config = TrainConfig {
            data: data.clone(),
            objective,
            // Minimax saturates (below); least squares starts slower with these
            // small networks (618 of the untrained 857 after 200 steps).
            steps: if matches!(objective, Objective::Minimax | Objective::LeastSquares) { 400 } else { 200 },
            batch_size: 32,
            latent_dim: 16,
            generator_channels: 32,
            discriminator_channels: 32,
            sample_every: 0,
            checkpoint_every: 0,
            // Each objective as its paper trains it: what this test holds to a bound.
            preset: Preset::Paper,
            ..TrainConfig::default()
        };
        train(&config, &run, &DeviceChoice::Cpu, false).unwrap_or_else(|e| panic!("{objective}: {e}"));
        let (generator, _, _) = run.load_generator(&device).unwrap();
        let s = score_generator(&evaluator, &generator, n, &device).unwrap();
        eprintln!(
            "{objective}: Fréchet distance float {:.1} int8 {:.1} (untrained {:.1} / {:.1})",
            s.float.frechet, s.int8.frechet, base.float.frechet, base.int8.frechet
        );
        results.push((objective, s));
        let saved = std::fs::read_to_string(run.config()).unwrap();
        assert!(saved.contains(&format!("objective = \"{}\"", objective.name())), "{saved}");
    }
    for (objective, s) in results {
        // The saturating minimax loss barely moves the generator while the
        // discriminator rejects its images confidently (the reason Goodfellow
        // et al. proposed the non-saturating one): with these small networks
        // it gains 4-5 % in 400 steps (and no more in 800), so it is held to
        // a small but real gain here; the ring test holds it to the same
        // bound as the others. The others must cut the distance by 30 %.
        let bound = if objective == Objective::Minimax { 0.98 } else { 0.7 };
        assert!(s.float.frechet < bound * base.float.frechet, "{objective}: float {} vs untrained {}", s.float.frechet, base.float.frechet);
        assert!(s.int8.frechet < bound * base.int8.frechet, "{objective}: int8 {} vs untrained {}", s.int8.frechet, base.int8.frechet);
    }
}

#[test]
fn conditional_int8_model_draws_the_requested_classes() {
    let _serial = serial();
    let device = Device::flex();
    let data = DataSource::Digits;
    let dir = tempfile::tempdir().unwrap();
    let run = RunDir::new(dir.path().join("conditional"));
    let config = TrainConfig {
        data: data.clone(),
        conditional: true,
        steps: 500,
        sample_every: 0,
        checkpoint_every: 0,
        ..TrainConfig::default()
    };
    train(&config, &run, &DeviceChoice::Cpu, false).unwrap();
    let (generator, _, _) = run.load_generator(&device).unwrap();
    assert_eq!(generator.classes, 10);
    let (train_set, test_set) = splits(&data).unwrap();
    let evaluator = Evaluator::new(&train_set, &test_set, &device, false).unwrap();
    let s = score_generator(&evaluator, &generator, 500, &device).unwrap();
    let (float, int8) = (s.float.class_accuracy.unwrap(), s.int8.class_accuracy.unwrap());
    eprintln!("conditional digits, 500 steps: class accuracy float {float:.3}, int8 {int8:.3}");
    // Chance is 0.1.
    assert!(float > 0.3 && int8 > 0.3, "class accuracy float {float}, int8 {int8}");
    assert!((float - int8).abs() < 0.1, "int8 export changed the classes: {float} vs {int8}");

    // The class count travels in the file: `inspect` shows it.
    let exported = pocketgan_host_trainer::export::export(&generator.clone().to_device(&device), "cond", &device).unwrap();
    let model = dir.path().join("cond.pgan");
    std::fs::write(&model, &exported.bytes).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pocketgan")).args(["inspect", model.to_str().unwrap()]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("classes: 10"), "{text}");
}
