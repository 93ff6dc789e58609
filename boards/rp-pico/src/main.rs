//! pocketgan on a Raspberry Pi Pico (RP2040: Cortex-M0+, no FPU, no DSP).
//!
//! Wiring: the Pico family's, in [`pocketgan_board_common::pico`] (SSD1306
//! on I2C0 at GP4/GP5, button on GP15, potentiometer on GP26/ADC0).
//!
//! Core clock 125 MHz. Log: defmt over RTT. The generator runs the
//! Cortex-M0+ kernels (Thumb-1 `MULS` loops).
#![no_std]
#![no_main]

use defmt_rtt as _;
use embassy_executor::Spawner;
use panic_probe as _;
use pocketgan_firmware::Buffers;
use static_cell::ConstStaticCell;

/// RAM left for the app after the display buffer, stack and executor.
const APP_RAM_BUDGET: usize = 224 * 1024;
const _: () = assert!(
    Buffers::ram_bytes() <= APP_RAM_BUDGET,
    "the model needs more RAM than the RP2040 can give it: check it with `pocketgan fit MODEL --board rp-pico`"
);

static BUFFERS: ConstStaticCell<Buffers> = ConstStaticCell::new(Buffers::new());

#[embassy_executor::main]
async fn main(_spawner: Spawner) {
    let p = embassy_rp::init(Default::default());
    pocketgan_board_common::pico::run_app(p, BUFFERS.take(), "Raspberry Pi Pico").await;
}
