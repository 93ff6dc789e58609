//! pocketgan on a Raspberry Pi Pico 2 (RP2350A: two Cortex-M33 cores with
//! the DSP extension and an FPU; this app uses one). The Pico 2 keeps the
//! Pico's pinout, so the wiring is the same as `rp-pico`'s.
//!
//! | part | pin |
//! |---|---|
//! | SSD1306 128×64 OLED, I2C0 | SDA → GP4 (pin 6), SCL → GP5 (pin 7), VCC → 3V3 (pin 36), GND |
//! | button | GP15 (pin 20) to GND |
//! | potentiometer / light sensor | wiper → GP26 / ADC0 (pin 31), ends → 3V3 and AGND (pin 33) |
//!
//! Core clock 150 MHz (embassy-rp's default for the RP2350). Log: defmt
//! over RTT. The generator runs the `SMLAD` kernels (built for
//! `target-cpu=cortex-m33`, see `.cargo/config.toml`).
#![no_std]
#![no_main]

use defmt_rtt as _;
use embassy_executor::Spawner;
use embassy_rp::adc::{self, Adc, Channel};
use embassy_rp::bind_interrupts;
use embassy_rp::clocks::RoscRng;
use embassy_rp::gpio::{Input, Pull};
use embassy_rp::i2c::{self, I2c};
use embassy_time::Delay;
use panic_probe as _;
use pocketgan_board_common::{EmbassyClock, OledScreen};
use pocketgan_firmware::{App, Buffers, ButtonAndSensor, MODEL_FILE, run};
use static_cell::ConstStaticCell;

/// RAM left for the app after the display buffer, stack and executor.
const APP_RAM_BUDGET: usize = 480 * 1024;
const _: () = assert!(
    Buffers::ram_bytes() <= APP_RAM_BUDGET,
    "the model needs more RAM than the RP2350 can give it: check it with `pocketgan fit MODEL --board rp-pico2`"
);

bind_interrupts!(struct Irqs {
    ADC_IRQ_FIFO => adc::InterruptHandler;
});

static BUFFERS: ConstStaticCell<Buffers> = ConstStaticCell::new(Buffers::new());

#[embassy_executor::main]
async fn main(_spawner: Spawner) {
    let p = embassy_rp::init(Default::default());
    defmt::info!("pocketgan on Raspberry Pi Pico 2: model file {=usize} B, app buffers {=usize} B", MODEL_FILE.len(), Buffers::ram_bytes());

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

    let mut app = App::new(MODEL_FILE, BUFFERS.take(), seed);
    run(&mut app, &mut input, &mut screen, &mut EmbassyClock).await;
}
