//! From generator output codes to display pixels.
//!
//! A generated image is `height × width × channels` int8 codes (HWC), code
//! `c` standing for `c / 128` (TFLite's int8 `tanh` output: `-128..=127`
//! covers `-1.0..=0.992`). This module turns them into
//! 8-bit gray, RGB565 or 1-bit pixels, upscaled by an integer factor, with
//! integer arithmetic only so every target draws the same pixels.
//!
//! The renderers work per display pixel ([`Rendered::pixel`]), so a board
//! can stream them into a display driver without a frame buffer, and fill
//! whole buffers ([`Rendered::fill_gray8`] and friends) on the host.

/// An image as the generator produced it.
#[derive(Debug, Clone, Copy)]
pub struct GeneratedImage<'a> {
    codes: &'a [i8],
    width: u16,
    height: u16,
    channels: u16,
}

/// Why an image cannot be rendered as asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RenderError {
    /// `codes` is shorter than `width × height × channels`, or the channel
    /// count is not 1 or 3.
    BadImage,
    /// The image does not fit the display even at scale 1.
    DisplayTooSmall {
        /// Image width and height.
        image: (u16, u16),
        /// Display width and height.
        display: (u16, u16),
    },
    /// The output buffer is smaller than the rendered area needs.
    BufferTooSmall {
        /// Elements needed.
        needed: usize,
    },
}

impl core::fmt::Display for RenderError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match *self {
            RenderError::BadImage => f.write_str("image codes do not match its shape"),
            RenderError::DisplayTooSmall { image, display } => write!(
                f,
                "a {}x{} image does not fit a {}x{} display",
                image.0, image.1, display.0, display.1
            ),
            RenderError::BufferTooSmall { needed } => {
                write!(f, "the pixel buffer is too small ({needed} elements needed)")
            }
        }
    }
}

impl<'a> GeneratedImage<'a> {
    /// Wraps generator output of the given shape.
    pub fn new(codes: &'a [i8], width: u16, height: u16, channels: u16) -> Result<Self, RenderError> {
        let n = width as usize * height as usize * channels as usize;
        if codes.len() < n || !(channels == 1 || channels == 3) {
            return Err(RenderError::BadImage);
        }
        Ok(GeneratedImage { codes, width, height, channels })
    }

    /// Width in pixels.
    pub fn width(&self) -> u16 {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u16 {
        self.height
    }

    /// The RGB color of pixel `(x, y)` (gray images repeat their value).
    #[inline]
    pub fn rgb(&self, x: u16, y: u16) -> [u8; 3] {
        let i = (y as usize * self.width as usize + x as usize) * self.channels as usize;
        if self.channels == 1 {
            let g = code_to_u8(self.codes[i]);
            [g, g, g]
        } else {
            [code_to_u8(self.codes[i]), code_to_u8(self.codes[i + 1]), code_to_u8(self.codes[i + 2])]
        }
    }

    /// The 8-bit gray value of pixel `(x, y)` (RGB images: BT.601 luma).
    #[inline]
    pub fn gray(&self, x: u16, y: u16) -> u8 {
        let i = (y as usize * self.width as usize + x as usize) * self.channels as usize;
        if self.channels == 1 {
            code_to_u8(self.codes[i])
        } else {
            let [r, g, b] = self.rgb(x, y);
            luma(r, g, b)
        }
    }
}

/// Output code to an 8-bit intensity: the value `code / 128` mapped from
/// `[-1, 1]` to `[0, 255]` and rounded, `((code + 128) · 255 + 128) / 256`,
/// as the float generator's output is. The lowest code is black (0); the
/// highest, 127/128 (the most int8 `tanh` can say), is 254.
#[inline]
pub fn code_to_u8(code: i8) -> u8 {
    (((code as i32 + 128) * 255 + 128) / 256) as u8
}

/// An 8-bit intensity to a translator's input code: the value
/// `p / 127.5 − 1` the float translator trained on, in steps of 1/128,
/// rounded half up, `(p · 256 + 127) / 255 − 128`, with 255 saturating at
/// 127. Within one code of inverting [`code_to_u8`] (256 codes and 256
/// levels of slightly different steps cannot round-trip exactly).
#[inline]
pub fn code_of_u8(p: u8) -> i8 {
    (((p as i32 * 256 + 127) / 255) - 128).min(127) as i8
}

/// BT.601 luma of an RGB color, in integers: `(77 r + 150 g + 29 b + 128) / 256`.
#[inline]
pub fn luma(r: u8, g: u8, b: u8) -> u8 {
    ((77 * r as u32 + 150 * g as u32 + 29 * b as u32 + 128) >> 8) as u8
}

/// Packs an RGB color into RGB565, rounding each channel.
#[inline]
pub fn rgb565(r: u8, g: u8, b: u8) -> u16 {
    let r5 = (r as u32 * 31 + 127) / 255;
    let g6 = (g as u32 * 63 + 127) / 255;
    let b5 = (b as u32 * 31 + 127) / 255;
    ((r5 << 11) | (g6 << 5) | b5) as u16
}

/// Gray values below this are black on a 1-bit display before dithering
/// ([`Dither::BAYER8`], what the boards draw). A generator's background is
/// near black, not black, and a latent walk smudges gray between strokes;
/// without a black level the Bayer matrix lights a scatter of lone pixels
/// around the image. Chosen by looking at the default model's screens and
/// the emulated board's walk at 0, 16, 24, 32, 40 and 48 (lone lit pixels,
/// nothing else lit within 3 px, per 128×64 screen over seeds 0..63: 0.55
/// at 0, 0.05 at 24, 0.03 from 32 on; 40 also clears the walk's specks and
/// still dithers the strokes' edges: 2.2 % fewer pixels lit than at 0).
pub const DEFAULT_BLACK_LEVEL: u8 = 40;

/// How to reduce gray to 1 bit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dither {
    /// On where gray ≥ 128.
    Threshold,
    /// Ordered dithering with an 8×8 Bayer matrix, on display pixels (so an
    /// upscaled image gets fine texture rather than blocky dots). Needs no
    /// error buffer and gives the same result whatever the drawing order.
    Bayer8 {
        /// Gray values below it are black (0: dither everything).
        black_level: u8,
    },
}

const BAYER8: [[u8; 8]; 8] = [
    [0, 32, 8, 40, 2, 34, 10, 42],
    [48, 16, 56, 24, 50, 18, 58, 26],
    [12, 44, 4, 36, 14, 46, 6, 38],
    [60, 28, 52, 20, 62, 30, 54, 22],
    [3, 35, 11, 43, 1, 33, 9, 41],
    [51, 19, 59, 27, 49, 17, 57, 25],
    [15, 47, 7, 39, 13, 45, 5, 37],
    [63, 31, 55, 23, 61, 29, 53, 21],
];

impl Dither {
    /// Bayer dithering with [`DEFAULT_BLACK_LEVEL`]: what the firmware draws.
    pub const BAYER8: Dither = Dither::Bayer8 { black_level: DEFAULT_BLACK_LEVEL };

    /// Whether display pixel `(x, y)` of gray value `gray` is lit.
    #[inline]
    pub fn lit(self, gray: u8, x: u16, y: u16) -> bool {
        match self {
            Dither::Threshold => gray >= 128,
            // Thresholds 2, 6, …, 254: 0 is never lit, 254 (the brightest
            // output code) and 255 always.
            Dither::Bayer8 { black_level } => {
                gray >= black_level && gray >= BAYER8[(y % 8) as usize][(x % 8) as usize] * 4 + 2
            }
        }
    }
}

/// The largest integer scale at which an image fits a display, if any.
pub fn fit_scale(image: (u16, u16), display: (u16, u16)) -> Option<u16> {
    if image.0 == 0 || image.1 == 0 {
        return None;
    }
    let s = (display.0 / image.0).min(display.1 / image.1);
    if s == 0 { None } else { Some(s) }
}

/// An image upscaled by an integer factor: nearest neighbour, each source
/// pixel becoming a `scale × scale` block.
#[derive(Debug, Clone, Copy)]
pub struct Rendered<'a> {
    image: GeneratedImage<'a>,
    scale: u16,
}

impl<'a> Rendered<'a> {
    /// `image` at the largest scale that fits `display` (width, height).
    pub fn fit(image: GeneratedImage<'a>, display: (u16, u16)) -> Result<Self, RenderError> {
        let scale = fit_scale((image.width, image.height), display).ok_or(
            RenderError::DisplayTooSmall { image: (image.width, image.height), display },
        )?;
        Ok(Rendered { image, scale })
    }

    /// `image` at a given scale (at least 1).
    pub fn with_scale(image: GeneratedImage<'a>, scale: u16) -> Self {
        Rendered { image, scale: scale.max(1) }
    }

    /// The scale factor.
    pub fn scale(&self) -> u16 {
        self.scale
    }

    /// Width and height of the rendered area in display pixels.
    pub fn size(&self) -> (u16, u16) {
        (self.image.width * self.scale, self.image.height * self.scale)
    }

    /// Where the rendered area's top-left corner goes to center it on a
    /// `display` (width, height); `(0, 0)` if it does not fit.
    pub fn origin_in(&self, display: (u16, u16)) -> (u16, u16) {
        let (w, h) = self.size();
        (display.0.saturating_sub(w) / 2, display.1.saturating_sub(h) / 2)
    }

    /// Gray value of rendered pixel `(x, y)`.
    #[inline]
    pub fn pixel(&self, x: u16, y: u16) -> u8 {
        self.image.gray(x / self.scale, y / self.scale)
    }

    /// RGB color of rendered pixel `(x, y)`.
    #[inline]
    pub fn pixel_rgb(&self, x: u16, y: u16) -> [u8; 3] {
        self.image.rgb(x / self.scale, y / self.scale)
    }

    fn check(&self, have: usize, needed: usize) -> Result<(), RenderError> {
        if have < needed { Err(RenderError::BufferTooSmall { needed }) } else { Ok(()) }
    }

    /// Writes the rendered area as 8-bit gray, row-major.
    pub fn fill_gray8(&self, out: &mut [u8]) -> Result<(), RenderError> {
        let (w, h) = self.size();
        self.check(out.len(), w as usize * h as usize)?;
        for y in 0..h {
            for x in 0..w {
                out[y as usize * w as usize + x as usize] = self.pixel(x, y);
            }
        }
        Ok(())
    }

    /// Writes the rendered area as RGB565, row-major.
    pub fn fill_rgb565(&self, out: &mut [u16]) -> Result<(), RenderError> {
        let (w, h) = self.size();
        self.check(out.len(), w as usize * h as usize)?;
        for y in 0..h {
            for x in 0..w {
                let [r, g, b] = self.pixel_rgb(x, y);
                out[y as usize * w as usize + x as usize] = rgb565(r, g, b);
            }
        }
        Ok(())
    }

    /// Writes the rendered area as 1-bit pixels: rows of `ceil(w / 8)` bytes,
    /// most significant bit leftmost, 1 = lit.
    pub fn fill_mono(&self, dither: Dither, out: &mut [u8]) -> Result<(), RenderError> {
        let (w, h) = self.size();
        let stride = (w as usize).div_ceil(8);
        self.check(out.len(), stride * h as usize)?;
        out[..stride * h as usize].fill(0);
        for y in 0..h {
            for x in 0..w {
                if dither.lit(self.pixel(x, y), x, y) {
                    out[y as usize * stride + x as usize / 8] |= 0x80 >> (x % 8);
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_extremes_map_to_full_range() {
        assert_eq!(code_to_u8(-128), 0);
        assert_eq!(code_to_u8(-127), 1);
        assert_eq!(code_to_u8(0), 128);
        assert_eq!(code_to_u8(64), 191); // 0.5 -> 191.25
        assert_eq!(code_to_u8(127), 254);
        let mut last = 0;
        for c in -128..=127i8 {
            assert!(code_to_u8(c) >= last);
            last = code_to_u8(c);
        }
    }

    #[test]
    fn input_codes_round_the_training_values_and_nearly_invert_the_output_mapping() {
        for p in 0..=255u8 {
            let exact = (p as f64 / 127.5 - 1.0) * 128.0;
            let code = code_of_u8(p) as f64;
            assert!((code - exact).abs() <= 0.5 || (p == 255 && code == 127.0), "{p}: {code} vs {exact}");
        }
        for c in -128..=127i8 {
            assert!((code_of_u8(code_to_u8(c)) as i32 - c as i32).abs() <= 1, "code {c}");
        }
    }

    #[test]
    fn rgb565_extremes() {
        assert_eq!(rgb565(0, 0, 0), 0);
        assert_eq!(rgb565(255, 255, 255), 0xFFFF);
        assert_eq!(rgb565(255, 0, 0), 0xF800);
        assert_eq!(luma(255, 255, 255), 255);
    }

    #[test]
    fn upscale_repeats_blocks() {
        let codes = [-128i8, 127, 0, -128];
        let img = GeneratedImage::new(&codes, 2, 2, 1).unwrap();
        let r = Rendered::fit(img, (7, 5)).unwrap();
        assert_eq!(r.scale(), 2);
        let mut out = [0u8; 16];
        r.fill_gray8(&mut out).unwrap();
        assert_eq!(
            out,
            [0, 0, 254, 254, 0, 0, 254, 254, 128, 128, 0, 0, 128, 128, 0, 0]
        );
        assert_eq!(
            Rendered::fit(img, (1, 8)).unwrap_err(),
            RenderError::DisplayTooSmall { image: (2, 2), display: (1, 8) }
        );
    }

    #[test]
    fn bayer_dither_keeps_mean_brightness() {
        // A flat mid-gray image lights about half of the pixels.
        let codes = [0i8; 64];
        let img = GeneratedImage::new(&codes, 8, 8, 1).unwrap();
        let r = Rendered::with_scale(img, 1);
        let mut out = [0u8; 8];
        r.fill_mono(Dither::BAYER8, &mut out).unwrap();
        let lit: u32 = out.iter().map(|b| b.count_ones()).sum();
        assert_eq!(lit, 32);
        r.fill_mono(Dither::Threshold, &mut out).unwrap();
        assert_eq!(out, [0xFF; 8]);
    }

    #[test]
    fn near_black_stays_black_above_the_black_level_it_dithers() {
        let dark = [-117i8; 64]; // gray 11: under the default black level
        let img = GeneratedImage::new(&dark, 8, 8, 1).unwrap();
        let r = Rendered::with_scale(img, 1);
        let mut out = [0u8; 8];
        r.fill_mono(Dither::BAYER8, &mut out).unwrap();
        assert_eq!(out, [0; 8]);
        r.fill_mono(Dither::Bayer8 { black_level: 0 }, &mut out).unwrap();
        assert_eq!(out.iter().map(|b| b.count_ones()).sum::<u32>(), 3, "gray 11 lights thresholds 2, 6, 10");
        let gray = [-64i8; 64]; // gray 64: above it, dithered as before
        let img = GeneratedImage::new(&gray, 8, 8, 1).unwrap();
        Rendered::with_scale(img, 1).fill_mono(Dither::BAYER8, &mut out).unwrap();
        assert_eq!(out.iter().map(|b| b.count_ones()).sum::<u32>(), 16, "thresholds 2, 6, …, 62");
    }
}
