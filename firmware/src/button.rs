//! The usual physical input: a push button and an analog sensor.

use embassy_futures::select::{Either, select};
use embedded_hal::digital::InputPin;
use embedded_hal_async::delay::DelayNs;
use embedded_hal_async::digital::Wait;

use crate::input::{Event, Input, SensorFilter};

/// Contact bounce settles well within this.
const DEBOUNCE_MS: u32 = 20;
/// Held at least this long, a press is a long press.
const LONG_PRESS_MS: u32 = 600;
/// How often the sensor is read while waiting for the button.
const SENSOR_PERIOD_MS: u32 = 50;
/// Sensor changes smaller than this (of 4095) are noise.
const SENSOR_THRESHOLD: u16 = 48;

/// An [`Input`] from an active-low button (pressed = low; wire it to ground
/// with the pin's pull-up on) and an analog sensor read as 12 bits.
///
/// Presses are debounced (a pin that is high again 20 ms after going low
/// was a glitch, not a press); a press held for 600 ms is a
/// [`Event::LongPress`]. The sensor is read every 50 ms while the button is
/// idle and raises [`Event::Sensor`] when it moves by 48 counts or more.
pub struct ButtonAndSensor<B, D, S> {
    button: B,
    delay: D,
    read_sensor: S,
    filter: SensorFilter,
}

impl<B: Wait + InputPin, D: DelayNs, S: FnMut() -> Option<u16>> ButtonAndSensor<B, D, S> {
    /// Wraps a button pin, a delay and a sensor-reading function (which
    /// returns `None` when the sensor cannot be read, or is not fitted).
    pub fn new(button: B, delay: D, read_sensor: S) -> Self {
        ButtonAndSensor { button, delay, read_sensor, filter: SensorFilter::new(SENSOR_THRESHOLD) }
    }
}

impl<B: Wait + InputPin, D: DelayNs, S: FnMut() -> Option<u16>> Input for ButtonAndSensor<B, D, S> {
    async fn next_event(&mut self) -> Option<Event> {
        loop {
            match select(self.button.wait_for_low(), self.delay.delay_ms(SENSOR_PERIOD_MS)).await {
                Either::First(Ok(())) => {
                    self.delay.delay_ms(DEBOUNCE_MS).await;
                    if self.button.is_high().unwrap_or(false) {
                        continue;
                    }
                    let held = select(self.button.wait_for_high(), self.delay.delay_ms(LONG_PRESS_MS)).await;
                    let event = match held {
                        Either::First(_) => Event::Press,
                        Either::Second(()) => {
                            let _ = self.button.wait_for_high().await;
                            Event::LongPress
                        }
                    };
                    // Let the release bounce settle before listening again.
                    self.delay.delay_ms(DEBOUNCE_MS).await;
                    return Some(event);
                }
                Either::First(Err(_)) => {
                    warn!("cannot read the button pin");
                    self.delay.delay_ms(SENSOR_PERIOD_MS).await;
                }
                Either::Second(()) => {
                    if let Some(event) = (self.read_sensor)().and_then(|r| self.filter.feed(r)) {
                        return Some(event);
                    }
                }
            }
        }
    }
}
