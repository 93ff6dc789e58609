//! Generator weight averaging: an exponential moving average of the
//! generator's parameters, `avg ← β·avg + (1 − β)·θ` after every generator
//! update (Yazıcı et al. 2019; ProGAN's β = 0.999). The average, not the
//! last iterate, is what sampling and export use: it smooths out the
//! oscillation around the equilibrium that GAN training leaves in θ.
//!
//! Early in training the weights move far from where they started, so
//! the decay warms up as TensorFlow's `ExponentialMovingAverage` does
//! with its update count: update `t` (from 0) uses
//! `min(β, (1 + t) / (10 + t))`, and a short run's average is not
//! dominated by its first, untrained steps ([`warmed_up_decay`]).
//!
//! Only trained parameters are averaged. Batch-norm running statistics
//! describe the weights they were measured with, not an average of them:
//! [`GeneratorNet::recalibrate`](crate::nets::GeneratorNet::recalibrate)
//! measures them again for the averaged weights before the average is
//! drawn or saved.

use burn::module::{Module, ModuleMapper, ModuleVisitor, Param, ParamId};
use burn::tensor::Tensor;
use std::collections::HashMap;

/// Every trained float parameter of a module, flattened, by id (running
/// statistics are not trained: they carry no gradient).
struct Collect(HashMap<ParamId, Tensor<1>>);

impl ModuleVisitor for Collect {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let value = param.val();
        if value.is_require_grad() {
            self.0.insert(param.id, value.detach().reshape([-1]));
        }
    }
}

/// Moves each parameter a step `1 − decay` towards its value in the current module.
struct Blend {
    current: HashMap<ParamId, Tensor<1>>,
    decay: f32,
}

impl ModuleMapper for Blend {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let Some(now) = self.current.remove(&param.id) else { return param };
        let decay = self.decay as f64;
        param.map(|avg| {
            let shape = avg.dims();
            // The average is never trained: a plain leaf, outside any graph.
            (avg.detach().mul_scalar(decay) + now.reshape(shape).mul_scalar(1.0 - decay)).detach().set_require_grad(false)
        })
    }
}

/// `average` moved towards `current`: `β·average + (1 − β)·current` for
/// every float parameter the two share (by id: the average starts as a
/// clone of the generator, and optimizer steps keep the ids).
pub fn update_average<M: Module>(average: M, current: &M, decay: f32) -> M {
    let mut collect = Collect(HashMap::new());
    current.visit(&mut collect);
    average.map(&mut Blend { current: collect.0, decay })
}

/// The decay of the `updates`-th update (from 0): `min(β, (1 + t) / (10 + t))`.
pub fn warmed_up_decay(decay: f32, updates: u64) -> f32 {
    let t = updates as f64;
    decay.min(((1.0 + t) / (10.0 + t)) as f32)
}

/// A fresh average: a copy of `current` that no gradient reaches and that
/// shares no state with it (a plain clone would share batch norm's running
/// statistics, which burn keeps behind a shared lock).
pub fn start_average<M: Module>(current: &M) -> M {
    update_average(current.valid().train(), current, 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::nn::{Linear, LinearConfig};
    use burn::tensor::{Device, TensorData};

    fn values(l: &Linear) -> Vec<f32> {
        l.weight.val().into_data().try_to_vec::<f32>().unwrap()
    }

    #[test]
    fn the_decay_warms_up() {
        assert_eq!(warmed_up_decay(0.999, 0), 0.1);
        assert!((warmed_up_decay(0.999, 90) - 0.91).abs() < 1e-6);
        assert_eq!(warmed_up_decay(0.999, 1_000_000), 0.999);
        // β = 0.999 is reached after about 9 000 updates.
        assert!(warmed_up_decay(0.999, 8_000) < 0.999 && warmed_up_decay(0.999, 10_000) == 0.999);
    }

    #[test]
    fn the_average_moves_by_one_minus_decay() {
        let device = Device::flex().autodiff();
        let a = LinearConfig::new(2, 2).init(&device);
        let avg = start_average(&a);
        assert_eq!(values(&avg), values(&a));
        assert!(!avg.weight.val().is_require_grad());
        // The trained copy moves; the average follows by 1 − β.
        let mut moved = a.clone();
        moved.weight = moved.weight.map(|w| {
            Tensor::<2>::from_data(TensorData::new(vec![1.0f32; 4], [2, 2]), &w.device()).require_grad()
        });
        let avg = update_average(avg, &moved, 0.9);
        for (got, start) in values(&avg).into_iter().zip(values(&a)) {
            let want = 0.9 * start + 0.1;
            assert!((got - want).abs() < 1e-6, "{got} vs {want}");
        }
        // Parameters the trained copy does not have stay as they are.
        let bias_before = a.bias.as_ref().unwrap().val().into_data();
        let other = LinearConfig::new(2, 2).init(&device);
        let untouched = update_average(start_average(&a), &other, 0.5);
        assert_eq!(untouched.bias.unwrap().val().into_data(), bias_before);
    }
}
