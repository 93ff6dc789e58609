//! Real data sets and a user's image folder, including the ways they fail.

use pocketgan_host_trainer::data::{DataSource, FolderOptions, ResizeMode};

#[test]
fn bundled_digits_are_the_real_mnist_digits() {
    let set = DataSource::Digits.load().unwrap();
    assert_eq!((set.len(), set.height, set.width, set.channels), (10_000, 28, 28, 1));
    let labels = set.labels.as_ref().unwrap();
    for d in 0..10u8 {
        let n = labels.iter().filter(|&&l| l == d).count();
        assert!((800..=1200).contains(&n), "digit {d}: {n}");
    }
    // MNIST's well-known mean intensity is 0.1307 (33.3 of 255).
    let mean = set.pixels.iter().map(|&p| p as f64).sum::<f64>() / set.pixels.len() as f64;
    assert!((mean - 33.3).abs() < 1.5, "mean {mean}");
}

#[test]
fn fashion_mnist_loads_or_says_how_to_install_it() {
    let source = DataSource::parse("fashion-mnist", FolderOptions::default()).unwrap();
    match source.load() {
        Ok(set) => {
            assert_eq!((set.len(), set.height, set.width), (60_000, 28, 28));
            assert_eq!(set.labels.unwrap().iter().filter(|&&l| l == 9).count(), 6000);
        }
        Err(e) => {
            assert!(!std::path::Path::new("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz").exists());
            assert!(e.to_string().contains("apt-get install dataset-fashion-mnist"), "{e}");
        }
    }
}

fn write_png(path: &std::path::Path, w: u32, h: u32) {
    let img = image::GrayImage::from_fn(w, h, |x, y| image::Luma([((x * 7 + y * 3) % 256) as u8]));
    img.save(path).unwrap();
}

#[test]
fn image_folders_load_recursively_and_fail_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let opts = FolderOptions { size: 16, ..FolderOptions::default() };
    let err = DataSource::parse(dir.path().to_str().unwrap(), opts.clone()).unwrap().load().unwrap_err().to_string();
    assert!(err.contains("holds no .png, .jpg or .jpeg files"), "{err}");

    std::fs::create_dir(dir.path().join("nested")).unwrap();
    write_png(&dir.path().join("a.png"), 40, 30);
    write_png(&dir.path().join("nested/b.PNG"), 20, 20);
    let set = DataSource::parse(dir.path().to_str().unwrap(), opts.clone()).unwrap().load().unwrap();
    assert_eq!((set.len(), set.height, set.width, set.channels), (2, 16, 16, 1));
    let rgb = DataSource::parse(dir.path().to_str().unwrap(), FolderOptions { size: 16, channels: 3, ..FolderOptions::default() }).unwrap().load().unwrap();
    assert_eq!(rgb.pixels.len(), 2 * 16 * 16 * 3);

    std::fs::write(dir.path().join("broken.jpg"), b"not really a jpeg").unwrap();
    let err = DataSource::parse(dir.path().to_str().unwrap(), opts.clone()).unwrap().load().unwrap_err().to_string();
    assert!(err.contains("broken.jpg"), "{err}");
    std::fs::remove_file(dir.path().join("broken.jpg")).unwrap();

    write_png(&dir.path().join("tiny.png"), 3, 3);
    let err = DataSource::parse(dir.path().to_str().unwrap(), opts).unwrap().load().unwrap_err().to_string();
    assert!(err.contains("tiny.png") && err.contains("too small"), "{err}");

    let err = DataSource::parse("/no/such/folder", FolderOptions::default()).unwrap_err().to_string();
    assert!(err.contains("unknown data set") && err.contains("digits"), "{err}");
}

#[test]
fn folder_images_are_squared_as_asked_and_bad_files_can_be_skipped() {
    let dir = tempfile::tempdir().unwrap();
    // 40×20: a white left half and a black right half.
    let wide = image::GrayImage::from_fn(40, 20, |x, _| image::Luma([if x < 20 { 255 } else { 0 }]));
    wide.save(dir.path().join("wide.png")).unwrap();
    let load = |resize: ResizeMode, skip_bad: bool| {
        let opts = FolderOptions { size: 8, channels: 1, resize, skip_bad };
        DataSource::parse(dir.path().to_str().unwrap(), opts).unwrap().load()
    };
    let column_mean = |set: &pocketgan_host_trainer::data::ImageSet, x: usize| {
        (0..8).map(|y| set.image(0)[y * 8 + x] as u32).sum::<u32>() / 8
    };
    // Crop keeps the centre (half white, half black); stretch keeps both halves too.
    let crop = load(ResizeMode::Crop, false).unwrap();
    assert!(column_mean(&crop, 0) > 200 && column_mean(&crop, 7) < 50);
    let stretch = load(ResizeMode::Stretch, false).unwrap();
    assert!(column_mean(&stretch, 0) > 200 && column_mean(&stretch, 7) < 50);
    // Pad fits the whole image in the middle rows and fills above and below.
    let pad = load(ResizeMode::Pad, false).unwrap();
    let row = |y: usize| &pad.image(0)[y * 8..y * 8 + 8];
    assert!(row(4)[0] > 200 && row(4)[7] < 50, "{:?}", row(4));
    assert!(row(0).iter().all(|&p| p == row(0)[0]), "padding is one colour: {:?}", row(0));

    // A broken file and a tiny one: refused together, or left out on request.
    std::fs::write(dir.path().join("broken.png"), b"\x89PNG but not").unwrap();
    write_png(&dir.path().join("tiny.png"), 2, 2);
    let err = load(ResizeMode::Crop, false).unwrap_err().to_string();
    assert!(err.contains("2 of 3 images") && err.contains("broken.png") && err.contains("tiny.png"), "{err}");
    assert!(err.contains("--skip-bad-images"), "{err}");
    let kept = load(ResizeMode::Crop, true).unwrap();
    assert_eq!(kept.len(), 1);
    assert!(kept.description.starts_with("1 image from"), "{}", kept.description);

    // The size for a 128×64 display is its short side.
    assert_eq!(FolderOptions::size_for_display(128, 64), 64);
    assert_eq!(FolderOptions::size_for_display(96, 30), 28);
}
