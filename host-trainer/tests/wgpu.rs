//! burn-wgpu computes what burn-flex computes: the same generator and
//! discriminator weights give the same outputs on both (within float
//! tolerance), and training steps (DCGAN, WGAN-GP) run on wgpu. Built only with
//! `--features wgpu`; without a GPU, Mesa's llvmpipe Vulkan driver serves.
#![cfg(feature = "wgpu")]

use burn::module::Module;
use burn::tensor::{Device, Distribution, Tensor};
use pocketgan_host_trainer::device::{DeviceChoice, resolve};
use pocketgan_host_trainer::nets::{DiscriminatorConfig, GeneratorConfig};
use pocketgan_host_trainer::gan_step::{GanStep, StepSettings};
use pocketgan_host_trainer::objectives::Objective;

fn max_abs_diff<const D: usize>(a: Tensor<D>, b: Tensor<D>) -> f32 {
    let a = a.into_data().try_to_vec::<f32>().unwrap();
    let b = b.into_data().try_to_vec::<f32>().unwrap();
    assert_eq!(a.len(), b.len());
    a.iter().zip(&b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
}

#[test]
fn wgpu_forward_matches_flex_and_trains() {
    let (gpu, name) = resolve(DeviceChoice::Wgpu).expect("a wgpu adapter (apt-get install mesa-vulkan-drivers)");
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
        let losses = gan.step(|| (real.clone(), None)).unwrap();
        assert!(losses.d_loss.is_finite() && losses.g_loss.is_finite(), "{objective}: {losses:?}");
    }
}
