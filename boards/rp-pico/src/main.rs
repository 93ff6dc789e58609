//! pocketgan on a Raspberry Pi Pico (RP2040: Cortex-M0+, no FPU, no DSP).
//!
//! | part | pin |
//! |---|---|
//! | SSD1306 128×64 OLED, I2C0 | SDA → GP4 (pin 6), SCL → GP5 (pin 7), VCC → 3V3 (pin 36), GND |
//! | button | GP15 (pin 20) to GND |
//! | potentiometer / light sensor | wiper → GP26 / ADC0 (pin 31), ends → 3V3 and AGND (pin 33) |
//!
//! Core clock 125 MHz. Log: defmt over RTT.
#![no_std]
#![no_main]

use defmt_rtt as _;
use embassy_executor::Spawner;
use embassy_rp::adc::{self, Adc, Channel};
use embassy_rp::bind_interrupts;
use embassy_rp::clocks::RoscRng;
use embassy_rp::gpio::{Input, Pull};
use embassy_rp::i2c::{self, I2c};
use embassy_rp::peripherals::I2C0;
use embassy_time::{Delay, Instant};
use panic_probe as _;
use pocketgan_firmware::embedded_graphics::pixelcolor::BinaryColor;
use pocketgan_firmware::{App, Buffers, ButtonAndSensor, Clock, MODEL_FILE, Screen, run};
use ssd1306::mode::BufferedGraphicsMode;
use ssd1306::prelude::*;
use ssd1306::{I2CDisplayInterface, Ssd1306};
use static_cell::ConstStaticCell;

/// RAM left for the app after the display buffer, stack and executor.
const APP_RAM_BUDGET: usize = 224 * 1024;
const _: () = assert!(
    Buffers::ram_bytes() <= APP_RAM_BUDGET,
    "the model needs more RAM than the RP2040 can give it: check it with `pocketgan fit MODEL --board rp-pico`"
);

bind_interrupts!(struct Irqs {
    ADC_IRQ_FIFO => adc::InterruptHandler;
});

static BUFFERS: ConstStaticCell<Buffers> = ConstStaticCell::new(Buffers::new());

type Oled = Ssd1306<I2CInterface<I2c<'static, I2C0, i2c::Blocking>>, DisplaySize128x64, BufferedGraphicsMode<DisplaySize128x64>>;

struct OledScreen(Oled);

impl Screen for OledScreen {
    type Color = BinaryColor;
    type Target = Oled;
    fn target(&mut self) -> &mut Oled {
        &mut self.0
    }
    async fn present(&mut self) {
        if self.0.flush().is_err() {
            defmt::warn!("the OLED did not answer on I2C0 (check SDA=GP4, SCL=GP5, 3V3)");
        }
    }
}

struct EmbassyClock;

impl Clock for EmbassyClock {
    const TICKS_PER_MS: u64 = embassy_time::TICK_HZ / 1000;
    fn ticks(&mut self) -> u64 {
        Instant::now().as_ticks()
    }
}

#[embassy_executor::main]
async fn main(_spawner: Spawner) {
    let p = embassy_rp::init(Default::default());
    defmt::info!("pocketgan on Raspberry Pi Pico: model file {=usize} B, app buffers {=usize} B", MODEL_FILE.len(), Buffers::ram_bytes());

    let mut i2c_config = i2c::Config::default();
    i2c_config.frequency = 400_000;
    let i2c = I2c::new_blocking(p.I2C0, p.PIN_5, p.PIN_4, i2c_config);
    let mut oled = Ssd1306::new(I2CDisplayInterface::new(i2c), DisplaySize128x64, DisplayRotation::Rotate0)
        .into_buffered_graphics_mode();
    if oled.init().is_err() {
        defmt::warn!("no SSD1306 at I2C address 0x3C (check SDA=GP4, SCL=GP5, 3V3); running without a display");
    }

    let mut adc = Adc::new(p.ADC, Irqs, adc::Config::default());
    let mut pot = Channel::new_pin(p.PIN_26, Pull::None);
    // The ring oscillator's jitter: a different first seed each power-up.
    let seed = RoscRng.next_u32();
    let button = Input::new(p.PIN_15, Pull::Up);
    let mut input = ButtonAndSensor::new(button, Delay, move || adc.blocking_read(&mut pot).ok());

    let mut app = App::new(MODEL_FILE, BUFFERS.take(), seed);
    run(&mut app, &mut input, &mut OledScreen(oled), &mut EmbassyClock).await;
}
