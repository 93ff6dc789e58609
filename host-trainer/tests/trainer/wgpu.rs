//! burn-wgpu computes what burn-flex computes: the same generator and
//! discriminator weights give the same outputs on both (within float
//! tolerance), and training steps (DCGAN, WGAN-GP) run on wgpu. Built only with
//! `--features wgpu`; without a GPU, Mesa's llvmpipe Vulkan driver serves.
#![cfg(feature = "wgpu")]

use burn::module::Module;
use burn::tensor::{Device, Distribution, Tensor};
use pocketgan_host_trainer::training::device::{DeviceChoice, resolve};
use pocketgan_host_trainer::nets::{DiscriminatorConfig, GeneratorConfig};
use pocketgan_host_trainer::training::objectives::settings::StepSettings;
use pocketgan_host_trainer::training::step::GanStep;
use pocketgan_host_trainer::training::objectives::Objective;

fn max_abs_diff<const D: usize>(a: Tensor<D>, b: Tensor<D>) -> f32 {
    let a = a.into_data().try_to_vec::<f32>().unwrap();
    let b = b.into_data().try_to_vec::<f32>().unwrap();
    assert_eq!(a.len(), b.len());
    a.iter().zip(&b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
}

#[test]
fn wgpu_forward_matches_flex_and_trains() {
    let (gpu, name) = resolve(&DeviceChoice::Wgpu).expect("a wgpu adapter (apt-get install mesa-vulkan-drivers)");
    assert_eq!(name, "wgpu");
    let cpu = Device::flex();
    cpu.seed(3);
    let generator = GeneratorConfig::new().with_base_channels(16).init(&cpu).unwrap().valid();
    let discriminator = DiscriminatorConfig::new().with_base_channels(8).init(&cpu).unwrap().valid();
    let z = Tensor::<2>::random([8, 32], Distribution::Normal(0.0, 1.0), &cpu);

    let images_cpu = generator.forward(z.clone());
    let images_gpu = generator.clone().to_device(&gpu).forward(z.to_device(&gpu));
    let diff = max_abs_diff(images_cpu.clone(), images_gpu.to_device(&cpu));
    assert!(diff < 1e-4, "generator outputs differ by {diff}");

    let logits_cpu = discriminator.forward(images_cpu.clone(), None);
    let logits_gpu = discriminator.clone().to_device(&gpu).forward(images_cpu.to_device(&gpu), None);
    let diff = max_abs_diff(logits_cpu, logits_gpu.to_device(&cpu));
    assert!(diff < 1e-4, "discriminator logits differ by {diff}");

    // Training steps on the GPU device give finite losses: the DCGAN one,
    // and WGAN-GP's, whose penalty runs the critic's explicit input
    // gradient (transposed convolutions, masks) through backward on wgpu.
    let gpu = gpu.autodiff();
    let gen_config = GeneratorConfig::new().with_base_channels(16);
    let real = Tensor::<4>::random([8, 1, 28, 28], Distribution::Uniform(-1.0, 1.0), &gpu);
    for objective in [Objective::NonSaturating, Objective::WganGp] {
        let paper = objective.paper_defaults();
        let disc_config = DiscriminatorConfig::new().with_base_channels(8).with_batch_norm(paper.batch_norm);
        let settings = StepSettings { d_steps: 1, ..paper.step };
        let mut gan = GanStep::new(gen_config.init(&gpu).unwrap(), disc_config.init(&gpu).unwrap(), settings);
        let losses = gan.step(gan.settings.learning_rate, || (real.clone(), None)).unwrap();
        assert!(losses.d_loss.is_finite() && losses.g_loss.is_finite(), "{objective}: {losses:?}");
    }
}

/// Losses per step from a run's losses.csv.
fn losses(run: &std::path::Path) -> Vec<(f32, f32)> {
    let text = std::fs::read_to_string(run.join("losses.csv")).unwrap();
    text.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<f32> = l.split(',').skip(1).map(|v| v.parse().unwrap()).collect();
            (f[0], f[1])
        })
        .collect()
}

#[test]
fn a_wgpu_run_checkpoints_and_resumes() {
    // The user's path: the binary with --device wgpu, stopped and resumed.
    // GPUs may sum in another order, so the resumed losses are compared
    // with a tolerance rather than bit for bit (the CPU test does that).
    let dir = tempfile::tempdir().unwrap();
    let pocketgan = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_pocketgan")).args(args).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    };
    let small = ["--quiet", "--device", "wgpu", "--generator-channels", "8", "--discriminator-channels", "8", "--batch-size", "16"];
    let (whole, split) = (dir.path().join("whole"), dir.path().join("split"));
    let (whole_arg, split_arg) = (whole.to_str().unwrap(), split.to_str().unwrap());
    pocketgan(&[&["train", "--run", whole_arg, "--steps", "5"][..], &small].concat());
    pocketgan(&[&["train", "--run", split_arg, "--steps", "3"][..], &small].concat());
    pocketgan(&["train", "--quiet", "--device", "wgpu", "--resume", split_arg, "--steps", "5"]);
    let (a, b) = (losses(&whole), losses(&split));
    assert_eq!(a.len(), 5);
    assert_eq!(b.len(), 5);
    for ((d1, g1), (d2, g2)) in a.iter().zip(&b) {
        assert!((d1 - d2).abs() < 1e-3 * d1.abs().max(1.0) && (g1 - g2).abs() < 1e-3 * g1.abs().max(1.0), "{a:?} vs {b:?}");
    }
}
