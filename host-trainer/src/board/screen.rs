//! A board's whole screen, drawn on the host by the firmware's own app code
//! (layout, caption, dithering) into a RAM framebuffer.

use crate::board::fit::Board;
use anyhow::{Result, anyhow};
use pocketgan_firmware::{App, Clock, Event, MonoFramebuffer, Outcome};

/// The boards' display: an SSD1306, 128×64, 1 bit per pixel.
pub const SCREEN: (u16, u16) = (128, 64);

/// A clock whose every generation takes the time `pocketgan fit` estimates
/// for the board, so the caption shows that estimate.
struct EstimatedClock {
    now: u64,
    per_image: u64,
}

impl Clock for EstimatedClock {
    const TICKS_PER_MS: u64 = 1_000;
    fn ticks(&mut self) -> u64 {
        // The app reads the clock before and after each image.
        let t = self.now;
        self.now += self.per_image;
        t
    }
}

/// The screens `board` shows for `presses + 1` images starting at `seed`
/// (boot, then a press each), as RGB8 images of [`SCREEN`] size.
pub fn board_screens(model_file: &[u8], board: &Board, seed: u32, presses: usize) -> Result<Vec<Vec<u8>>> {
    let model = pocketgan_shared::Model::parse(model_file).map_err(|e| anyhow!("{e}"))?;
    let mut scratch = vec![0i8; model.scratch_len()];
    let mut latents = vec![0i8; 3 * model.header().latent_dim as usize];
    let mut app = App::with_buffers(model_file, &mut scratch, &mut latents, seed);
    let estimate_us = model.macs() as f64 * board.instructions_per_mac / board.clock_hz as f64 * 1e6;
    let mut clock = EstimatedClock { now: 0, per_image: estimate_us.round() as u64 };
    let mut bytes = vec![0u8; MonoFramebuffer::bytes_for(SCREEN.0, SCREEN.1)];
    let mut screens = Vec::with_capacity(presses + 1);
    for k in 0..=presses {
        let mut fb = MonoFramebuffer::new(&mut bytes, SCREEN.0, SCREEN.1).expect("sized for the screen");
        let outcome = if k == 0 { app.draw(&mut fb, &mut clock) } else { app.on_event(Event::Press, &mut fb, &mut clock) };
        if let Outcome::Failed(e) = outcome {
            return Err(anyhow!("{e}"));
        }
        let mut rgb = Vec::with_capacity(SCREEN.0 as usize * SCREEN.1 as usize * 3);
        for y in 0..SCREEN.1 {
            for x in 0..SCREEN.0 {
                rgb.extend_from_slice(&[if fb.is_lit(x, y) { 255 } else { 0 }; 3]);
            }
        }
        screens.push(rgb);
    }
    Ok(screens)
}
