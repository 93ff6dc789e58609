//! A board's whole screen, drawn on the host by the firmware's own app code
//! (layout, caption, dithering) into a RAM framebuffer.

use crate::board::fit::Board;
use crate::board::sample::PixelFormat;
use anyhow::{Result, anyhow, bail};
use pocketgan_firmware::embedded_graphics::Pixel as EgPixel;
use pocketgan_firmware::embedded_graphics::pixelcolor::{BinaryColor, Gray8, GrayColor, Rgb565, RgbColor};
use pocketgan_firmware::embedded_graphics::prelude::{DrawTarget, OriginDimensions, PixelColor, Size};
use pocketgan_firmware::{App, Clock, Event, Outcome, PanelColor};

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
/// (boot, then a press each), as RGB8 images of the board's display size
/// ([`Board::display`]), in its pixel format.
pub fn board_screens(model_file: &[u8], board: &Board, seed: u32, presses: usize) -> Result<Vec<Vec<u8>>> {
    match board.pixels {
        PixelFormat::Mono => generator_screens::<BinaryColor>(model_file, board, seed, presses),
        PixelFormat::Gray8 => generator_screens::<Gray8>(model_file, board, seed, presses),
        PixelFormat::Rgb565 => generator_screens::<Rgb565>(model_file, board, seed, presses),
        PixelFormat::MonoThreshold => Err(anyhow!("{}: the boards dither 1-bit displays (pixels = \"mono\")", board.id)),
    }
}

fn generator_screens<C: ToRgb8>(model_file: &[u8], board: &Board, seed: u32, presses: usize) -> Result<Vec<Vec<u8>>> {
    let model = pocketgan_shared::Model::parse(model_file).map_err(|e| anyhow!("{e}"))?;
    let mut scratch = vec![0i8; model.scratch_len()];
    let mut latents = vec![0i8; 3 * model.header().latent_dim as usize];
    let mut app = App::with_buffers(model_file, &mut scratch, &mut latents, seed);
    let mut clock = EstimatedClock { now: 0, per_image: board.estimate_us(&model).round() as u64 };
    (0..=presses)
        .map(|k| {
            rgb_frame::<C>(board.display, |screen| {
                if k == 0 { app.draw(screen, &mut clock) } else { app.on_event(Event::Press, screen, &mut clock) }
            })
        })
        .collect()
}

/// One screen of `size`: `draw` draws it with the app; the app's error
/// screen is an error here. RGB8.
fn rgb_frame<C: ToRgb8>(size: (u16, u16), draw: impl FnOnce(&mut RamScreen<C>) -> Outcome) -> Result<Vec<u8>> {
    let mut screen = RamScreen::new(size, C::PAPER);
    if let Outcome::Failed(e) = draw(&mut screen) {
        return Err(anyhow!("{e}"));
    }
    Ok(screen.pixels.iter().flat_map(|&c| c.rgb8()).collect())
}

/// A display of any size and color in RAM, for drawing a board's screen
/// on the host with the firmware's app.
struct RamScreen<C> {
    size: Size,
    pixels: Vec<C>,
}

impl<C: PixelColor> RamScreen<C> {
    fn new(size: (u16, u16), paper: C) -> Self {
        RamScreen { size: Size::new(size.0 as u32, size.1 as u32), pixels: vec![paper; size.0 as usize * size.1 as usize] }
    }
}

impl<C: PixelColor> OriginDimensions for RamScreen<C> {
    fn size(&self) -> Size {
        self.size
    }
}

impl<C: PixelColor> DrawTarget for RamScreen<C> {
    type Color = C;
    type Error = core::convert::Infallible;
    fn draw_iter<I: IntoIterator<Item = EgPixel<C>>>(&mut self, pixels: I) -> Result<(), Self::Error> {
        let (w, h) = (self.size.width as i32, self.size.height as i32);
        for EgPixel(p, c) in pixels {
            if (0..w).contains(&p.x) && (0..h).contains(&p.y) {
                self.pixels[(p.y * w + p.x) as usize] = c;
            }
        }
        Ok(())
    }
}

/// A display color as the RGB8 a PNG shows (RGB565 widened as displays do:
/// the top bits repeated into the low ones).
trait ToRgb8: PanelColor {
    fn rgb8(self) -> [u8; 3];
}

impl ToRgb8 for BinaryColor {
    fn rgb8(self) -> [u8; 3] {
        [if self.is_on() { 255 } else { 0 }; 3]
    }
}

impl ToRgb8 for Gray8 {
    fn rgb8(self) -> [u8; 3] {
        [self.luma(); 3]
    }
}

impl ToRgb8 for Rgb565 {
    fn rgb8(self) -> [u8; 3] {
        [(self.r() << 3) | (self.r() >> 2), (self.g() << 2) | (self.g() >> 4), (self.b() << 3) | (self.b() >> 2)]
    }
}

/// The whole screen a translator board shows for each input canvas (8-bit
/// HWC pixels in the model's input shape): the firmware's app translates
/// and draws it, input square beside output square, on a display of `size`
/// in `pixels` format (`mono` for the OLED boards, `rgb565` for
/// rp-pico-touch's 320×240 TFT), each translation taking `per_image_us`
/// (a board's estimate, for the time a caption shows). RGB8 images of
/// `size`.
pub fn translator_screens(model_file: &[u8], canvases: &[Vec<u8>], size: (u16, u16), pixels: PixelFormat, per_image_us: u64) -> Result<Vec<Vec<u8>>> {
    match pixels {
        PixelFormat::Mono => screens_in::<BinaryColor>(model_file, canvases, size, per_image_us),
        PixelFormat::Gray8 => screens_in::<Gray8>(model_file, canvases, size, per_image_us),
        PixelFormat::Rgb565 => screens_in::<Rgb565>(model_file, canvases, size, per_image_us),
        PixelFormat::MonoThreshold => Err(anyhow!("the boards dither 1-bit displays: use --pixels mono")),
    }
}

fn screens_in<C: ToRgb8>(model_file: &[u8], canvases: &[Vec<u8>], size: (u16, u16), per_image_us: u64) -> Result<Vec<Vec<u8>>> {
    let model = pocketgan_shared::Model::parse(model_file).map_err(|e| anyhow!("{e}"))?;
    let input_len = model.input_len();
    let (mut scratch, mut latents) = (vec![0i8; model.scratch_len()], vec![0i8; 3 * model.header().latent_dim as usize]);
    let (mut canvas_pixels, mut codes) = (vec![0u8; input_len], vec![0i8; input_len]);
    let mut app = App::with_buffers(model_file, &mut scratch, &mut latents, 0).with_canvas(&mut canvas_pixels, &mut codes);
    let mut clock = EstimatedClock { now: 0, per_image: per_image_us };
    canvases
        .iter()
        .map(|pixels| {
            let canvas = app.canvas_mut().ok_or_else(|| anyhow!("the model is a generator: its screens come from `pocketgan sample --board`"))?;
            let target = canvas.pixels_mut();
            if pixels.len() != target.len() {
                bail!("an input of {} bytes for a canvas of {}", pixels.len(), target.len());
            }
            target.copy_from_slice(pixels);
            rgb_frame::<C>(size, |screen| app.draw(screen, &mut clock))
        })
        .collect()
}
