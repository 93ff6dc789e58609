//! The committed default model's pixels for seeds 0..8 equal the golden
//! bytes. Any change to the sampler, the kernels, the requantization or the
//! pixel mapping shows up here (and would make boards draw different
//! images for the same seed). Regenerate deliberately with
//! `POCKETGAN_BLESS=1 cargo test -p pocketgan-tests`.

use pocketgan_shared::Model;
use pocketgan_tests::gray_pixels;
use std::path::PathBuf;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn default_model_pixels_match_golden() {
    let bytes = std::fs::read(repo().join("models/dcgan-digits.pgan")).unwrap();
    let model = Model::parse(&bytes).unwrap();
    let pixels = gray_pixels(&model, 0..8).unwrap();
    assert_eq!(pixels.len(), 8 * 28 * 28);
    let golden_path = repo().join("tests/golden/dcgan-digits-seeds-0-7.gray8");
    if std::env::var_os("POCKETGAN_BLESS").is_some() {
        std::fs::write(&golden_path, &pixels).unwrap();
    }
    let golden = std::fs::read(&golden_path).unwrap();
    assert_eq!(pixels.len(), golden.len());
    let differing = pixels.iter().zip(&golden).filter(|(a, b)| a != b).count();
    assert_eq!(differing, 0, "{differing} pixels differ from the golden bytes");
}

#[test]
fn different_seeds_draw_different_images() {
    let bytes = std::fs::read(repo().join("models/dcgan-digits.pgan")).unwrap();
    let model = Model::parse(&bytes).unwrap();
    let pixels = gray_pixels(&model, 0..2).unwrap();
    let (a, b) = pixels.split_at(28 * 28);
    let changed = a.iter().zip(b).filter(|(x, y)| x != y).count();
    assert!(changed > 50, "only {changed} pixels differ between seeds 0 and 1");
    // Digits: mostly dark background with a bright stroke.
    let bright = a.iter().filter(|&&p| p > 128).count();
    assert!((40..400).contains(&bright), "{bright} bright pixels");
}

#[test]
fn the_conditional_fixture_draws_each_class_differently() {
    use pocketgan_shared::latent::latent_for_seed;
    let bytes = pocketgan_tests::conditional_test_model();
    let model = pocketgan_shared::Model::parse(&bytes).unwrap();
    assert_eq!(model.header().classes, 3);
    let mut scratch = vec![0i8; model.scratch_len()];
    let mut latent = [0i8; 8];
    latent_for_seed(5, &mut latent);
    let images: Vec<Vec<i8>> = (0..3).map(|c| pocketgan_shared::generate(&model, &latent, Some(c), &mut scratch).unwrap().to_vec()).collect();
    let spread = |img: &[i8]| img.iter().max().unwrap().abs_diff(*img.iter().min().unwrap());
    for img in &images {
        assert!(spread(img) > 60, "a flat image: {}", spread(img));
    }
    assert!(images[0] != images[1] && images[1] != images[2]);
}
