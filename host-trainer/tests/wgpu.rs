//! burn-wgpu computes what burn-flex computes: the same generator and
//! discriminator weights give the same outputs on both (within float
//! tolerance), and one training step runs on wgpu. Built only with
//! `--features wgpu`; without a GPU, Mesa's llvmpipe Vulkan driver serves.
#![cfg(feature = "wgpu")]

use burn::module::Module;
use burn::tensor::{Device, Distribution, Tensor};
use pocketgan_host_trainer::device::{DeviceChoice, resolve};
use pocketgan_host_trainer::nets::{DiscriminatorConfig, GeneratorConfig};
use pocketgan_host_trainer::train::{DcganStep, TrainConfig};

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

    let logits_cpu = discriminator.forward(images_cpu.clone());
    let logits_gpu = discriminator.clone().to_device(&gpu).forward(images_cpu.to_device(&gpu));
    let diff = max_abs_diff(logits_cpu, logits_gpu.to_device(&cpu));
    assert!(diff < 1e-4, "discriminator logits differ by {diff}");

    // A training step on the GPU device gives finite losses.
    let gpu = gpu.autodiff();
    let gen_config = GeneratorConfig::new().with_base_channels(16);
    let disc_config = DiscriminatorConfig::new().with_base_channels(8);
    let mut gan = DcganStep::new(&gen_config, &disc_config, &TrainConfig::default(), &gpu).unwrap();
    let real = Tensor::<4>::random([8, 1, 28, 28], Distribution::Uniform(-1.0, 1.0), &gpu);
    let (d, g) = gan.step(real);
    assert!(d.is_finite() && g.is_finite(), "losses {d} {g}");
}
