//! What `pocketgan fit` assumes about each board holds for the real
//! firmware builds: the firmware's own flash and RAM stay inside the
//! reserves in `boards/NAME/board.toml`, and the instructions per MAC it
//! uses for its time estimate match the emulator's count. And the kernels
//! the boards run equal the reference kernels on the emulated cores.

use pocketgan_firmware::{Buffers, MODEL_FILE};
use pocketgan_host_trainer::board::fit::board;
use pocketgan_shared::Model;
use pocketgan_tests::emulator::{board_default_model, build_board, emulator_missing, footprint, generation_ticks, layer_ticks, run_emulated};

/// Stack the firmware may use on top of its static RAM.
const STACK_HEADROOM: u64 = 8 * 1024;

#[test]
fn firmware_fits_the_reserves_fit_assumes() {
    if let Some(why) = emulator_missing() {
        panic!("the board tests need {why}");
    }
    let dir = tempfile::tempdir().unwrap();
    for id in ["emulated", "stm32f411-blackpill", "rp-pico", "rp-pico2", "rp-pico-touch"] {
        let b = board(id).unwrap();
        let elf = build_board(id, None, None, dir.path()).unwrap();
        let f = footprint(&elf).unwrap();
        // Each board's own model (the touch board builds in a translator).
        let model_file = std::fs::read(board_default_model(id)).unwrap();
        let model = Model::parse(&model_file).unwrap();
        let firmware_flash = f.flash - model_file.len() as u64;
        let firmware_ram = f.ram - Buffers::ram_bytes_for(&model) as u64;
        println!("{id}: {f:?}, firmware {firmware_flash} B flash, {firmware_ram} B RAM + stack");
        assert!(firmware_flash <= b.firmware_flash, "{id}: firmware takes {firmware_flash} B of flash, board.toml reserves {}", b.firmware_flash);
        assert!(
            firmware_ram + STACK_HEADROOM <= b.firmware_ram,
            "{id}: firmware takes {firmware_ram} B of RAM + {STACK_HEADROOM} B of stack, board.toml reserves {}",
            b.firmware_ram
        );
        assert!(f.flash <= b.flash && f.ram <= b.ram, "{id}: {f:?} exceeds memory.x");
    }
}

/// The RAM `pocketgan fit` offers a model on a real board (memory.x's RAM
/// less board.toml's firmware reserve) is the budget the board's firmware
/// checks at compile time (`APP_RAM_BUDGET` in its main.rs): a model `fit`
/// accepts builds, and one the build refuses `fit` refuses.
#[test]
fn fit_offers_the_ram_the_firmware_budgets() {
    for id in ["stm32f411-blackpill", "rp-pico", "rp-pico2", "rp-pico-touch"] {
        let main = std::fs::read_to_string(pocketgan_tests::emulator::repo_root().join(format!("boards/{id}/src/main.rs"))).unwrap();
        let line = main.lines().find(|l| l.starts_with("const APP_RAM_BUDGET: usize =")).unwrap_or_else(|| panic!("{id}: no APP_RAM_BUDGET"));
        let kib: u64 = line.split('=').nth(1).and_then(|v| v.trim().strip_suffix("* 1024;")).and_then(|v| v.trim().parse().ok()).unwrap_or_else(|| panic!("{id}: {line}"));
        let b = board(id).unwrap();
        assert_eq!(b.ram - b.firmware_ram, kib * 1024, "{id}: fit offers {} B, the firmware budgets {} B", b.ram - b.firmware_ram, kib * 1024);
    }
}

#[test]
fn time_estimates_use_the_measured_instructions_per_mac() {
    if let Some(why) = emulator_missing() {
        panic!("the board tests need {why}");
    }
    let dir = tempfile::tempdir().unwrap();
    // The default generator, and the committed translator (a press draws
    // its first sketch).
    let translator = pocketgan_tests::emulator::repo_root().join("models/unet-skeletons.pgan");
    for model_path in [None, Some(translator.as_path())] {
        let bytes = model_path.map_or_else(|| MODEL_FILE.to_vec(), |p| std::fs::read(p).unwrap());
        let model = Model::parse(&bytes).unwrap();
        let macs = model.macs() as f64;
        // Cortex-M4 code stands for the F411; ARMv6-M code for the RP2040;
        // Cortex-M33 code (on QEMU's mps2-an505) for the RP2350.
        for (target, boards) in [
            ("thumbv7em-none-eabihf", &["emulated", "stm32f411-blackpill"][..]),
            ("thumbv6m-none-eabi", &["rp-pico", "rp-pico-touch"]),
            ("thumbv8m.main-none-eabihf", &["rp-pico2"]),
        ] {
            let elf = build_board("emulated", Some(target), model_path, dir.path()).unwrap();
            let run = run_emulated(&elf, "press\n", &dir.path().join(target)).unwrap();
            let ticks = generation_ticks(&run.log);
            assert_eq!(ticks.len(), 2, "{}", run.log);
            let measured = ticks[1] as f64 / macs;
            for &id in boards {
                let assumed = board(id).unwrap().instructions_per_mac_for(&model);
                assert!(
                    (measured / assumed - 1.0).abs() < 0.05,
                    "{id}: {target} code takes {measured:.2} instructions/MAC for {} in the emulator, board.toml says {assumed}",
                    model.header().name
                );
            }
        }
    }
}

#[test]
fn optimized_kernels_equal_the_reference_on_the_emulated_cores() {
    // The on-target half of shared's exact-equality tests: every layer of
    // the default model, reference and optimized kernels, M4, M0+ and M33 code.
    if let Some(why) = emulator_missing() {
        panic!("the board tests need {why}");
    }
    let dir = tempfile::tempdir().unwrap();
    let layers = Model::parse(MODEL_FILE).unwrap().layers().count();
    for target in ["thumbv7em-none-eabihf", "thumbv6m-none-eabi", "thumbv8m.main-none-eabihf"] {
        let elf = build_board("emulated", Some(target), None, dir.path()).unwrap();
        let run = run_emulated(&elf, "bench-layers\n", &dir.path().join(target)).unwrap();
        let ticks = layer_ticks(&run.log);
        assert_eq!(ticks.len(), layers, "{target}: {}", run.log);
        assert!(ticks.iter().all(|t| t.equal), "{target}: kernels disagree:\n{}", run.log);
        assert_eq!(run.status, Some(0), "{target}: {}", run.log);
        // The optimized kernels are the faster ones on every layer.
        assert!(ticks.iter().all(|t| t.optimized < t.reference), "{target}: {ticks:?}");
    }
}
