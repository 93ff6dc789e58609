//! Differentiable augmentation (Zhao et al. 2020, DiffAugment): the same
//! random transformations applied to every image the critic sees, real
//! and generated, in both networks' updates, so the critic cannot memorize
//! a small data set and the generator still gets a gradient through them.
//!
//! The paper's three, with its settings, on images in `[−1, 1]`:
//! - translation: shift by up to ⅛ of each side (integer pixels), zero padding;
//! - cutout: zero a square of half the side, centred at a random pixel
//!   (clipped at the border);
//! - brightness: add one offset in `[−0.5, 0.5)` per image.
//!
//! The random draws come from burn's generator, so a step's augmentations
//! are a function of the step seed (exact `--resume` holds). Shifts and
//! squares are applied as matrix products and masks, which carry the
//! gradient back to the generator.

use crate::training::techniques::Augmentation;
use burn::tensor::{Distribution, Tensor, TensorData};

/// `x` (`[n, ...]` of rank `D`) with `policy` applied in order; anything
/// but images (`D = 4`) is returned unchanged (configs refuse that case).
pub fn augment<const D: usize>(x: Tensor<D>, policy: &[Augmentation]) -> Tensor<D> {
    if D != 4 || policy.is_empty() {
        return x;
    }
    let dims = x.dims();
    let mut images: Tensor<4> = x.reshape([dims[0], dims[1], dims[2], dims[3]]);
    for step in policy {
        images = match step {
            Augmentation::Translation => translate(images),
            Augmentation::Cutout => cutout(images),
            Augmentation::Brightness => brightness(images),
        };
    }
    images.reshape(dims)
}

/// Integers uniform in `lo..=hi`, `n` of them, from burn's generator.
fn draw(n: usize, lo: i64, hi: i64, device: &burn::tensor::Device) -> Vec<i64> {
    let u = Tensor::<1>::random([n], Distribution::Uniform(0.0, 1.0), device);
    let span = (hi - lo + 1) as f32;
    u.into_data().try_to_vec::<f32>().unwrap_or_default().into_iter().map(|v| lo + ((v * span) as i64).min(hi - lo)).collect()
}

/// One offset in `[−0.5, 0.5)` added to each image.
pub fn brightness(x: Tensor<4>) -> Tensor<4> {
    let n = x.dims()[0];
    let offset = Tensor::<4>::random([n, 1, 1, 1], Distribution::Uniform(-0.5, 0.5), &x.device());
    x + offset
}

/// `[n, c, side, side]` matrices that move row (or column) `k` to `k + shift[i]`, zero filling.
fn shift_matrices(shifts: &[i64], channels: usize, side: usize, transpose: bool, device: &burn::tensor::Device) -> Tensor<4> {
    let mut m = vec![0f32; shifts.len() * side * side];
    for (i, &s) in shifts.iter().enumerate() {
        for out in 0..side {
            let from = out as i64 - s;
            if (0..side as i64).contains(&from) {
                let (r, c) = if transpose { (from as usize, out) } else { (out, from as usize) };
                m[(i * side + r) * side + c] = 1.0;
            }
        }
    }
    let one = Tensor::<4>::from_data(TensorData::new(m, [shifts.len(), 1, side, side]), device);
    one.repeat_dim(1, channels)
}

/// Shifts each image by up to ⅛ of each side, in whole pixels.
pub fn translate(x: Tensor<4>) -> Tensor<4> {
    let [n, c, h, w] = x.dims();
    let device = x.device();
    let (sy, sx) = (((h as f32) / 8.0).round() as i64, ((w as f32) / 8.0).round() as i64);
    let dy = draw(n, -sy, sy, &device);
    let dx = draw(n, -sx, sx, &device);
    let rows = shift_matrices(&dy, c, h, false, &device);
    let cols = shift_matrices(&dx, c, w, true, &device);
    rows.matmul(x).matmul(cols)
}

/// Zeroes a square of half the side in each image.
pub fn cutout(x: Tensor<4>) -> Tensor<4> {
    let [n, _, h, w] = x.dims();
    let device = x.device();
    let (ch, cw) = ((h as f32 / 2.0).round() as i64, (w as f32 / 2.0).round() as i64);
    // Centres as in the paper: 0 ..= side − (size mod 2).
    let cy = draw(n, 0, h as i64 - (ch % 2), &device);
    let cx = draw(n, 0, w as i64 - (cw % 2), &device);
    let mut mask = vec![1f32; n * h * w];
    for i in 0..n {
        let (top, left) = (cy[i] - ch / 2, cx[i] - cw / 2);
        for y in top.max(0)..(top + ch).min(h as i64) {
            for x_ in left.max(0)..(left + cw).min(w as i64) {
                mask[(i * h + y as usize) * w + x_ as usize] = 0.0;
            }
        }
    }
    x * Tensor::<4>::from_data(TensorData::new(mask, [n, 1, h, w]), &device)
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::Device;

    fn ramp(n: usize, side: usize, device: &Device) -> Tensor<4> {
        let v: Vec<f32> = (0..n * side * side).map(|i| (i % (side * side)) as f32 + 1.0).collect();
        Tensor::from_data(TensorData::new(v, [n, 1, side, side]), device)
    }

    #[test]
    fn translation_moves_whole_pixels_with_zero_fill() {
        let device = Device::flex();
        let x = ramp(1, 8, &device);
        let rows = shift_matrices(&[1], 1, 8, false, &device);
        let cols = shift_matrices(&[-1], 1, 8, true, &device);
        let out = rows.matmul(x.clone()).matmul(cols).into_data().try_to_vec::<f32>().unwrap();
        let inp = x.into_data().try_to_vec::<f32>().unwrap();
        for y in 0..8 {
            for c in 0..8 {
                // Down by one, left by one.
                let want = if y >= 1 && c + 1 < 8 { inp[(y - 1) * 8 + c + 1] } else { 0.0 };
                assert_eq!(out[y * 8 + c], want, "pixel ({y}, {c})");
            }
        }
    }

    #[test]
    fn each_augmentation_changes_images_and_keeps_shapes() {
        let device = Device::flex();
        device.seed(7);
        let x = ramp(16, 8, &device);
        for policy in [[Augmentation::Translation], [Augmentation::Cutout], [Augmentation::Brightness]] {
            let out = augment(x.clone(), &policy);
            assert_eq!(out.dims(), x.dims());
            let moved = (out.clone() - x.clone()).abs().sum().into_scalar::<f32>();
            assert!(moved > 0.0, "{policy:?} changed nothing");
            if policy[0] == Augmentation::Cutout {
                // 4×4 of 64 pixels zeroed when the square lies inside; fewer at a border.
                let zeros = out.equal_elem(0.0).float().sum().into_scalar::<f32>() / 16.0;
                assert!((4.0..=16.0).contains(&zeros), "{zeros} zeros per image");
            }
        }
        // Points are not images: untouched.
        let p = Tensor::<2>::ones([4, 2], &device);
        assert_eq!(augment(p.clone(), &[Augmentation::Brightness]).into_data(), p.into_data());
    }

    #[test]
    fn the_gradient_reaches_the_input() {
        let device = Device::flex().autodiff();
        device.seed(3);
        let x = ramp(4, 8, &device).require_grad();
        let out = augment(x.clone(), &[Augmentation::Translation, Augmentation::Cutout, Augmentation::Brightness]);
        let grads = out.sum().backward();
        let g = x.grad(&grads).expect("a gradient").into_data().try_to_vec::<f32>().unwrap();
        assert!(g.iter().any(|&v| v == 1.0) && g.iter().all(|&v| v == 0.0 || v == 1.0));
    }
}
