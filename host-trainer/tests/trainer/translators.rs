//! `pocketgan train-translator`: pix2pix and CycleGAN runs resume exactly,
//! draw their grids, and refuse what they cannot do.

use crate::common::{arg, fails_with, pocketgan, succeeds};
use std::path::Path;

/// Small networks, no grids until the end: fast, and still the whole loop.
const SMALL: &[&str] = &["--quiet", "--generator-channels", "8", "--discriminator-channels", "8", "--batch-size", "8", "--sample-every", "0"];

fn train(run: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["train-translator", "--run", arg(run)];
    args.extend_from_slice(SMALL);
    args.extend_from_slice(extra);
    pocketgan(&args)
}

fn read(run: &Path, file: &str) -> Vec<u8> {
    std::fs::read(run.join(file)).unwrap_or_else(|e| panic!("{}: {e}", run.join(file).display()))
}

#[test]
fn translator_runs_resume_exactly_and_draw_input_output_target() {
    let dir = tempfile::tempdir().unwrap();
    // pix2pix on pairs; CycleGAN with a pool small enough to fill and then
    // swap within the steps, so the pool's file and draws are exercised.
    for (name, extra) in [
        ("pix2pix", &["--data", "skeletons"][..]),
        ("cycle-gan", &["--data", "printed-digits", "--pool-size", "8"][..]),
    ] {
        let whole = dir.path().join(format!("{name}-whole"));
        let split = dir.path().join(format!("{name}-split"));
        succeeds(&train(&whole, &[&["--steps", "5"], extra].concat()));
        succeeds(&train(&split, &[&["--steps", "2"], extra].concat()));
        let out = succeeds(&pocketgan(&["train-translator", "--quiet", "--resume", arg(&split), "--steps", "5"]));
        assert!(out.contains("trained to step 5"), "{out}");
        assert_eq!(read(&split, "losses.csv"), read(&whole, "losses.csv"), "{name}: resumed losses differ");
        // The final grid is drawn by the final weights (burn's files hold
        // random parameter ids, so they are not compared byte for byte).
        let last = "samples/step-000005.png";
        assert_eq!(read(&split, last), read(&whole, last), "{name}: resumed weights translate differently");
        if name == "cycle-gan" {
            assert_eq!(read(&split, "checkpoint/pool-b.bin"), read(&whole, "checkpoint/pool-b.bin"), "the pools differ");
        }
        // The last grid: 8 examples of three 28×28 cells each, 6 cells a row,
        // at scale 2 with 2-pixel gaps.
        let grid = image::open(split.join("samples/step-000005.png")).unwrap();
        assert_eq!((grid.width(), grid.height()), (6 * 56 + 7 * 2, 4 * 56 + 5 * 2), "{name}");
        let config = String::from_utf8(read(&split, "config.toml")).unwrap();
        assert!(config.contains(&format!("method = \"{name}\"")), "{config}");
    }
}

#[test]
fn translator_runs_refuse_what_they_cannot_do() {
    let dir = tempfile::tempdir().unwrap();
    fails_with(&train(&dir.path().join("a"), &["--data", "printed-digits", "--method", "pix2pix"]), "--method cycle-gan");
    fails_with(&train(&dir.path().join("b"), &["--data", "skeletons", "--unpaired"]), "folder");
    fails_with(&train(&dir.path().join("c"), &["--data", "no-such-thing"]), "unknown translation data");
    fails_with(&train(&dir.path().join("d"), &["--data", "skeletons", "--l1-weight=-1"]), "--l1-weight");
    // A translator run is neither resumed nor exported as a generator.
    let run = dir.path().join("run");
    succeeds(&train(&run, &["--data", "skeletons", "--steps", "1"]));
    fails_with(&pocketgan(&["train", "--resume", arg(&run)]), "train-translator --resume");
    fails_with(&train(&run, &["--data", "skeletons", "--steps", "1"]), "already holds a training run");
    fails_with(&pocketgan(&["train-translator", "--resume", arg(&run), "--lr", "1e-3"]), "--lr cannot change");
}

/// The figure after `label` in `text` (e.g. "PSNR on 64 held-out inputs: 48.9 dB").
fn figure_after(text: &str, label: &str) -> f64 {
    let rest = &text[text.find(label).unwrap_or_else(|| panic!("no '{label}' in {text}")) + label.len()..];
    rest.split_whitespace().next().and_then(|w| w.parse().ok()).unwrap_or_else(|| panic!("no number after '{label}' in {text}"))
}

#[test]
fn an_exported_translator_runs_int8_on_the_host_close_to_float() {
    let dir = tempfile::tempdir().unwrap();
    for (name, extra) in [("pix2pix", &["--data", "skeletons", "--steps", "30"][..]), ("cycle-gan", &["--data", "printed-digits", "--steps", "3"][..])] {
        let run = dir.path().join(name);
        succeeds(&train(&run, extra));
        let model = dir.path().join(format!("{name}.pgan"));
        let tflite = dir.path().join(format!("{name}.tflite"));
        let out = succeeds(&pocketgan(&["export", arg(&run), "-o", arg(&model), "--tflite", arg(&tflite)]));
        let psnr = figure_after(&out, "int8 vs float PSNR on 64 held-out inputs:");
        assert!(psnr >= 30.0, "{name}: int8 vs float {psnr} dB: {out}");
        assert!(tflite.exists());
        let inspect = succeeds(&pocketgan(&["inspect", arg(&model)]));
        for needle in ["translator: takes a 28x28 image", "joins layer 0's output", "kept for skips", "% saved"] {
            assert!(inspect.contains(needle), "{name}: inspect lacks '{needle}': {inspect}");
        }
    }
    // Float and int8 side by side, on held-out inputs.
    let out = succeeds(&pocketgan(&["eval", arg(&dir.path().join("pix2pix")), "--n", "20"]));
    for needle in ["pix2pix on skeletons, 20 held-out inputs", "| float |", "| int8 (board) |", "real targets (the floor)"] {
        assert!(out.contains(needle), "eval lacks '{needle}': {out}");
    }
    let model = dir.path().join("pix2pix.pgan");
    // Held-out pairs: input | output | target, 4 rows of 3 cells at scale 3.
    let grid = dir.path().join("grid.png");
    let out = succeeds(&pocketgan(&["translate", arg(&model), "--data", "skeletons", "-n", "4", "-o", arg(&grid)]));
    assert!(out.contains("input | output | target"), "{out}");
    let png = image::open(&grid).unwrap();
    assert_eq!((png.width(), png.height()), (3 * 86 + 2, 4 * 86 + 2));
    // A file of another size is resized, with a note; the raw bytes are the output's pixels.
    let sketch = dir.path().join("sketch.png");
    image::GrayImage::from_fn(56, 40, |x, y| image::Luma([if (x as i32 - 28).abs() < 3 || (y as i32 - 20).abs() < 2 { 255 } else { 0 }])).save(&sketch).unwrap();
    let raw = dir.path().join("raw");
    let out = pocketgan(&["translate", arg(&model), arg(&sketch), "-o", arg(&grid), "--raw", arg(&raw)]);
    succeeds(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("is 56×40; the translator takes 28×28, so it was resized, its centre square"), "{stderr}");
    assert_eq!(std::fs::read(raw.join("output-000.raw")).unwrap().len(), 28 * 28);
    // The firmware's sketches, as the touch board's and an OLED board's
    // whole screens: ink on the left square, a translation on the right.
    let screens = dir.path().join("screens.png");
    for (size, board, columns, scale) in [((320u32, 240u32), "rp-pico-touch", 3, 1), ((128, 64), "stm32f411-blackpill", 4, 2)] {
        let out = succeeds(&pocketgan(&["translate", arg(&model), "--sketches", "--board", board, "-o", arg(&screens)]));
        assert!(out.contains(&format!("drew 15 board screens of {board} ({}×{})", size.0, size.1)), "{out}");
        let png = image::open(&screens).unwrap().to_rgb8();
        let rows = 15u32.div_ceil(columns);
        assert_eq!((png.width(), png.height()), (columns * (size.0 * scale + 2) + 2, rows * (size.1 * scale + 2) + 2), "{board}");
        let lit = |x0: u32, w: u32| (0..size.1).flat_map(|y| (x0..x0 + w).map(move |x| (x, y))).filter(|&(x, y)| png.get_pixel(2 + x * scale, 2 + y * scale).0 != [0, 0, 0]).count();
        let side = size.1.min(size.0 / 2);
        assert!(lit(0, side) > 0, "{board}: the first sketch is inked on the left square");
        assert!(lit(size.0 - side, side) > 0, "{board}: its translation is on the right square");
        // Under the squares, where there is room, the caption.
        let caption = (side + 2..size.1).flat_map(|y| (0..size.0).map(move |x| (x, y))).filter(|&(x, y)| png.get_pixel(2 + x * scale, 2 + y * scale).0 != [0, 0, 0]).count();
        assert_eq!(caption > 0, size.1 > side + 12, "{board}: {caption} caption pixels");
    }
    // Any display size, with --screen.
    let out = succeeds(&pocketgan(&["translate", arg(&model), "--sketches", "one", "--screen", "96x48", "--pixels", "gray8", "-o", arg(&screens)]));
    assert!(out.contains("drew 1 board screen (96×48)"), "{out}");
    fails_with(&pocketgan(&["translate", arg(&model), "--sketches", "--pixels", "mono", "-o", arg(&screens)]), "--display WxH");
    // Each kind of model refuses the other's command.
    fails_with(&pocketgan(&["sample", arg(&model), "-o", arg(&grid)]), "pocketgan translate");
    let generator = crate::common::repo().join("models/dcgan-digits.pgan");
    fails_with(&pocketgan(&["translate", arg(&generator), arg(&sketch), "-o", arg(&grid)]), "pocketgan sample");
    fails_with(&pocketgan(&["translate", arg(&model), "-o", arg(&grid)]), "give input images");
}
