//! `bench-layers` (a script's first line): each layer of the built-in model
//! run by the reference kernel and by the optimized one, on the same
//! pseudo-random input, with the instructions each took and whether their
//! outputs are identical — the on-target half of the kernels' exact-equality
//! tests, and the per-layer view of `board-bench`.
//!
//! Log lines, one per layer (parsed by `pocketgan-tests`' board-bench):
//! `layer N: reference R ticks, optimized O ticks, outputs equal|DIFFER`.

use pocketgan_firmware::Clock;
use pocketgan_shared::format::{I8Array, crc32};
use pocketgan_shared::kernels::{optimized, reference};
use pocketgan_shared::{LatentSampler, Model};

/// The model format's CRC-32 of the output codes: the scratch holds one
/// output at a time, so the two kernels' outputs are compared by checksum.
fn checksum(codes: &[i8]) -> u32 {
    crc32(I8Array::new(codes).as_bytes())
}

/// Runs the benchmark in `scratch`; returns false if any layer's outputs differ
/// (or the model does not parse or fit).
pub fn run(model_file: &[u8], scratch: &mut [i8], clock: &mut impl Clock) -> bool {
    let Ok(model) = Model::parse(model_file) else {
        defmt::error!("bench-layers: the built-in model does not parse");
        return false;
    };
    let plan = model.scratch_plan();
    if scratch.len() < plan.total() {
        defmt::error!("bench-layers: scratch too small");
        return false;
    }
    let mut all_equal = true;
    let mut zero_point = 0i8;
    let mut rng = LatentSampler::new(2024);
    for (index, layer) in model.layers().enumerate() {
        let Ok(layer) = layer else {
            defmt::error!("bench-layers: layer {=usize} is invalid", index);
            return false;
        };
        let n_in = layer.input.elements().unwrap_or(0) as usize;
        let n_out = layer.output.elements().unwrap_or(0) as usize;
        // A layer's input and output live in different halves of the
        // ping-pong plan, so both fit side by side in the whole scratch,
        // with the staging region after them.
        let staging_bytes = 4 * layer.staging_words() + 3;
        if n_in + n_out + staging_bytes > scratch.len() {
            defmt::error!("bench-layers: layer {=usize} does not fit the scratch", index);
            return false;
        }
        if layer.weights.as_bytes().as_ptr() as usize % 4 != 0 {
            defmt::warn!("bench-layers: layer {=usize}'s weights are not 4-byte aligned: they unpack without SXTB16", index);
        }
        let (input, rest) = scratch.split_at_mut(n_in);
        let (output, rest) = rest.split_at_mut(n_out);
        let staging = optimized::staging_region(rest);
        for code in input.iter_mut() {
            *code = rng.next_u32() as i8;
        }
        let start = clock.ticks();
        reference::run_layer(&layer, zero_point, input, output);
        let reference_ticks = clock.ticks() - start;
        let expected = checksum(output);
        output.fill(0x55);
        let start = clock.ticks();
        optimized::run_layer(&layer, zero_point, input, output, staging);
        let optimized_ticks = clock.ticks() - start;
        let equal = checksum(output) == expected;
        all_equal &= equal;
        defmt::info!(
            "layer {=usize}: reference {=u64} ticks, optimized {=u64} ticks, outputs {=str}",
            index,
            reference_ticks,
            optimized_ticks,
            if equal { "equal" } else { "DIFFER" }
        );
        zero_point = layer.output_zero_point;
    }
    all_equal
}
