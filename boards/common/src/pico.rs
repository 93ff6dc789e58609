//! The Raspberry Pi Pico family's wiring, in one place: the Pico (RP2040)
//! and the Pico 2 (RP2350) have the same pinout, and embassy-rp the same
//! API for both, so their binaries differ only in the chip (the embassy-rp
//! feature each board crate enables) and their RAM budget.
//!
//! | part | pin |
//! |---|---|
//! | SSD1306 128×64 OLED, I2C0 | SDA → GP4 (pin 6), SCL → GP5 (pin 7), VCC → 3V3 (pin 36), GND |
//! | button | GP15 (pin 20) to GND |
//! | potentiometer / light sensor | wiper → GP26 / ADC0 (pin 31), ends → 3V3 and AGND (pin 33) |

use crate::{EmbassyClock, OledScreen};
use embassy_rp::adc::{self, Adc, Channel};
use embassy_rp::bind_interrupts;
use embassy_rp::clocks::RoscRng;
use embassy_rp::gpio::{Input, Pull};
use embassy_rp::i2c::{self, I2c};
use embassy_time::Delay;
use pocketgan_firmware::{App, Buffers, ButtonAndSensor, MODEL_FILE, run};

bind_interrupts!(struct Irqs {
    ADC_IRQ_FIFO => adc::InterruptHandler;
});

/// Runs the app on a Pico-family board named `board` (for the log), with
/// the model built into the firmware and the app's `buffers`.
pub async fn run_app(p: embassy_rp::Peripherals, buffers: &'static mut Buffers, board: &'static str) {
    defmt::info!("pocketgan on {=str}: model file {=usize} B, app buffers {=usize} B", board, MODEL_FILE.len(), Buffers::ram_bytes());

    let mut i2c_config = i2c::Config::default();
    i2c_config.frequency = 400_000;
    let i2c = I2c::new_blocking(p.I2C0, p.PIN_5, p.PIN_4, i2c_config);
    let mut screen = OledScreen::i2c(i2c, "SDA=GP4, SCL=GP5, 3V3");

    let mut adc = Adc::new(p.ADC, Irqs, adc::Config::default());
    let mut pot = Channel::new_pin(p.PIN_26, Pull::None);
    // The ring oscillator's jitter: a different first seed each power-up.
    let seed = RoscRng.next_u32();
    let button = Input::new(p.PIN_15, Pull::Up);
    let mut input = ButtonAndSensor::new(button, Delay, move || adc.blocking_read(&mut pot).ok());

    let mut app = App::new(MODEL_FILE, buffers, seed);
    run(&mut app, &mut input, &mut screen, &mut EmbassyClock).await;
}
