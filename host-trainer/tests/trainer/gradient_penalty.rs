//! The WGAN-GP penalty is built from the critic's explicit input gradient
//! (burn 0.22 has no double backward). Two checks: that explicit gradient
//! equals burn's own first-order gradient of the logits, and the penalty's
//! parameter gradient (through `backward()`) equals central finite
//! differences of the penalty.

use burn::module::Param;
use burn::tensor::{Device, Distribution, Tensor, TensorData};
use pocketgan_host_trainer::training::step::random_classes;
use pocketgan_host_trainer::nets::{CriticNet, Discriminator, DiscriminatorConfig, MlpConfig, MlpCritic};
use pocketgan_host_trainer::training::objectives::gradient_penalty::penalty_at;


pub(crate) fn device() -> (std::sync::MutexGuard<'static, ()>, Device) {
    // The lock also keeps a finite difference from landing on a LeakyReLU
    // kink now and then, which other draws would make happen.
    let guard = crate::common::burn_rng();
    let device = Device::flex().autodiff();
    device.seed(11);
    (guard, device)
}

fn values<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().try_to_vec::<f32>().unwrap()
}

fn assert_close(a: &[f32], b: &[f32], tol: f32, what: &str) {
    assert_eq!(a.len(), b.len());
    let scale = b.iter().fold(0f32, |m, x| m.max(x.abs())).max(1e-6);
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        assert!((x - y).abs() <= tol * scale, "{what}[{i}]: {x} vs {y} (scale {scale})");
    }
}

pub(crate) fn image_critic(spectral: bool, classes: usize, device: &Device) -> Discriminator {
    let mut critic = DiscriminatorConfig::new()
        .with_height(16)
        .with_width(16)
        .with_base_channels(4)
        .with_batch_norm(false)
        .with_spectral_norm(spectral)
        .with_classes(classes)
        .init(device)
        .unwrap();
    // DCGAN's N(0, 0.02) makes the gradient tiny; scale the weights up (×8:
    // ‖∇D‖ of order 1, a penalty far from zero yet small enough for f32
    // differences) so the test is sensitive.
    critic.convs.iter_mut().for_each(|c| c.inner.weight = scaled(&c.inner.weight, 8.0));
    critic.head.inner.weight = scaled(&critic.head.inner.weight, 8.0);
    if let Some(e) = &mut critic.embed {
        e.inner.weight = scaled(&e.inner.weight, 8.0);
    }
    critic.power_iteration();
    critic
}

fn scaled<const D: usize>(p: &Param<Tensor<D>>, k: f32) -> Param<Tensor<D>> {
    Param::initialized(p.id, p.val().mul_scalar(k).detach().require_grad())
}

fn with_entry<const D: usize>(p: &Param<Tensor<D>>, i: usize, delta: f32) -> Param<Tensor<D>> {
    let t = p.val().detach();
    let shape = t.shape();
    let mut v = values(t.clone());
    v[i] += delta;
    Param::initialized(p.id, Tensor::from_data(TensorData::new(v, shape), &t.device()).require_grad())
}

#[test]
fn explicit_input_gradient_equals_autodiff() {
    let (_seeded, device) = device();
    let mlp: MlpCritic = MlpConfig::new().with_layers(3).with_neurons(16).init_critic(&device);
    let x = Tensor::<2>::random([5, 2], Distribution::Normal(0.0, 1.0), &device).require_grad();
    let grads = mlp.forward(x.clone()).sum().backward();
    let auto = values(x.grad(&grads).unwrap());
    let explicit = values(CriticNet::input_gradient(&mlp, x.detach(), None).unwrap());
    assert_close(&explicit, &auto, 1e-4, "mlp ∂D/∂x");

    for (spectral, classes) in [(false, 0), (true, 3)] {
        let critic = image_critic(spectral, classes, &device);
        let y = (classes > 0).then(|| random_classes(3, classes, &device));
        let x = Tensor::<4>::random([3, 1, 16, 16], Distribution::Uniform(-1.0, 1.0), &device).require_grad();
        let grads = critic.forward(x.clone(), y.clone()).sum().backward();
        let auto = values(x.grad(&grads).unwrap());
        let explicit = values(critic.input_gradient(x.detach(), y).unwrap());
        assert_close(&explicit, &auto, 1e-4, &format!("conv critic (sn {spectral}, classes {classes}) ∂D/∂x"));
    }
}

#[test]
fn batch_norm_critic_is_refused() {
    let (_seeded, device) = device();
    let critic = DiscriminatorConfig::new().with_height(16).with_width(16).with_base_channels(4).init(&device).unwrap();
    assert!(!critic.norms.is_empty());
    let x = Tensor::<4>::zeros([2, 1, 16, 16], &device);
    let err = penalty_at(&critic, x, None).unwrap_err().to_string();
    assert!(err.contains("batch norm"), "{err}");
}

/// Central differences of `penalty(param ± ε e_i)` against the backward
/// gradient, for several entries of one parameter.
pub(crate) fn check_parameter<C: Clone, const D: usize>(
    critic: &C,
    param: impl Fn(&C) -> &Param<Tensor<D>>,
    set: impl Fn(&mut C, Param<Tensor<D>>),
    penalty: impl Fn(&C) -> Tensor<1>,
    what: &str,
) {
    let p0 = penalty(critic);
    let magnitude = p0.clone().into_scalar::<f32>().abs();
    let grads = p0.backward();
    let analytic = values(param(critic).val().grad(&grads).expect("the penalty reaches the weight"));
    let n = analytic.len();
    // The penalty jumps where a perturbation flips a LeakyReLU (the input
    // gradient's mask changes), and a difference across a jump grows as 1/ε.
    // Small steps and few samples make that rare; the entries where it
    // happens are recognised by two step sizes disagreeing, and skipped.
    let fd = |i: usize, eps: f32| {
        let mut plus = critic.clone();
        set(&mut plus, with_entry(param(critic), i, eps));
        let mut minus = critic.clone();
        set(&mut minus, with_entry(param(critic), i, -eps));
        (penalty(&plus).into_scalar::<f32>() - penalty(&minus).into_scalar::<f32>()) / (2.0 * eps)
    };
    // f32 round-off in each penalty value, divided by the step, bounds how
    // well a difference can agree at all.
    let roundoff = 4.0 * magnitude * f32::EPSILON / 1e-4;
    let close = |a: f32, b: f32| (a - b).abs() <= 2e-3 + roundoff + 0.02 * a.abs().max(b.abs());
    let (mut checked, mut skipped) = (0, 0);
    for i in (0..n).step_by((n / 16).max(1)) {
        let (coarse, fine) = (fd(i, 2e-4), fd(i, 1e-4));
        if !close(coarse, fine) {
            skipped += 1;
            continue;
        }
        let g = analytic[i];
        assert!(close(coarse, g), "{what}: entry {i}: finite difference {coarse} vs backward {g}");
        checked += 1;
    }
    let norm: f32 = analytic.iter().map(|g| g * g).sum::<f32>().sqrt();
    assert!(norm > 1e-3, "{what}: the penalty gradient is ~0 ({norm}), the test would prove nothing");
    assert!(checked >= 10 && skipped * 3 <= checked, "{what}: {checked} entries checked, {skipped} at a kink");
}

#[test]
fn penalty_parameter_gradient_matches_finite_differences() {
    let (_seeded, device) = device();
    let critic = image_critic(false, 0, &device);
    let x = Tensor::<4>::random([2, 1, 16, 16], Distribution::Uniform(-1.0, 1.0), &device);
    let penalty = |c: &Discriminator| penalty_at(c, x.clone(), None).unwrap();
    check_parameter(&critic, |c| &c.convs[0].inner.weight, |c, p| c.convs[0].inner.weight = p, penalty, "first conv");
    check_parameter(&critic, |c| &c.convs[1].inner.weight, |c, p| c.convs[1].inner.weight = p, penalty, "last conv");

    // Spectral norm and a projection term on top.
    let critic = image_critic(true, 3, &device);
    let y = random_classes(2, 3, &device);
    let penalty = |c: &Discriminator| penalty_at(c, x.clone(), Some(y.clone())).unwrap();
    check_parameter(&critic, |c| &c.convs[0].inner.weight, |c, p| c.convs[0].inner.weight = p, penalty, "sn conv");
}

#[test]
fn mlp_penalty_gradient_matches_finite_differences() {
    let (_seeded, device) = device();
    let critic: MlpCritic = MlpConfig::new().with_layers(2).with_neurons(8).init_critic(&device);
    let x = Tensor::<2>::random([6, 2], Distribution::Normal(0.0, 1.0), &device);
    let penalty = |c: &MlpCritic| penalty_at(c, x.clone(), None).unwrap();
    check_parameter(&critic, |c| &c.layers[0].inner.weight, |c, p| c.layers[0].inner.weight = p, penalty, "mlp first layer");
    check_parameter(&critic, |c| &c.layers[1].inner.weight, |c, p| c.layers[1].inner.weight = p, penalty, "mlp hidden layer");
}
