//! WGAN's weight clipping: after every critic update, every critic
//! parameter is clamped to `[-c, c]` (Arjovsky et al. use c = 0.01), a
//! crude way to keep the critic Lipschitz.

use burn::module::{Module, ModuleMapper, Param};
use burn::tensor::Tensor;

struct Clamp(f32);

impl ModuleMapper for Clamp {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let c = self.0;
        // A clamped parameter is a new leaf: detach it from the clamp op.
        param.map(|t| {
            let tracked = t.is_require_grad();
            t.clamp(-c, c).detach().set_require_grad(tracked)
        })
    }
}

/// `module` with every float parameter clamped to `[-c, c]`.
pub fn clip_weights<M: Module>(module: M, c: f32) -> M {
    module.map(&mut Clamp(c))
}
