//! The `pocketgan` binary as a user meets it: help, and clear errors
//! (never a panic or a backtrace) for bad input.


use crate::common::{arg, fails_with, pocketgan, repo, succeeds};
use std::path::PathBuf;

#[test]
fn help_lists_the_commands() {
    let out = pocketgan(&["--help"]);
    let text = String::from_utf8_lossy(&out.stdout);
    for cmd in ["demo", "train", "toy", "eval", "compare", "export", "sample", "inspect", "fit", "bench"] {
        assert!(text.contains(cmd), "{cmd} missing from --help");
    }
}

#[test]
fn inspect_describes_the_default_model() {
    let model = repo().join("models/dcgan-digits.pgan");
    let out = pocketgan(&["inspect", model.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(text.contains("valid") && text.contains("28x28") && text.contains("scratch RAM"), "{text}");
}

#[test]
fn bad_model_files_get_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read(repo().join("models/dcgan-digits.pgan")).unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    };
    let cases: Vec<(PathBuf, &str)> = vec![
        (write("empty.pgan", b""), "shorter than the 16-byte preamble"),
        (write("foreign.pgan", b"\x89PNG\r\n\x1a\n0000000000000000"), "not a pocketgan model"),
        (write("cut.pgan", &good[..good.len() / 2]), "truncated"),
        (write("newer.pgan", &{ let mut v = good.clone(); v[4] = 9; v }), "newer than this build reads"),
        (write("flipped.pgan", &{ let mut v = good.clone(); let n = v.len() - 100; v[n] ^= 1; v }), "checksum"),
        (dir.path().join("missing.pgan"), "cannot read model file"),
    ];
    for (path, needle) in &cases {
        let p = path.to_str().unwrap();
        fails_with(&pocketgan(&["inspect", p]), needle);
        fails_with(&pocketgan(&["sample", p, "-o", dir.path().join("x.png").to_str().unwrap()]), needle);
    }
}

#[test]
fn sample_writes_what_the_board_draws() {
    let dir = tempfile::tempdir().unwrap();
    let model = repo().join("models/dcgan-digits.pgan");
    let out_path = dir.path().join("grid.png");
    let out = pocketgan(&["sample", model.to_str().unwrap(), "--seed", "5", "--n", "6", "--columns", "3", "--pixels", "rgb565", "-o", out_path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let img = image::open(&out_path).unwrap();
    // 3 columns of 56-pixel samples with 2-pixel gaps.
    assert_eq!((img.width(), img.height()), (3 * 58 + 2, 2 * 58 + 2));
    fails_with(&pocketgan(&["sample", model.to_str().unwrap(), "--display", "20x20", "-o", out_path.to_str().unwrap()]), "does not fit");
    fails_with(&pocketgan(&["sample", model.to_str().unwrap(), "--class", "3", "-o", out_path.to_str().unwrap()]), "--class 3");
}

#[test]
fn bad_training_input_gets_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec!["train", "--quiet", "--steps", "1", "--run"];
        let r = dir.path().join(format!("run{}", extra.len()));
        let r = r.to_str().unwrap().to_string();
        args.push(&r);
        args.extend_from_slice(extra);
        pocketgan(&args)
    };
    fails_with(&run(&["--data", "/nonexistent/images"]), "unknown data set");
    fails_with(&run(&["--data", "digits", "--batch-size", "20000"]), "fewer than one batch");
    fails_with(&run(&["--lr=-1"]), "learning rate (--lr) must be a positive number");
    fails_with(&run(&["--lr", "NaN"]), "learning rate (--lr) must be a positive number");
    fails_with(&run(&["--d-steps", "0"]), "(--d-steps) must be 1-100");
    fails_with(&run(&["--objective", "wgan-gp", "--batch-norm", "true"]), "without batch norm");
    fails_with(&run(&["--objective", "hinge", "--clip=-1"]), "--clip must be a positive number");
    fails_with(&run(&["--objective", "sgan"]), "invalid value 'sgan'");
    fails_with(&run(&["--image-size", "64"]), "add --data path/to/folder");
    fails_with(&run(&["--data", "digits", "--display", "128x64"]), "apply to a folder of images");
    fails_with(&run(&["--device", "tpu"]), "invalid value 'tpu'");
    fails_with(&pocketgan(&["toy", "--neurons", "0", "--run", dir.path().join("toy").to_str().unwrap()]), "toy networks need");
    fails_with(&pocketgan(&["toy", "--lr=-0.1", "--run", dir.path().join("toy2").to_str().unwrap()]), "learning rate (--lr) must be a positive number");
    fails_with(&pocketgan(&["toy", "--pack", "3", "--run", dir.path().join("toy3").to_str().unwrap()]), "must be a multiple of --pack");
    fails_with(&pocketgan(&["toy", "--augment", "cutout", "--run", dir.path().join("toy4").to_str().unwrap()]), "drop --augment");
    fails_with(&pocketgan(&["toy", "--ema", "1.5", "--run", dir.path().join("toy5").to_str().unwrap()]), "must be in (0, 1)");
    // Refused before anything is written: the folder stays free for a good run.
    for toy in ["toy", "toy2", "toy3", "toy4", "toy5"] {
        assert!(!dir.path().join(toy).exists(), "a refused toy run left {toy}/ behind");
    }
    fails_with(&run(&["--r1", "10", "--batch-norm", "true"]), "add --batch-norm false");
    fails_with(&run(&["--preset", "paper", "--r1", "10"]), "add --batch-norm false");
    fails_with(&run(&["--pack", "2", "--conditional"]), "cannot be combined");
    fails_with(&pocketgan(&["compare", "--toys", "rings"]), "unknown toy 'rings': choose from ring, grid");
    fails_with(&pocketgan(&["eval", "/nonexistent/run"]), "is not a run folder");
    fails_with(&pocketgan(&["export", "/nonexistent/run", "-o", "x.pgan"]), "is not a run folder");
    let empty = dir.path().join("empty-run");
    std::fs::create_dir(&empty).unwrap();
    fails_with(&pocketgan(&["export", empty.to_str().unwrap(), "-o", "x.pgan"]), "generator.json");
}

#[test]
fn fit_reports_the_default_model_on_each_board() {
    let model = repo().join("models/dcgan-digits.pgan");
    for board in ["stm32f411-blackpill", "rp-pico", "rp-pico2", "emulated"] {
        let out = pocketgan(&["fit", model.to_str().unwrap(), "--board", board]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{board}: {}", String::from_utf8_lossy(&out.stderr));
        let size = std::fs::metadata(&model).unwrap().len();
        assert!(text.contains(&format!("model file {size} B")) && text.contains("ms per image") && text.contains("fits"), "{text}");
    }
    fails_with(&pocketgan(&["fit", model.to_str().unwrap(), "--board", "uno"]), "unknown board 'uno': choose one of");
}

#[test]
fn fit_refuses_a_model_too_big_for_the_board_with_numbers() {
    // One training step of a wide generator: its 9408-unit first layer
    // makes a file of 1.3 MB, more than the F411's flash.
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    let big = dir.path().join("big.pgan");
    let (run_s, big_s) = (run.to_str().unwrap(), big.to_str().unwrap());
    let out = pocketgan(&[
        "train", "--run", run_s, "--steps", "1", "--batch-size", "2", "--generator-channels", "192",
        "--discriminator-channels", "8", "--quiet",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = pocketgan(&["export", run_s, "-o", big_s]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = pocketgan(&["fit", big_s, "--board", "stm32f411-blackpill"]);
    fails_with(&out, "does not fit stm32f411-blackpill: it needs");
    assert!(String::from_utf8_lossy(&out.stdout).contains("OVER by"), "{}", String::from_utf8_lossy(&out.stdout));
    // The Pico's 2 MiB take it.
    assert!(pocketgan(&["fit", big_s, "--board", "rp-pico"]).status.success());
}

#[test]
fn export_writes_the_same_tflite_from_the_run_and_from_its_model_file() {
    let dir = tempfile::tempdir().unwrap();
    let run = repo().join("models/dcgan-digits-run");
    let (from_run, from_file) = (dir.path().join("run.tflite"), dir.path().join("file.tflite"));
    let pgan = dir.path().join("m.pgan");
    let out = pocketgan(&["export", run.to_str().unwrap(), "-o", pgan.to_str().unwrap(), "--name", "dcgan-digits", "--tflite", from_run.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // The run exports to the committed model, byte for byte.
    assert_eq!(std::fs::read(&pgan).unwrap(), std::fs::read(repo().join("models/dcgan-digits.pgan")).unwrap());
    let out = pocketgan(&["export", pgan.to_str().unwrap(), "--tflite", from_file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let tflite = std::fs::read(&from_run).unwrap();
    assert_eq!(&tflite[4..8], b"TFL3");
    assert_eq!(tflite, std::fs::read(&from_file).unwrap());
}

#[test]
fn export_and_npu_explain_bad_requests() {
    let dir = tempfile::tempdir().unwrap();
    let model = repo().join("models/dcgan-digits.pgan");
    let m = model.to_str().unwrap();
    fails_with(&pocketgan(&["export", m]), "say where to write the model");
    fails_with(&pocketgan(&["export", m, "-o", "x.pgan"]), "is a model file, not a run folder");
    fails_with(&pocketgan(&["export", m, "-o", "x.pgan", "--tflite", "y.tflite"]), "need a run folder");
    let junk = dir.path().join("junk.tflite");
    std::fs::write(&junk, b"not a model at all").unwrap();
    fails_with(&pocketgan(&["npu", junk.to_str().unwrap()]), "neither a .tflite file nor a pocketgan model");
    fails_with(&pocketgan(&["npu", m, "--vela", "/nonexistent/vela"]), "does not run as Vela");
    fails_with(&pocketgan(&["fit", m, "--board", "grove-vision-ai-v2", "--vela", "/nonexistent/vela"]), "does not run as Vela");
    fails_with(&pocketgan(&["fit", m, "--board", "uno"]), "grove-vision-ai-v2");
    // Nothing was written next to the model by the failed runs.
    assert!(!dir.path().join("junk_vela.tflite").exists());
}

#[test]
fn compare_prints_its_tables_and_dumps_every_sample() {
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("dump");
    let out = succeeds(&pocketgan(&[
        "compare", "--rows", "paper,techniques", "--objectives", "hinge", "--toys", "ring,grid", "--toy-steps", "20",
        "--toy-seeds", "1", "--image-data", "digits", "--image-steps", "2", "--image-seeds", "1", "--eval-images", "50",
        "--dump", arg(&dump),
    ]));
    for table in ["## ring", "## grid", "## digits", "| hinge |", "| non-saturating + pack 2 |", "| non-saturating + DiffAugment |"] {
        assert!(out.contains(table), "no {table:?} in:\n{out}");
    }
    // One CSV per toy run (hinge and the four toy techniques), 2 500 points each.
    for toy in ["ring", "grid"] {
        let csvs: Vec<_> = std::fs::read_dir(dump.join(toy)).unwrap().map(|e| e.unwrap().path()).collect();
        assert_eq!(csvs.len(), 5, "{toy}: {csvs:?}");
        for csv in csvs {
            let text = std::fs::read_to_string(&csv).unwrap();
            assert!(text.starts_with("x,y\n") && text.lines().count() == 2501, "{}", csv.display());
        }
    }
    // A float and an int8 grid per image run (hinge and five techniques).
    let pngs: Vec<String> = std::fs::read_dir(dump.join("digits")).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    assert_eq!(pngs.len(), 12, "{pngs:?}");
    assert!(pngs.contains(&"hinge-seed1-float.png".to_string()) && pngs.contains(&"hinge-seed1-int8.png".to_string()), "{pngs:?}");
}

#[test]
fn data_captions_measures_the_digits_and_prints_vocabulary_words_only() {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("captions.png");
    let out = succeeds(&pocketgan(&["data", "captions", "digits", "-n", "8", "-o", arg(&png)]));
    assert!(out.contains("10000 images") && out.contains("slant (shift per row): -0.100 | 0.100"), "{out}");
    let vocabulary: Vec<&str> = out.lines().find_map(|l| l.split_once("words): ")).map(|(_, w)| w.split(' ').collect()).unwrap();
    assert_eq!(vocabulary.len(), 30, "{out}");
    let captions: Vec<&str> = out.lines().filter_map(|l| l.split_once(": ").filter(|(k, _)| k.trim().parse::<usize>().is_ok()).map(|(_, c)| c)).collect();
    assert_eq!(captions.len(), 8, "{out}");
    for caption in captions {
        assert!(caption.split(' ').all(|w| vocabulary.contains(&w)), "{caption}");
    }
    assert_eq!(image::open(&png).unwrap().width(), 8 * 86 + 2);
    fails_with(&pocketgan(&["data", "captions", "cats", "-o", arg(&png)]), "possible values: digits, fashion");
}

#[test]
fn data_mfcc_shows_the_spoken_digits_and_hears_no_speech_in_silence() {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("mfcc.png");
    let out = succeeds(&pocketgan(&["data", "mfcc", "-o", arg(&png)]));
    assert!(out.contains("3000 spoken digits by 6 speakers") && out.contains("2700 training, 300 test"), "{out}");
    assert_eq!(out.lines().filter(|l| l.contains("speech in frames")).count(), 10, "{out}");
    assert_eq!(image::open(&png).unwrap().height() as usize, 10 * (13 * 4 + 2) + 2);
    // A silent stereo file at 16 kHz: converted, and no speech heard.
    let silent = dir.path().join("silent.wav");
    pocketgan_host_trainer::data::wav::save_wav(&silent, 16000, 2, &[0; 32000]).unwrap();
    let out = succeeds(&pocketgan(&["data", "mfcc", arg(&silent), "-o", arg(&png)]));
    assert!(out.contains("resampled from 16000 Hz to 8000 Hz") && out.contains("no speech heard"), "{out}");
    fails_with(&pocketgan(&["data", "mfcc", arg(&png), "-o", arg(&png)]), "is not a WAV file");
}

#[test]
fn data_pairs_draws_translation_data_and_explains_bad_folders() {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("pairs.png");
    let out = succeeds(&pocketgan(&["data", "pairs", "skeletons", "-n", "4", "-o", arg(&png)]));
    assert!(out.contains("paired") && out.contains("test: 997 and 997"), "{out}");
    let drawn = image::open(&png).unwrap();
    assert!(drawn.width() > drawn.height(), "four pairs in one row");
    // A folder pair with a lonely A image, and a folder without B/.
    let root = dir.path().join("mine");
    for (side, name) in [("A", "1.png"), ("A", "2.png"), ("B", "1.png")] {
        std::fs::create_dir_all(root.join(side)).unwrap();
        image::GrayImage::new(32, 32).save(root.join(side).join(name)).unwrap();
    }
    fails_with(&pocketgan(&["data", "pairs", arg(&root), "-o", arg(&png)]), "1 in A/ without a partner in B/: 2");
    fails_with(&pocketgan(&["data", "pairs", arg(&root.join("A")), "-o", arg(&png)]), "A/ (the inputs) and B/ (the outputs)");
    fails_with(&pocketgan(&["data", "pairs", "no-such-data", "-o", arg(&png)]), "unknown translation data");
    fails_with(&pocketgan(&["data", "pairs", "outlines", "--unpaired", "-o", arg(&png)]), "is a paired data set");
}
