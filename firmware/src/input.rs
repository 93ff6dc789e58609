//! What a board provides: inputs, a screen and a clock.

use embedded_graphics::draw_target::DrawTarget;
use embedded_graphics::geometry::OriginDimensions;

use crate::canvas::Canvas;
use pocketgan_shared::hearing::Hearing;
use crate::prompt::PromptText;
use crate::color::PanelColor;

/// Largest sensor reading: sensors are read as 12-bit values (an ADC's
/// natural range; boards scale others to it).
pub const SENSOR_MAX: u16 = 4095;

/// Something the user did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Event {
    /// A short button press: draw the next seed.
    Press,
    /// A long button press: the next class of a conditional model.
    LongPress,
    /// A new sensor reading in `0..=SENSOR_MAX` (a potentiometer, a light
    /// sensor, an accelerometer's tilt): walks the latent from the current
    /// seed (0) towards the next one ([`SENSOR_MAX`]).
    Sensor(u16),
    /// A translator's stylus moved from one canvas pixel to another while
    /// touching (the line between them is inked).
    Segment {
        /// Where the pen was, in the canvas's pixels.
        from: (u16, u16),
        /// Where it is.
        to: (u16, u16),
    },
    /// The stylus lifted: translate what is drawn.
    Lift,
    /// Clear the canvas (a translator's button).
    Clear,
    /// The input holds an image for a translator's canvas: the app asks
    /// for it with [`Input::load_image`], then translates it.
    Image,
    /// A line was typed for a text model: the app takes it with
    /// [`Input::read_prompt`], then draws it.
    Prompt,
    /// The push-to-talk button was released: the input streams what was
    /// said into the app's [`Hearing`] ([`Input::listen`]) and a sound
    /// model draws what it heard.
    Recording,
}

/// A source of [`Event`]s.
#[allow(async_fn_in_trait)] // boards run a single-threaded executor
pub trait Input {
    /// Waits for the next event. `None` means the input has ended (a
    /// scripted sequence ran out) and the app should stop.
    async fn next_event(&mut self) -> Option<Event>;

    /// After an [`Event::Image`]: writes the image into a translator's
    /// canvas. Returns whether it did (an input without images, or one whose
    /// image does not fit the canvas, returns `false` and the event is
    /// ignored).
    fn load_image(&mut self, canvas: &mut Canvas<'_>) -> bool {
        let _ = canvas;
        false
    }

    /// After an [`Event::Prompt`]: the line typed. `None` (an input
    /// without a serial line) ignores the event.
    fn read_prompt(&mut self) -> Option<PromptText> {
        None
    }

    /// After an [`Event::Recording`]: pushes the recording's samples (8 kHz,
    /// 16-bit) into `hearing`, already started. Returns whether there was
    /// one (an input without a microphone returns `false` and the event is
    /// ignored).
    async fn listen(&mut self, hearing: &mut Hearing) -> bool {
        let _ = hearing;
        false
    }
}

/// A display: an `embedded-graphics` target plus a way to show what was
/// drawn (buffered displays send their buffer, an emulated one dumps it).
#[allow(async_fn_in_trait)] // boards run a single-threaded executor
pub trait Screen {
    /// The pixel color of the display.
    type Color: PanelColor;
    /// The target the app draws into.
    type Target: DrawTarget<Color = Self::Color> + OriginDimensions;
    /// The target to draw into.
    fn target(&mut self) -> &mut Self::Target;
    /// Shows what was drawn since the last call.
    async fn present(&mut self);
}

/// A monotonic clock, for the generation time shown and logged.
pub trait Clock {
    /// Ticks per millisecond.
    const TICKS_PER_MS: u64;
    /// Ticks since some fixed point.
    fn ticks(&mut self) -> u64;
}

/// The interpolation weight (`0..=256`, as [`pocketgan_shared::latent::interpolate`]
/// takes it) for a sensor reading, rounded to nearest.
pub fn sensor_to_mix(reading: u16) -> u16 {
    let r = reading.min(SENSOR_MAX) as u32;
    ((r * 256 + SENSOR_MAX as u32 / 2) / SENSOR_MAX as u32) as u16
}

/// Turns a stream of noisy sensor readings into [`Event::Sensor`] events:
/// only a change of at least `threshold` counts from the last reported value
/// is an event, so ADC noise does not make the board redraw forever.
#[derive(Debug, Clone, Copy)]
pub struct SensorFilter {
    last: Option<u16>,
    threshold: u16,
}

impl SensorFilter {
    /// A filter that reports changes of `threshold` counts or more.
    pub const fn new(threshold: u16) -> Self {
        SensorFilter { last: None, threshold }
    }

    /// Feeds one reading; returns the event to raise, if any. The first
    /// reading only sets the reference (the board boots at the current seed).
    pub fn feed(&mut self, reading: u16) -> Option<Event> {
        let reading = reading.min(SENSOR_MAX);
        match self.last {
            None => {
                self.last = Some(reading);
                None
            }
            Some(last) if last.abs_diff(reading) >= self.threshold => {
                self.last = Some(reading);
                Some(Event::Sensor(reading))
            }
            Some(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mix_spans_the_walk() {
        assert_eq!(sensor_to_mix(0), 0);
        assert_eq!(sensor_to_mix(SENSOR_MAX), 256);
        assert_eq!(sensor_to_mix(u16::MAX), 256);
        assert_eq!(sensor_to_mix(2048), 128);
        let mut last = 0;
        for r in 0..=SENSOR_MAX {
            let m = sensor_to_mix(r);
            assert!(m >= last && m - last <= 1);
            last = m;
        }
    }

    #[test]
    fn filter_ignores_noise() {
        let mut f = SensorFilter::new(32);
        assert_eq!(f.feed(1000), None);
        for r in [1010, 990, 1031, 969] {
            assert_eq!(f.feed(r), None, "reading {r}");
        }
        assert_eq!(f.feed(1032), Some(Event::Sensor(1032)));
        assert_eq!(f.feed(1040), None);
        assert_eq!(f.feed(5000), Some(Event::Sensor(SENSOR_MAX)));
    }
}
