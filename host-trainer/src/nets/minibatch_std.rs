//! The minibatch standard-deviation feature (Karras et al. 2018, ProGAN):
//! the critic's last layer also sees how much the samples of a small group
//! differ from each other, averaged into one number per group. A collapsed
//! generator's group has almost none, which the critic can then punish.
//!
//! Groups are as in ProGAN: sample `i` of a batch of `n` belongs to group
//! `i mod (n / g)`, with `g` the largest of 4, 3, 2, 1 that divides `n`.
//! The penalties' input gradients treat the feature as a constant
//! (it mixes samples, so it has no per-sample gradient).

use burn::tensor::Tensor;

/// Samples per group, as in ProGAN.
pub const GROUP_SIZE: usize = 4;

/// The group size for a batch of `n`: the largest of 4, 3, 2, 1 dividing it.
pub fn group_size(n: usize) -> usize {
    (1..=GROUP_SIZE.min(n.max(1))).rev().find(|g| n % g == 0).unwrap_or(1)
}

/// One value per sample `[n]`: the mean over features of the standard
/// deviation within the sample's group. `x` is `[n, ...]` of rank `D`.
pub fn group_std<const D: usize>(x: Tensor<D>) -> Tensor<1> {
    let n = x.dims()[0];
    let g = group_size(n);
    let flat: Tensor<3> = x.reshape([g as i32, (n / g) as i32, -1]);
    let centred = flat.clone() - flat.mean_dim(0);
    // The 1e-8 keeps sqrt differentiable where a group is identical.
    let std = centred.powi_scalar(2).mean_dim(0).add_scalar(1e-8).sqrt();
    let per_group: Tensor<1> = std.mean_dim(2).reshape([(n / g) as i32]);
    per_group.unsqueeze_dim::<2>(0).repeat_dim(0, g).reshape([n as i32])
}

/// `[n, f]` features with the group std appended as feature `f`.
pub fn append_to_features(x: Tensor<2>) -> Tensor<2> {
    let n = x.dims()[0];
    let s = group_std(x.clone()).reshape([n as i32, 1]);
    Tensor::cat(vec![x, s], 1)
}

/// `[n, c, h, w]` maps with the group std appended as a constant channel.
pub fn append_to_maps(x: Tensor<4>) -> Tensor<4> {
    let [n, _, h, w] = x.dims();
    let s = group_std(x.clone()).reshape([n as i32, 1, 1, 1]).repeat_dim(2, h).repeat_dim(3, w);
    Tensor::cat(vec![x, s], 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::{Device, TensorData};

    #[test]
    fn groups_are_strided_and_std_is_population_std() {
        assert_eq!([group_size(8), group_size(6), group_size(9), group_size(5), group_size(1)], [4, 3, 3, 1, 1]);
        // n = 8, g = 4: groups {0, 2, 4, 6} and {1, 3, 5, 7}, one feature.
        let v = vec![0.0f32, 5.0, 2.0, 5.0, 4.0, 5.0, 6.0, 5.0];
        let x = Tensor::<2>::from_data(TensorData::new(v, [8, 1]), &Device::flex());
        let s = group_std(x.clone()).into_data().try_to_vec::<f32>().unwrap();
        let want = 5.0f32.sqrt(); // values 0, 2, 4, 6: mean 3, variance 5
        for (i, got) in s.iter().enumerate() {
            let w = if i % 2 == 0 { want } else { 0.0 };
            assert!((got - w).abs() < 1e-3, "sample {i}: {got} vs {w}");
        }
        assert_eq!(append_to_features(x).dims(), [8, 2]);
        let maps = Tensor::<4>::zeros([6, 2, 3, 3], &Device::flex());
        assert_eq!(append_to_maps(maps).dims(), [6, 3, 3, 3]);
    }
}
