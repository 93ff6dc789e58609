//! Push-to-talk beside a board's other input: hold the talk button, say a
//! digit, release. While the button is held the board's [`Microphone`]
//! streams 8 kHz samples into the app's [`Hearing`], at most
//! [`MAX_RECORDING`] (1.5 s; the rest is cut, as the host cuts it).
//!
//! A microphone module (MAX9814, MAX4466) sits on an ADC pin, its output
//! biased at mid-rail; [`DcBlocker`] takes the bias out and scales the
//! 12-bit readings to 16-bit samples.

use embassy_futures::select::{Either, select};
use embedded_hal::digital::InputPin;
use embedded_hal_async::digital::Wait;
use pocketgan_shared::hearing::{Hearing, MAX_RECORDING};

use crate::canvas::Canvas;
use crate::input::{Event, Input};
use crate::prompt::PromptText;

/// Samples a microphone delivers at a time: one hop of the front end (16 ms).
pub const MIC_BLOCK: usize = 128;

/// A microphone sampled at 8 kHz by the board (a timer- or
/// clock-divider-paced ADC with DMA).
#[allow(async_fn_in_trait)] // boards run a single-threaded executor
pub trait Microphone {
    /// Records into `hearing` (already started) for as long as `held()`
    /// says the talk button is down and [`MAX_RECORDING`] samples have not
    /// been taken, pushing each block of [`MIC_BLOCK`] samples while the
    /// next one is sampled. Returns the samples taken (0 if the microphone
    /// cannot be read).
    async fn record(&mut self, hearing: &mut Hearing, held: &mut dyn FnMut() -> bool) -> usize;
}

/// Takes a microphone module's bias (about mid-rail) out of 12-bit ADC
/// readings and scales them to 16-bit samples: a slow running mean (time
/// constant 64 samples, 8 ms) is subtracted, then ×16.
#[derive(Debug, Clone, Copy)]
pub struct DcBlocker {
    /// The running mean, 8 fractional bits.
    mean_q8: i32,
}

impl DcBlocker {
    /// Starts at mid-rail (2048).
    pub const fn new() -> Self {
        DcBlocker { mean_q8: 2048 << 8 }
    }

    /// Converts a block of readings.
    pub fn convert(&mut self, readings: &[u16], out: &mut [i16]) {
        for (&r, s) in readings.iter().zip(out.iter_mut()) {
            let x = (r as i32 & 0x0FFF) << 8;
            self.mean_q8 += (x - self.mean_q8) >> 6;
            *s = (((x - self.mean_q8) >> 4).clamp(i16::MIN as i32, i16::MAX as i32)) as i16;
        }
    }
}

impl Default for DcBlocker {
    fn default() -> Self {
        Self::new()
    }
}

/// An [`Input`] that raises [`Event::Recording`] when the talk button is
/// pressed (to ground), records while it is held, and passes on every
/// event, prompt and image of `inner`.
pub struct PushToTalk<I, B, M> {
    inner: I,
    talk: B,
    microphone: M,
}

impl<I: Input, B: Wait + InputPin, M: Microphone> PushToTalk<I, B, M> {
    /// Adds a talk button and a microphone to `inner`.
    pub fn new(inner: I, talk: B, microphone: M) -> Self {
        PushToTalk { inner, talk, microphone }
    }
}

impl<I: Input, B: Wait + InputPin, M: Microphone> Input for PushToTalk<I, B, M> {
    async fn next_event(&mut self) -> Option<Event> {
        match select(self.inner.next_event(), self.talk.wait_for_low()).await {
            Either::First(event) => event,
            Either::Second(_) => Some(Event::Recording),
        }
    }

    async fn listen(&mut self, hearing: &mut Hearing) -> bool {
        let talk = &mut self.talk;
        let mut held = || talk.is_low().unwrap_or(false);
        let samples = self.microphone.record(hearing, &mut held).await;
        if samples >= MAX_RECORDING {
            // Wait for the release, so the rest of the hold is not a second recording.
            let _ = self.talk.wait_for_high().await;
        }
        samples > 0
    }

    fn read_prompt(&mut self) -> Option<PromptText> {
        self.inner.read_prompt()
    }

    fn load_image(&mut self, canvas: &mut Canvas<'_>) -> bool {
        self.inner.load_image(canvas)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bias_goes_and_the_swing_is_scaled_to_16_bits() {
        let mut dc = DcBlocker::new();
        // A 1.25 V bias (1551 of 4095) with a ±400 square wave on it.
        let readings: [u16; 2048] = core::array::from_fn(|i| if (i / 8) % 2 == 0 { 1951 } else { 1151 });
        let mut out = [0i16; 2048];
        dc.convert(&readings, &mut out);
        let tail = &out[1024..];
        let mean = tail.iter().map(|&s| s as i64).sum::<i64>() / tail.len() as i64;
        assert!(mean.abs() < 200, "bias left: {mean}");
        let peak = tail.iter().map(|&s| (s as i32).abs()).max().unwrap();
        assert!((5000..=8000).contains(&peak), "a ±400 swing is about ±6400: {peak}");
    }
}
