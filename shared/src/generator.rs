//! Runs a whole model: latent (and class) in, image codes out.
//!
//! All memory comes from the caller's scratch buffer of
//! [`Model::scratch_len`] bytes, so a board can use a static buffer and the
//! host can refuse a model that will not fit before flashing it.

use crate::format::{Model, ModelError};
use crate::kernels::optimized::{run_layer, staging_region};
use crate::latent::LATENT_ONE;

/// Generates one image.
///
/// `latent` holds `latent_dim` codes from [`crate::LatentSampler`]; `class`
/// selects the class of a conditional model (it becomes a one-hot vector
/// after the latent) and must be `None` for an unconditional one. Returns
/// the image as `height × width × channels` codes in HWC order, code `c`
/// standing for `c / 128` (see [`crate::pixels`]), borrowed from `scratch`.
pub fn generate<'s>(
    model: &Model<'_>,
    latent: &[i8],
    class: Option<u16>,
    scratch: &'s mut [i8],
) -> Result<&'s [i8], ModelError> {
    let header = model.header();
    let plan = model.scratch_plan();
    if scratch.len() < plan.total() {
        return Err(ModelError::ScratchTooSmall { needed: plan.total(), available: scratch.len() });
    }
    if latent.len() != header.latent_dim as usize {
        return Err(ModelError::LatentLength { found: latent.len(), expected: header.latent_dim });
    }
    let one_hot = match (class, header.classes) {
        (None, 0) => None,
        (Some(c), n) if c < n => Some(c as usize),
        (requested, classes) => return Err(ModelError::Class { requested, classes }),
    };

    let (even, rest) = scratch.split_at_mut(plan.even);
    let (odd, rest) = rest.split_at_mut(plan.odd);
    let staging = staging_region(rest);
    let input_len = model.input_len();
    even[..latent.len()].copy_from_slice(latent);
    even[latent.len()..input_len].fill(0);
    if let Some(c) = one_hot {
        even[latent.len() + c] = LATENT_ONE;
    }

    let mut len = input_len;
    let mut in_even = true;
    for layer in model.layers() {
        let layer = layer?;
        let out_len = layer.output.elements().unwrap_or(0) as usize;
        let (src, dst) = if in_even { (&*even, &mut *odd) } else { (&*odd, &mut *even) };
        run_layer(&layer, layer.input_zero_point, &src[..len], &mut dst[..out_len], staging);
        len = out_len;
        in_even = !in_even;
    }
    let last = if in_even { even } else { odd };
    Ok(&last[..len])
}
