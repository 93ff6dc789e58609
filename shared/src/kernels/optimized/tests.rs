//! Every optimized kernel equals its reference kernel bit for bit: on random
//! layers of every op (odd channel counts included, so the four-channel
//! blocks' remainders run), and on the committed default model's layers.

use super::run_layer as optimized;
use crate::Model;
use crate::kernels::reference::run_layer as reference;
use crate::kernels::test_cases::case;
use proptest::prelude::*;

extern crate std;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn optimized_kernels_equal_the_reference(c in case()) {
        let n = c.output.elements().unwrap() as usize;
        let (expected, found) = c.with_layer(|layer| {
            let mut expected = std::vec![0i8; n];
            let mut found = std::vec![0x55u8 as i8; n];
            reference(layer, c.input_zp, &c.x, &mut expected);
            optimized(layer, c.input_zp, &c.x, &mut found);
            (expected, found)
        });
        prop_assert_eq!(expected, found, "{:?} {:?} -> {:?}", c.op, c.input, c.output);
    }
}

#[test]
fn the_default_model_layers_agree_on_random_inputs() {
    let bytes = include_bytes!("../../../../models/dcgan-digits.pgan");
    let model = Model::parse(bytes).unwrap();
    let mut rng = crate::LatentSampler::new(11);
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
