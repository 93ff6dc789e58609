//! pocketgan on an emulated board: QEMU's `mps2-an386` (Cortex-M4F) with
//! the memory of an STM32F411.
//!
//! - Display: a 128×64 1-bit framebuffer in RAM (an SSD1306's size); each
//!   image shown is dumped to the host as `frame-NNN.fb` (rows MSB-first,
//!   the layout of `pocketgan sample --raw … --pixels mono`).
//! - Input: the host file `pocketgan-input.txt` (see [`script`]), and the
//!   images (see [`netpbm`]) and recordings (see [`recording`]) it names,
//!   read through semihosting.
//! - Clock: SysTick; under `-icount shift=0` (see `run-qemu`) it counts
//!   executed instructions, reported as ticks.
//! - Log: defmt over semihosting, decoded on the host by `defmt-print`.
//! - Exit status: 0 when the script is done, 2 for a bad script, 3 for a
//!   fault, 4 when `bench-layers` finds kernels that disagree, 101 for a panic.
#![no_std]
#![no_main]

mod clock;
mod layer_bench;
mod mfcc_bench;
mod netpbm;
mod recording;
mod screen;
mod script;

use cortex_m_rt::{ExceptionFrame, entry, exception};
use defmt_semihosting as _;
use pocketgan_firmware::{App, Buffers, MODEL_FILE, run};
use static_cell::ConstStaticCell;

use clock::InstructionClock;
use screen::{DumpScreen, FRAMEBUFFER_BYTES};
use script::{Bench, Script};

static BUFFERS: ConstStaticCell<Buffers> = ConstStaticCell::new(Buffers::new());
static FRAMEBUFFER: ConstStaticCell<[u8; FRAMEBUFFER_BYTES]> = ConstStaticCell::new([0; FRAMEBUFFER_BYTES]);
static SCRIPT: ConstStaticCell<[u8; script::MAX_LEN]> = ConstStaticCell::new([0; script::MAX_LEN]);

#[entry]
fn main() -> ! {
    let core = cortex_m::Peripherals::take().unwrap();
    let mut clock = InstructionClock::start(core.SYST);
    defmt::info!(
        "emulated board: 512 KiB flash, 128 KiB RAM; model file {=usize} B, app buffers {=usize} B",
        MODEL_FILE.len(),
        Buffers::ram_bytes()
    );
    let mut script = match Script::load(SCRIPT.take()) {
        Ok(s) => s,
        Err(e) => {
            defmt::error!("input script: {}", e);
            semihosting::process::exit(2)
        }
    };
    let buffers = BUFFERS.take();
    match script.bench() {
        Some(Bench::Layers) => {
            let equal = layer_bench::run(MODEL_FILE, &mut buffers.scratch, &mut clock);
            semihosting::process::exit(if equal { 0 } else { 4 })
        }
        Some(Bench::Mfcc) => {
            mfcc_bench::run(&mut clock, MODEL_FILE, &mut buffers.scratch, buffers.hearing.first_mut());
            semihosting::process::exit(0)
        }
        None => {}
    }
    let mut app = App::new(MODEL_FILE, buffers, script.boot_seed());
    let mut screen = DumpScreen::new(FRAMEBUFFER.take());
    embassy_futures::block_on(run(&mut app, &mut script, &mut screen, &mut clock));
    if let Some(e) = script.error() {
        defmt::error!("input script: {}", e);
        semihosting::process::exit(2)
    }
    defmt::info!("script done: {=u32} frames", screen.frames());
    semihosting::process::exit(0)
}

#[exception]
unsafe fn HardFault(frame: &ExceptionFrame) -> ! {
    defmt::error!("hard fault at pc {=u32:#010x}", frame.pc());
    semihosting::process::exit(3)
}

#[exception]
unsafe fn DefaultHandler(irq: i16) {
    defmt::error!("unexpected exception {=i16}", irq);
    semihosting::process::exit(3)
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    // Not panic-probe: its `udf` would hang QEMU instead of ending it.
    defmt::error!("panic: {}", defmt::Display2Format(info));
    semihosting::process::exit(101)
}
