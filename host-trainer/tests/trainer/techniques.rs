//! The stabilizing techniques: R1/R2's parameter gradient against finite
//! differences, packing's shapes through both critics, augmentation of
//! everything the critic sees (real and generated, in both updates), the
//! generator average through a real image run (checkpoint, resume, export),
//! and the best toy recipe covering the ring.

use super::gradient_penalty::{check_parameter, device, image_critic};
use burn::module::Module;
use burn::tensor::{Device, Distribution, Tensor, TensorData};
use pocketgan_host_trainer::nets::{CriticNet, Discriminator, DiscriminatorConfig, GeneratorConfig, MlpConfig, MlpCritic};
use pocketgan_host_trainer::training::objectives::Objective;
use pocketgan_host_trainer::training::objectives::settings::StepSettings;
use pocketgan_host_trainer::training::objectives::zero_centered_penalty;
use pocketgan_host_trainer::training::step::{GanStep, pack};
use pocketgan_host_trainer::training::techniques::{Augmentation, Techniques};
use pocketgan_host_trainer::training::toy::{ToyConfig, train_toy};
use std::sync::{Arc, Mutex};

#[test]
fn r1_parameter_gradient_matches_finite_differences() {
    let (_seeded, device) = device();
    let critic = image_critic(false, 0, &device);
    let x = Tensor::<4>::random([2, 1, 16, 16], Distribution::Uniform(-1.0, 1.0), &device);
    let r1 = |c: &Discriminator| zero_centered_penalty(c, x.clone(), None).unwrap();
    check_parameter(&critic, |c| &c.convs[0].inner.weight, |c, p| c.convs[0].inner.weight = p, r1, "R1, first conv");
    check_parameter(&critic, |c| &c.head.inner.weight, |c, p| c.head.inner.weight = p, r1, "R1, head");

    let mlp: MlpCritic = MlpConfig::new().with_layers(2).with_neurons(8).with_pack(2).init_critic(&device);
    let points = Tensor::<2>::random([6, 4], Distribution::Normal(0.0, 1.0), &device);
    let r1 = |c: &MlpCritic| zero_centered_penalty(c, points.clone(), None).unwrap();
    check_parameter(&mlp, |c| &c.layers[0].inner.weight, |c, p| c.layers[0].inner.weight = p, r1, "R1, packed mlp");
    // Its value: ‖∇D‖² summed over a sample's inputs, averaged over samples.
    let g = CriticNet::input_gradient(&mlp, points.clone(), None).unwrap();
    let want = g.powi_scalar(2).sum().into_scalar::<f32>() / 6.0;
    let got = zero_centered_penalty(&mlp, points, None).unwrap().into_scalar::<f32>();
    assert!((got - want).abs() <= 1e-5 * want.max(1.0), "{got} vs {want}");
}

#[test]
fn packing_puts_consecutive_samples_side_by_side() {
    let device = Device::flex();
    let x = Tensor::<2>::from_data(TensorData::new((0..12).map(|v| v as f32).collect::<Vec<_>>(), [6, 2]), &device);
    let packed = pack(x, 2);
    assert_eq!(packed.dims(), [3, 4]);
    assert_eq!(packed.into_data().try_to_vec::<f32>().unwrap()[4..8], [4.0, 5.0, 6.0, 7.0]);
    let images = Tensor::<4>::random([4, 3, 8, 8], Distribution::Default, &device);
    let packed = pack(images.clone(), 4);
    assert_eq!(packed.dims(), [1, 12, 8, 8]);
    // Channels 3..6 of the packed image are the second image.
    let second = packed.slice([0..1, 3..6, 0..8, 0..8]);
    assert_eq!(second.into_data(), images.slice([1..2, 0..3, 0..8, 0..8]).into_data());

    // Both critics take packed batches, with a minibatch-std feature too.
    let critic = DiscriminatorConfig::new().with_height(16).with_width(16).with_base_channels(4).with_batch_norm(false)
        .with_pack(2).with_minibatch_std(true).init(&device).unwrap();
    let logits = critic.forward(pack(Tensor::<4>::zeros([8, 1, 16, 16], &device), 2), None);
    assert_eq!(logits.dims(), [4, 1]);
    let mlp: MlpCritic = MlpConfig::new().with_pack(3).with_minibatch_std(true).init_critic(&device);
    assert_eq!(mlp.forward(Tensor::<2>::zeros([5, 6], &device)).dims(), [5, 1]);
}

/// A critic that notes, for every batch it judges, the share of pixels that
/// are exactly zero, before judging it as its inner critic would.
#[derive(Module, Debug)]
struct Probe {
    inner: Discriminator,
    #[module(skip)]
    seen: Arc<Mutex<Vec<f32>>>,
}

impl CriticNet<4> for Probe {
    fn logits(&self, x: Tensor<4>, classes: Option<Tensor<2>>) -> Tensor<2> {
        let zeros = x.clone().equal_elem(0.0).float().mean().into_scalar::<f32>();
        self.seen.lock().unwrap().push(zeros);
        self.inner.forward(x, classes)
    }
    fn input_gradient(&self, x: Tensor<4>, classes: Option<Tensor<2>>) -> Option<Tensor<4>> {
        self.inner.input_gradient(x, classes)
    }
    fn power_iteration(&mut self) {
        self.inner.power_iteration()
    }
}

#[test]
fn augmentation_reaches_real_and_generated_images_in_both_updates() {
    let (_seeded, device) = device();
    let generator = GeneratorConfig::new().with_latent_dim(8).with_height(16).with_width(16).with_base_channels(8).init(&device).unwrap();
    let inner = DiscriminatorConfig::new().with_height(16).with_width(16).with_base_channels(4).with_batch_norm(false).init(&device).unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let critic = Probe { inner, seen: seen.clone() };
    let techniques = Techniques { augment: vec![Augmentation::Cutout], ..Techniques::default() };
    let mut gan = GanStep::new(generator, critic, StepSettings::paper(Objective::NonSaturating)).with_techniques(techniques);
    // Real images of ones and tanh outputs are never exactly zero: only
    // cutout's squares are (a quarter of each image, less at a border).
    let real = Tensor::<4>::ones([8, 1, 16, 16], &device);
    gan.step(2e-4, || (real.clone(), None)).unwrap();
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 3, "critic update: real and fake; generator update: fake");
    for (i, zeros) in seen.iter().enumerate() {
        assert!((0.05..=0.26).contains(zeros), "batch {i} the critic saw was not cut out: {zeros} of its pixels are zero");
    }
}

#[test]
fn the_average_is_what_a_toy_run_evaluates_and_it_trains_the_same() {
    let _seeded = device();
    let config = ToyConfig { steps: 40, eval_every: 0, techniques: Techniques::default(), ..ToyConfig::default() };
    let plain = train_toy(&config, &Device::flex(), |_, _| Ok(())).unwrap();
    let averaged = ToyConfig { techniques: Techniques { ema: Some(0.9), ..Techniques::default() }, ..config };
    let run = train_toy(&averaged, &Device::flex(), |_, _| Ok(())).unwrap();
    // The average changes nothing of training: the same losses, step by step.
    let losses = |r: &pocketgan_host_trainer::training::toy::ToyRun| r.history.iter().skip(1).map(|s| (s.d_loss, s.g_loss)).collect::<Vec<_>>();
    assert_eq!(losses(&plain), losses(&run));
    // But what is evaluated is the average, which lags the generator.
    let (p, a) = (plain.history.last().unwrap().modes, run.history.last().unwrap().modes);
    assert_ne!(p.mean_distance, a.mean_distance, "the evaluation ignored the average");
    let first = run.history[0].modes.mean_distance;
    assert!(a.mean_distance < first, "the average did not move from the untrained generator ({first} → {})", a.mean_distance);
}

#[test]
fn the_recommended_recipe_covers_every_ring_mode_on_two_seeds() {
    let _seeded = device();
    // The defaults are the recommended recipe (pack 2, EMA 0.999, data
    // standardized); 8 000 steps is 40 % of the budget the tables use.
    assert_eq!(ToyConfig::default().techniques, Techniques::recommended());
    for seed in [1, 2] {
        let config = ToyConfig { steps: 8000, eval_every: 0, seed, ..ToyConfig::default() };
        let run = train_toy(&config, &Device::flex(), |_, _| Ok(())).unwrap();
        let last = run.history.last().unwrap().modes;
        eprintln!("seed {seed}: {last:?}");
        assert_eq!(last.modes_covered, 8, "seed {seed}: {last:?}");
        assert!(last.high_quality > 0.5, "seed {seed}: {last:?}");
    }
}

#[test]
fn the_average_gets_its_own_batch_norm_statistics() {
    use pocketgan_host_trainer::nets::GeneratorNet;
    use pocketgan_host_trainer::nets::dcgan::{RECALIBRATION_SAMPLES, RECALIBRATION_SEED};
    use pocketgan_host_trainer::nets::seeded::seed_inputs;
    use pocketgan_host_trainer::training::ema::start_average;
    let (_seeded, device) = device();
    let g = GeneratorConfig::new().with_latent_dim(8).with_height(16).with_width(16).with_base_channels(8).init(&device).unwrap();
    let _ = g.forward(seed_inputs(0, 4, 8, 0, &device));
    let trained_stats = g.project_norm.running_mean.value_sync().into_data();
    let average = start_average(&g).recalibrate();
    // The generator's own statistics are untouched by the average's.
    assert_eq!(g.project_norm.running_mean.value_sync().into_data(), trained_stats);
    // The average's are the per-channel mean of its first layer's output on
    // the recalibration seeds.
    let z = seed_inputs(RECALIBRATION_SEED, RECALIBRATION_SAMPLES, 8, 0, &device);
    let (c, h, w) = (g.start_channels, g.start_height, g.start_width);
    let pre = average.project.forward(z).reshape([RECALIBRATION_SAMPLES, c, h, w]);
    let want = pre.mean_dim(0).mean_dim(2).mean_dim(3).reshape([c]).into_data().try_to_vec::<f32>().unwrap();
    let got = average.project_norm.running_mean.value_sync().into_data().try_to_vec::<f32>().unwrap();
    for (i, (a, b)) in got.iter().zip(&want).enumerate() {
        assert!((a - b).abs() < 1e-4 * b.abs().max(1.0), "channel {i}: running mean {a}, batch mean {b}");
    }
}
