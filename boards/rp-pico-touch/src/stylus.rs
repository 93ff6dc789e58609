//! The XPT2046 and the clear button as the app's [`Input`]: while the pen
//! is down (T_IRQ low) the controller is read every few milliseconds and
//! each new canvas pixel becomes a segment; a lift that lasts 40 ms ends
//! the stroke (shorter gaps are the film bouncing); the button clears.

use embassy_futures::select::{Either, select};
use embassy_rp::gpio::Input as Pin;
use embassy_time::Timer;
use embedded_hal::spi::SpiDevice;
use pocketgan_firmware::{Event, Input, StrokeTracker, TouchCalibration};
use tsc2046::Tsc2046;

/// How often the pen's position is read while it is down.
const SAMPLE_MS: u64 = 4;
/// How long the pen must be up to end a stroke.
const LIFT_MS: u64 = 40;
/// Button debounce.
const DEBOUNCE_MS: u64 = 20;

/// The stylus and the clear button.
pub struct Stylus<'d, SPI> {
    touch: Tsc2046<SPI>,
    pen: Pin<'d>,
    button: Pin<'d>,
    calibration: TouchCalibration,
    display: (u16, u16),
    tracker: StrokeTracker,
    drawing: bool,
}

impl<'d, SPI: SpiDevice> Stylus<'d, SPI> {
    /// The stylus: `pen` is T_IRQ (low while touched), `button` the clear
    /// button (low while pressed); `tracker` maps display pixels to the
    /// canvas.
    pub fn new(touch: Tsc2046<SPI>, pen: Pin<'d>, button: Pin<'d>, calibration: TouchCalibration, display: (u16, u16), tracker: StrokeTracker) -> Self {
        Stylus { touch, pen, button, calibration, display, tracker, drawing: false }
    }
}

impl<SPI: SpiDevice> Input for Stylus<'_, SPI> {
    async fn next_event(&mut self) -> Option<Event> {
        loop {
            if self.pen.is_low() {
                match self.touch.get_touch() {
                    Ok(Some(point)) => {
                        defmt::debug!("touch raw x {=u16} y {=u16}", point.x, point.y);
                        let at = self.calibration.to_display((point.x, point.y), self.display);
                        if let Some(event) = self.tracker.pen_at(at) {
                            self.drawing = true;
                            return Some(event);
                        }
                    }
                    Ok(None) => {}
                    Err(_) => defmt::warn!("the XPT2046 did not answer"),
                }
                Timer::after_millis(SAMPLE_MS).await;
            } else if self.drawing {
                Timer::after_millis(LIFT_MS).await;
                if self.pen.is_high() {
                    self.drawing = false;
                    if let Some(event) = self.tracker.pen_up() {
                        return Some(event);
                    }
                }
            } else {
                match select(self.pen.wait_for_low(), self.button.wait_for_low()).await {
                    Either::First(()) => {}
                    Either::Second(()) => {
                        Timer::after_millis(DEBOUNCE_MS).await;
                        self.button.wait_for_high().await;
                        return Some(Event::Clear);
                    }
                }
            }
        }
    }
}
