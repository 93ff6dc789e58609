//! The proof that a board draws what the host draws: the firmware built for
//! a Cortex-M4F, run in QEMU on a scripted input, against `pocketgan sample`.

use pocketgan_firmware::{App, Buffers, Clock, Event, MonoFramebuffer, sensor_to_mix};
use pocketgan_tests::emulator::{build_board, emulator_missing, pocketgan_binary, prepare_images, repo_root, run_emulated};
use std::path::Path;
use std::process::Command;

const DISPLAY: (u16, u16) = (128, 64);
/// The image viewport of a 128×64 display (see `firmware::Layout`).
const VIEWPORT: u16 = 64;

fn require_emulator() {
    if let Some(why) = emulator_missing() {
        panic!("the emulated-board tests need {why}");
    }
}

/// The left `VIEWPORT × VIEWPORT` of a board frame, in the same row layout.
fn viewport(frame: &[u8]) -> Vec<u8> {
    let mut copy = frame.to_vec();
    let fb = MonoFramebuffer::new(&mut copy, DISPLAY.0, DISPLAY.1).expect("a full frame");
    let mut out = vec![0u8; MonoFramebuffer::bytes_for(VIEWPORT, VIEWPORT)];
    fb.crop(0, 0, VIEWPORT, VIEWPORT, &mut out).expect("viewport inside the display");
    out
}

/// `pocketgan sample` for one seed on a viewport-sized 1-bit display.
fn host_frame(dir: &Path, seed: u32, mix: u16) -> Vec<u8> {
    host_frame_of(&repo_root().join("models/dcgan-digits.pgan"), dir, seed, None, mix)
}

fn host_frame_of(model: &Path, dir: &Path, seed: u32, class: Option<u16>, mix: u16) -> Vec<u8> {
    let class = class.map(|c| c.to_string());
    let condition: Vec<&str> = class.iter().flat_map(|c| ["--class", c.as_str()]).collect();
    host_sample(model, &dir.join(format!("host-{seed}-{class:?}-{mix}")), seed, &[&condition[..], &["--mix", &mix.to_string()]].concat())
}

/// `pocketgan sample MODEL --seed SEED --n 1 EXTRA…` on a viewport-sized
/// 1-bit display, its raw frame written under `raw`.
fn host_sample(model: &Path, raw: &Path, seed: u32, extra: &[&str]) -> Vec<u8> {
    let out = Command::new(pocketgan_binary().unwrap())
        .arg("sample")
        .arg(model)
        .args(["--seed", &seed.to_string(), "--n", "1"])
        .args(extra)
        .args(["--display", &format!("{VIEWPORT}x{VIEWPORT}"), "--pixels", "mono", "--raw"])
        .arg(raw)
        .output()
        .unwrap();
    assert!(out.status.success(), "pocketgan sample {extra:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    std::fs::read(raw.join("sample-000.raw")).unwrap()
}

/// Cortex-M4F code, and Cortex-M0+ code (ARMv6-M, as on the RP2040) run on
/// the same emulated board: both must draw the host's pixels.
const TARGETS: [&str; 2] = ["thumbv7em-none-eabihf", "thumbv6m-none-eabi"];

#[test]
fn emulated_board_draws_what_the_host_draws() {
    require_emulator();
    let dir = tempfile::tempdir().unwrap();
    for target in TARGETS {
        check_board_against_host(dir.path(), target);
    }
}

fn check_board_against_host(dir: &Path, target: &str) {
    let elf = build_board("emulated", Some(target), None, dir).unwrap();
    let script = "# boot, presses, a sensor walk, a long press (no classes: nothing)\n\
                  boot-seed 100\npress\npress\nsensor 2048\nsensor 4095\nsensor 1000\nsensor 1010\nlong-press\npress\n";
    let run = run_emulated(&elf, script, &dir.join(target)).unwrap();
    assert_eq!(run.status, Some(0), "{target} board log:\n{}", run.log);
    // (seed, mix) of every frame: sensor 1010 is the same walk step as 1000
    // and the model has no classes, so neither redraws.
    let expected = [(100, 0), (101, 0), (102, 0), (102, 128), (102, 256), (102, sensor_to_mix(1000)), (103, 0)];
    assert_eq!(run.frames.len(), expected.len(), "board log:\n{}", run.log);
    for (frame, &(seed, mix)) in run.frames.iter().zip(&expected) {
        assert_eq!(frame.len(), 1024);
        let host = host_frame(dir, seed, mix);
        assert!(viewport(frame) == host, "{target}, seed {seed} mix {mix}: the board's pixels differ from pocketgan sample's");
        // The caption (seed, generation time) sits right of the viewport.
        let mut copy = frame.clone();
        let fb = MonoFramebuffer::new(&mut copy, 128, 64).unwrap();
        let caption_lit = (66..128).flat_map(|x| (0..64).map(move |y| (x, y))).filter(|&(x, y)| fb.is_lit(x, y)).count();
        assert!(caption_lit > 40, "seed {seed}: no caption");
    }
    assert!(run.log.contains("model dcgan-digits: 136801 parameters, 1578112 MACs/image"), "{}", run.log);
    assert!(run.log.contains("seed 103 class -1 mix 0/256:"), "{}", run.log);
    assert!(run.log.contains("long press: the model has no classes"), "{}", run.log);
    assert!(run.log.contains("script done: 7 frames"), "{}", run.log);
}

#[test]
fn long_presses_cycle_the_classes_of_a_conditional_model() {
    require_emulator();
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("conditional.pgan");
    std::fs::write(&model, pocketgan_tests::conditional_test_model()).unwrap();
    let elf = build_board("emulated", None, Some(&model), dir.path()).unwrap();
    let script = "boot-seed 5\nlong-press\nlong-press\npress\nsensor 4095\nlong-press\nlong-press\n";
    let run = run_emulated(&elf, script, &dir.path().join("run")).unwrap();
    assert_eq!(run.status, Some(0), "{}", run.log);
    assert!(run.log.contains("3 classes"), "{}", run.log);
    let expected = [(5, 0, 0), (5, 1, 0), (5, 2, 0), (6, 2, 0), (6, 2, 256), (6, 0, 256), (6, 1, 256)];
    assert_eq!(run.frames.len(), expected.len(), "{}", run.log);
    let mut distinct = std::collections::HashSet::new();
    for (frame, &(seed, class, mix)) in run.frames.iter().zip(&expected) {
        let host = host_frame_of(&model, dir.path(), seed, Some(class), mix);
        assert!(viewport(frame) == host, "seed {seed} class {class} mix {mix}: the board differs from pocketgan sample");
        distinct.insert(host);
    }
    assert!(distinct.len() >= 5, "classes and seeds must change the image");
}

/// A model trained for 5 steps of 8 images by `command` (its training
/// flags), exported to `dir/NAME.pgan`: its pixels must match the host's,
/// not be good.
fn train_briefly(dir: &Path, name: &str, command: &[&str]) -> std::path::PathBuf {
    let run = dir.join(format!("{name}-run"));
    let model = dir.join(format!("{name}.pgan"));
    let brief = ["--steps", "5", "--discriminator-channels", "8", "--batch-size", "8", "--sample-every", "0", "--quiet", "--run"];
    let train: Vec<&str> = command.iter().copied().chain(brief).chain([run.to_str().unwrap()]).collect();
    for args in [train, vec!["export", run.to_str().unwrap(), "-o", model.to_str().unwrap()]] {
        let out = Command::new(pocketgan_binary().unwrap()).args(&args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
    model
}

/// `pocketgan sample --prompt` for one seed on a viewport-sized 1-bit display.
fn host_prompt_frame(model: &Path, dir: &Path, seed: u32, prompt: &str) -> Vec<u8> {
    host_sample(model, &dir.join(format!("host-{seed}-{}", prompt.replace(' ', "_"))), seed, &["--prompt", prompt])
}

#[test]
fn a_text_model_on_the_emulated_board_draws_what_sample_prompt_draws() {
    require_emulator();
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let model = train_briefly(dir, "text", &["train", "--data", "digits", "--captions", "--generator-channels", "16"]);
    let long = "seven ".repeat(12);
    let script = format!(
        "# boot (the first preset), typed prompts, a press, unknown words, the empty prompt,\n\
         # a long press (the presets again), a line longer than the board keeps\n\
         boot-seed 5\nprompt a thick seven\npress\nprompt a wobbly zero\nprompt\nlong-press\nlong-press\nprompt {long}\n"
    );
    let cut: String = long.chars().take(pocketgan_firmware::PROMPT_MAX).collect();
    let expected = [(5, "seven"), (5, "a thick seven"), (6, "a thick seven"), (6, "a wobbly zero"), (6, ""), (6, "seven"), (6, "a thick seven"), (6, cut.as_str())];
    let elf = build_board("emulated", None, Some(&model), dir).unwrap();
    let board = run_emulated(&elf, &script, &dir.join("board")).unwrap();
    assert_eq!(board.status, Some(0), "board log:\n{}", board.log);
    assert_eq!(board.frames.len(), expected.len(), "board log:\n{}", board.log);
    let mut distinct = std::collections::HashSet::new();
    for (k, (frame, &(seed, prompt))) in board.frames.iter().zip(&expected).enumerate() {
        let host = host_prompt_frame(&model, dir, seed, prompt);
        assert!(viewport(frame) == host, "frame {k}, seed {seed}, prompt {prompt:?}: the board differs from pocketgan sample --prompt");
        distinct.insert(host);
    }
    assert!(distinct.len() >= 4, "prompts and seeds must change the image");
    for line in [
        "prompt \"a thick seven\"",
        "unknown word \"wobbly\": left out",
        "no known word: an unconditional sample",
        "preset prompt \"seven\"",
        "preset prompt \"a thick seven\"",
        "the line was longer than 64 bytes",
    ] {
        assert!(board.log.contains(line), "{line:?} not in the board log:\n{}", board.log);
    }
}

/// 16-bit PCM mono WAV.
fn write_wav(path: &Path, rate: u32, samples: &[i16]) {
    pocketgan_host_trainer::data::wav::save_wav(path, rate, 1, samples).unwrap();
}

#[test]
fn a_sound_model_on_the_emulated_board_draws_what_sample_audio_draws() {
    require_emulator();
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let model = train_briefly(dir, "sound", &["train", "--data", "digits", "--spoken-digits", "--generator-channels", "16"]);
    let wavs = dir.join("wavs");
    let out = Command::new(pocketgan_binary().unwrap()).args(["data", "recordings", "--speaker", "theo", "-o"]).arg(&wavs).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let read = |name: &str| -> Vec<i16> { hound::WavReader::open(wavs.join(name)).unwrap().samples::<i16>().map(Result::unwrap).collect() };
    // The same three at 16 kHz (the runner resamples, as `sample --audio`
    // does), silence (nothing drawn), and a 2.5 s take (cut at 1.5 s).
    let three = read("3_theo_0.wav");
    write_wav(&dir.join("three-16k.wav"), 16_000, &three.iter().flat_map(|&s| [s, s]).collect::<Vec<_>>());
    write_wav(&dir.join("silence.wav"), 8000, &[0; 6000]);
    let long: Vec<i16> = [vec![0; 4000], read("5_theo_0.wav"), vec![0; 8000], three.clone()].concat();
    write_wav(&dir.join("long.wav"), 8000, &long[..20_000.min(long.len())]);
    let script = "# boot (nothing heard yet), recordings, a press, silence, a resampled file, a long one\n\
                  boot-seed 2\nlisten wavs/7_theo_0.wav\npress\nlisten wavs/3_theo_0.wav\nlisten silence.wav\nlisten three-16k.wav\nlisten long.wav\n";
    let bytes = std::fs::read(&model).unwrap();
    // Cortex-M4F and Cortex-M0+ (the Pico's) code: the same frames.
    let mut boards = Vec::new();
    for target in TARGETS {
        let work = dir.join(format!("board-{target}"));
        let (script, notes) = prepare_images(script, &bytes, dir, &work).unwrap();
        assert!(notes.iter().any(|n| n.contains("resampled from 16000 Hz")), "{notes:?}");
        std::fs::create_dir_all(dir.join(target)).unwrap();
        let elf = build_board("emulated", Some(target), Some(&model), &dir.join(target)).unwrap();
        let board = run_emulated(&elf, &script, &work).unwrap();
        assert_eq!(board.status, Some(0), "{target} board log:\n{}", board.log);
        boards.push(board);
    }
    // The captions' times differ; the images must not.
    let images = |b: &pocketgan_tests::emulator::EmulatorRun| b.frames.iter().map(|f| viewport(f)).collect::<Vec<_>>();
    assert!(images(&boards[0]) == images(&boards[1]), "the M4 and M0+ builds drew different images");
    let board = &boards[0];
    let expected: [(u32, &str); 5] = [(2, "wavs/7_theo_0.wav"), (3, "wavs/7_theo_0.wav"), (3, "wavs/3_theo_0.wav"), (3, "three-16k.wav"), (3, "long.wav")];
    // Frame 0 is the boot screen's "Say a digit"; silence draws nothing.
    assert_eq!(board.frames.len(), 1 + expected.len(), "board log:\n{}", board.log);
    for (k, (frame, &(seed, file))) in board.frames[1..].iter().zip(&expected).enumerate() {
        let host = host_sample(&model, &dir.join(format!("host-{k}")), seed, &["--audio", dir.join(file).to_str().unwrap()]);
        assert!(viewport(frame) == host, "frame {}, seed {seed}, {file}: the board differs from pocketgan sample --audio", k + 1);
    }
    for line in ["sound model: 10 labels", "heard \"", "% sure), speech in frames", "no speech heard: the recording is silent", "only the first 1.5 s is heard"] {
        assert!(board.log.contains(line), "{line:?} not in the board log:\n{}", board.log);
    }
}

/// A clock for the host-side app whose readings do not matter here.
struct Stopped;
impl Clock for Stopped {
    const TICKS_PER_MS: u64 = 1;
    fn ticks(&mut self) -> u64 {
        0
    }
}

#[test]
fn a_corrupt_model_is_reported_and_the_board_keeps_running() {
    require_emulator();
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = std::fs::read(repo_root().join("models/dcgan-digits.pgan")).unwrap();
    bytes[1000] ^= 0x40; // a weight: only the checksum can tell
    let corrupt = dir.path().join("corrupt.pgan");
    std::fs::write(&corrupt, &bytes).unwrap();
    let elf = build_board("emulated", None, Some(&corrupt), dir.path()).unwrap();
    let run = run_emulated(&elf, "press\nsensor 4095\nlong-press\n", &dir.path().join("run")).unwrap();
    assert_eq!(run.status, Some(0), "the board must keep running, log:\n{}", run.log);
    assert!(run.log.contains("model refused: the model file is corrupt: payload checksum"), "{}", run.log);
    assert!(run.log.contains("script done: 4 frames"), "{}", run.log);
    assert!(!run.log.contains("hard fault") && !run.log.contains("panic"), "{}", run.log);

    // Each frame is the error screen, exactly as the app draws it on the host.
    let mut buffers = Box::new(Buffers::new());
    let mut app = App::new(&bytes, &mut buffers, 0);
    let mut expected = vec![0u8; 1024];
    let mut fb = MonoFramebuffer::new(&mut expected, 128, 64).unwrap();
    app.on_event(Event::Press, &mut fb, &mut Stopped);
    assert!(fb.bytes().iter().any(|&b| b != 0));
    for frame in &run.frames {
        assert!(frame[..] == expected[..], "the board's error screen differs from the host's");
    }
}

#[test]
fn a_bad_script_line_is_named() {
    require_emulator();
    let dir = tempfile::tempdir().unwrap();
    let elf = build_board("emulated", None, None, dir.path()).unwrap();
    let run = run_emulated(&elf, "press\njump\n", &dir.path().join("run")).unwrap();
    assert_eq!(run.status, Some(2), "{}", run.log);
    assert!(run.log.contains("BadLine(2)"), "{}", run.log);
    assert_eq!(run.frames.len(), 2);
}

/// `before` with a stroke through `points` inked by the firmware's own
/// line code, as the board inks it.
fn inked(before: &[u8], points: &[(u16, u16)]) -> Vec<u8> {
    let mut pixels = vec![0u8; before.len()];
    let mut canvas = pocketgan_firmware::Canvas::new(&mut pixels, 28, 28, 1).unwrap();
    canvas.pixels_mut().copy_from_slice(before);
    canvas.line(points[0], points[0]).unwrap();
    for pair in points.windows(2) {
        canvas.line(pair[0], pair[1]).unwrap();
    }
    canvas.pixels().to_vec()
}

#[test]
fn a_translator_on_the_emulated_board_draws_what_pocketgan_translate_draws() {
    require_emulator();
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let pocketgan = pocketgan_binary().unwrap();
    let model = train_briefly(dir, "translator", &["train-translator", "--data", "skeletons", "--generator-channels", "8"]);
    let first: &[(u16, u16)] = &[(4, 4), (23, 4), (23, 23)];
    let second: &[(u16, u16)] = &[(6, 20), (14, 8)];
    let third: &[(u16, u16)] = &[(10, 3), (10, 25)];
    // An image file of another size (resized as `translate` resizes it),
    // handed to the board as the runner hands it: converted to a PGM.
    let photo = dir.join("photo.png");
    image::GrayImage::from_fn(56, 40, |x, y| image::Luma([if (x / 7 + y / 5) % 3 == 0 { 255 } else { (x * 4) as u8 }])).save(&photo).unwrap();
    let script = "# a translator: strokes, a clear, a stroke outside the canvas (ignored), one more stroke,\n\
                  # the first bundled sketch, an image file\n\
                  stroke 4,4 23,4 23,23\nstroke 6,20 14,8\nclear\nstroke 30,3 10,3\nstroke 10,3 10,25\npress\nimage photo.png\n";
    let model_file = std::fs::read(&model).unwrap();
    let (script, notes) = prepare_images(script, &model_file, dir, &dir.join("images")).unwrap();
    assert!(notes.len() == 1 && notes[0].contains("resized"), "{notes:?}");
    // Boot (blank), each stroke's lift, the clear, the refused stroke's
    // lift (nothing inked), the last stroke, the sketch, the image.
    let blank = vec![0u8; 28 * 28];
    let one = inked(&blank, first);
    let two = inked(&one, second);
    let mut sketch = blank.clone();
    pocketgan_firmware::SKETCHES[0].draw(&mut pocketgan_firmware::Canvas::new(&mut sketch, 28, 28, 1).unwrap()).unwrap();
    let (resized, _) = pocketgan_host_trainer::board::translate::load_input(&photo, pocketgan_shared::format::TensorShape { width: 28, height: 28, channels: 1 }).unwrap();
    let expected = [blank.clone(), one, two, blank.clone(), blank.clone(), inked(&blank, third), sketch, resized];
    let mut host = Vec::new();
    for (k, pixels) in expected.iter().enumerate() {
        // The sketch through `translate --sketches`, the image through
        // `translate photo.png`, the strokes' canvases as PNGs.
        let png = dir.join(format!("canvas-{k}.png"));
        image::GrayImage::from_raw(28, 28, pixels.clone()).unwrap().save(&png).unwrap();
        let raw = dir.join(format!("raw-{k}"));
        let mut cmd = Command::new(&pocketgan);
        cmd.arg("translate").arg(&model);
        match k {
            6 => cmd.arg("--sketches"),
            7 => cmd.arg(&photo),
            _ => cmd.arg(&png),
        };
        let out = cmd
            .args(["-o", dir.join("grid.png").to_str().unwrap(), "--raw", raw.to_str().unwrap(), "--display", "64x64", "--pixels", "mono"])
            .output()
            .unwrap();
        assert!(out.status.success(), "pocketgan translate: {}", String::from_utf8_lossy(&out.stderr));
        host.push(std::fs::read(raw.join("output-000.raw")).unwrap());
    }
    let distinct: std::collections::HashSet<&Vec<u8>> = host.iter().collect();
    // A translator trained for 5 steps may draw some canvases black: the
    // test needs only that the strokes change what is drawn.
    assert!(distinct.len() >= 2 && host.iter().any(|f| f.iter().any(|&b| b != 0)), "the translations must be drawn and differ");
    for target in TARGETS {
        let elf = build_board("emulated", Some(target), Some(&model), dir).unwrap();
        let work = dir.join(target);
        copy_dir(&dir.join("images"), &work);
        let board = run_emulated(&elf, &script, &work).unwrap();
        assert_eq!(board.status, Some(0), "{target} board log:\n{}", board.log);
        assert_eq!(board.frames.len(), host.len(), "{target} board log:\n{}", board.log);
        for (k, frame) in board.frames.iter().enumerate() {
            let mut copy = frame.clone();
            let fb = MonoFramebuffer::new(&mut copy, DISPLAY.0, DISPLAY.1).unwrap();
            let mut output = vec![0u8; MonoFramebuffer::bytes_for(VIEWPORT, VIEWPORT)];
            fb.crop(DISPLAY.0 - VIEWPORT, 0, VIEWPORT, VIEWPORT, &mut output).unwrap();
            assert!(output == host[k], "{target}, frame {k}: the board's translation differs from pocketgan translate's");
            let input_lit = (0..VIEWPORT).flat_map(|x| (0..VIEWPORT).map(move |y| (x, y))).filter(|&(x, y)| fb.is_lit(x, y)).count();
            let strokes = expected[k].iter().filter(|&&p| p > 0).count();
            assert_eq!(input_lit > 0, strokes > 0, "{target}, frame {k}: the canvas shows {input_lit} lit pixels for {strokes} inked");
        }
        assert!(board.log.contains("stroke outside the canvas"), "{}", board.log);
        assert!(board.log.contains("translated:"), "{}", board.log);
        assert!(board.log.contains("sketch 0: zero"), "{}", board.log);
    }
    // An image of the wrong size ends the script with the reason.
    let elf = build_board("emulated", Some(TARGETS[0]), Some(&model), dir).unwrap();
    let work = dir.join("wrong-size");
    std::fs::create_dir_all(&work).unwrap();
    std::fs::write(work.join("small.pgm"), [b"P5\n4 4\n255\n".as_slice(), &[0u8; 16]].concat()).unwrap();
    let board = run_emulated(&elf, "image small.pgm\n", &work).unwrap();
    assert_eq!(board.status, Some(2), "{}", board.log);
    assert!(board.log.contains("WrongShape"), "{}", board.log);
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

#[test]
fn the_emulated_board_computes_the_hosts_mfccs_bit_for_bit() {
    use pocketgan_shared::audio::{COEFFICIENTS, frame_count, recording_features, test_signal};
    require_emulator();
    let dir = tempfile::tempdir().unwrap();
    let mut samples = vec![0i16; 8000];
    test_signal(&mut samples);
    let frames = frame_count(samples.len());
    let (mut mfcc, mut energies) = (vec![[0i32; COEFFICIENTS]; frames], vec![0i32; frames]);
    let span = recording_features(&samples, &mut mfcc, &mut energies).unwrap();
    let bytes: Vec<u8> = mfcc.iter().flatten().flat_map(|v| v.to_le_bytes()).collect();
    let expected = format!(
        "bench-mfcc: {frames} frames, TICKS ticks, speech frames {}..{}, checksum {:08x}",
        span.start,
        span.end,
        pocketgan_shared::format::crc32(&bytes)
    );
    // The Cortex-M4F and the Cortex-M0+ builds, as for the generator.
    for target in TARGETS {
        let elf = build_board("emulated", Some(target), None, dir.path()).unwrap();
        let board = run_emulated(&elf, "bench-mfcc\n", &dir.path().join(target)).unwrap();
        assert_eq!(board.status, Some(0), "{target}: {}", board.log);
        let line = board.log.lines().find(|l| l.contains("bench-mfcc:")).unwrap_or_else(|| panic!("{target}: no bench line:\n{}", board.log));
        let ticks = line.split(" frames, ").nth(1).and_then(|r| r.split(' ').next()).unwrap();
        println!("{target}: {line}");
        assert!(line.ends_with(&expected.replace("TICKS", ticks)), "{target}: {line}\nhost: {expected}");
    }
}
