//! What the real boards share: an SSD1306 OLED as a [`Screen`] and
//! embassy-time as a [`Clock`]. Pins and peripherals stay in each board's
//! `main.rs`, except for the two Picos, whose identical wiring is
//! [`pico`] (feature `pico`).
#![no_std]

#[cfg(feature = "pico")]
pub mod pico;

use embassy_time::Instant;
use pocketgan_firmware::embedded_graphics::pixelcolor::BinaryColor;
use pocketgan_firmware::{Clock, Screen};
use ssd1306::mode::BufferedGraphicsMode;
use ssd1306::prelude::*;
use ssd1306::{I2CDisplayInterface, Ssd1306};

/// A 128×64 SSD1306 in buffered-graphics mode on interface `DI`.
pub type Oled<DI> = Ssd1306<DI, DisplaySize128x64, BufferedGraphicsMode<DisplaySize128x64>>;

/// An SSD1306 128×64 OLED: the app draws into its RAM buffer, and
/// presenting sends the buffer over the bus.
pub struct OledScreen<DI> {
    oled: Oled<DI>,
    wiring: &'static str,
}

impl<I2C: embedded_hal_1::i2c::I2c> OledScreen<I2CInterface<I2C>> {
    /// Initializes an OLED at the usual I2C address 0x3C. `wiring` names
    /// the pins for the message shown when the display does not answer (the
    /// board then runs on, logging, without a display).
    pub fn i2c(i2c: I2C, wiring: &'static str) -> Self {
        let mut oled = Ssd1306::new(I2CDisplayInterface::new(i2c), DisplaySize128x64, DisplayRotation::Rotate0)
            .into_buffered_graphics_mode();
        if oled.init().is_err() {
            defmt::warn!("no SSD1306 at I2C address 0x3C (check {=str}); running without a display", wiring);
        }
        OledScreen { oled, wiring }
    }
}

impl<DI: WriteOnlyDataCommand> Screen for OledScreen<DI> {
    type Color = BinaryColor;
    type Target = Oled<DI>;

    fn target(&mut self) -> &mut Oled<DI> {
        &mut self.oled
    }

    async fn present(&mut self) {
        if self.oled.flush().is_err() {
            defmt::warn!("the OLED did not answer (check {=str})", self.wiring);
        }
    }
}

/// embassy-time's monotonic clock.
pub struct EmbassyClock;

impl Clock for EmbassyClock {
    const TICKS_PER_MS: u64 = embassy_time::TICK_HZ / 1000;
    fn ticks(&mut self) -> u64 {
        Instant::now().as_ticks()
    }
}
