//! Every optimized kernel equals its reference kernel bit for bit: on random
//! layers of every op (odd channel counts included, so the four-channel
//! blocks' remainders run), and on the committed default model's layers.

use super::run_layer;
use crate::format::Model;
use crate::format::{Layer, PackedWeights};
use crate::kernels::reference::run_layer as reference;
use crate::kernels::test_cases::{Case, case};
use proptest::prelude::*;

extern crate std;

/// The fast kernels with a staging buffer of the size the layer asks for.
fn optimized(layer: &Layer<'_>, zp: i8, input: &[i8], output: &mut [i8]) {
    let mut staging = std::vec![0xA5A5_A5A5u32; layer.staging_words()];
    run_layer(layer, zp, input, output, &mut staging);
}

/// Reference and fast outputs of a case.
fn both(c: &Case) -> (std::vec::Vec<i8>, std::vec::Vec<i8>) {
    let n = c.parts.output.elements().unwrap() as usize;
    c.with_layer(|layer| {
        let mut expected = std::vec![0i8; n];
        let mut found = std::vec![0x55u8 as i8; n];
        reference(layer, c.parts.input_zero_point, &c.x, &mut expected);
        optimized(layer, c.parts.input_zero_point, &c.x, &mut found);
        (expected, found)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn optimized_kernels_equal_the_reference(c in case()) {
        let (expected, found) = both(&c);
        prop_assert_eq!(expected, found, "{:?} {:?} -> {:?}", c.parts.op, c.parts.input, c.parts.output);
    }
}

/// Dot products longer than one unrolled run (`MAX_STEPS · LANES` = 256
/// inputs) are split into pieces; a tail of one step and one of several.
#[test]
fn long_dot_products_split_into_pieces_agree() {
    use crate::format::{Activation, Op, TensorShape};
    for (inputs, outputs) in [(264u16, 9u16), (600, 5), (256, 4)] {
        let mut c = case_like(Op::Linear, TensorShape::vector(inputs), TensorShape::vector(outputs));
        c.parts.activation = Activation::Identity;
        c.parts.output_zero_point = 0;
        let (expected, found) = both(&c);
        assert_eq!(expected, found, "{inputs} -> {outputs}");
    }
}

/// Weights that are not 4-byte aligned (a model file at an odd address)
/// are unpacked by the portable loop and still give the same bits.
#[test]
fn unaligned_weights_fall_back_to_the_same_result() {
    use crate::format::{Op, TensorShape};
    let c = case_like(Op::Linear, TensorShape::vector(20), TensorShape::vector(6));
    let n = c.parts.output.elements().unwrap() as usize;
    c.with_layer(|layer| {
        let mut shifted = std::vec![0u8; layer.weights.byte_len() + 2];
        shifted[2..].copy_from_slice(layer.weights.as_bytes());
        let moved = Layer { weights: PackedWeights::from_le_bytes(&shifted[2..]), ..*layer };
        assert_ne!(moved.weights.as_bytes().as_ptr() as usize % 4, layer.weights.as_bytes().as_ptr() as usize % 4);
        let (mut expected, mut found) = (std::vec![0i8; n], std::vec![1i8; n]);
        reference(layer, c.parts.input_zero_point, &c.x, &mut expected);
        optimized(&moved, c.parts.input_zero_point, &c.x, &mut found);
        assert_eq!(expected, found);
    });
}

/// A random case with the given op and shapes.
fn case_like(op: crate::format::Op, input: crate::format::TensorShape, output: crate::format::TensorShape) -> Case {
    Case::random(op, input, output, crate::format::Activation::Relu, -7, 3, input.elements().unwrap() as u64)
}

#[test]
fn the_default_model_layers_agree_on_random_inputs() {
    let bytes = include_bytes!("../../../../models/dcgan-digits.pgan");
    let model = Model::parse(bytes).unwrap();
    let mut rng = crate::latent::LatentSampler::new(11);
    for layer in model.layers() {
        let layer = layer.unwrap();
        let input: std::vec::Vec<i8> = (0..layer.input.elements().unwrap()).map(|_| rng.next_u32() as i8).collect();
        let n = layer.output.elements().unwrap() as usize;
        for zp in [-128i8, 0, 37] {
            let (mut expected, mut found) = (std::vec![0i8; n], std::vec![1i8; n]);
            reference(&layer, zp, &input, &mut expected);
            optimized(&layer, zp, &input, &mut found);
            assert_eq!(expected, found, "{:?}, input zero point {zp}", layer.op);
        }
    }
}
