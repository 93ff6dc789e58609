//! The display: a RAM framebuffer whose every frame goes to the host.

use core::ffi::CStr;
use core::fmt::Write;
use pocketgan_firmware::{MonoFramebuffer, Screen};

/// An SSD1306's size.
pub const WIDTH: u16 = 128;
/// An SSD1306's size.
pub const HEIGHT: u16 = 64;
/// Bytes of the framebuffer.
pub const FRAMEBUFFER_BYTES: usize = MonoFramebuffer::bytes_for(WIDTH, HEIGHT);

/// Writes each presented frame to `frame-NNN.fb` on the host.
pub struct DumpScreen {
    framebuffer: MonoFramebuffer<'static>,
    frames: u32,
}

impl DumpScreen {
    pub fn new(bytes: &'static mut [u8; FRAMEBUFFER_BYTES]) -> Self {
        let framebuffer = MonoFramebuffer::new(bytes, WIDTH, HEIGHT).unwrap();
        DumpScreen { framebuffer, frames: 0 }
    }

    /// Frames presented so far.
    pub fn frames(&self) -> u32 {
        self.frames
    }
}

struct Name {
    bytes: [u8; 24],
    len: usize,
}

impl Write for Name {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        let end = self.len + s.len();
        // Keep one byte for the terminating NUL.
        if end >= self.bytes.len() {
            return Err(core::fmt::Error);
        }
        self.bytes[self.len..end].copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

impl Screen for DumpScreen {
    type Color = pocketgan_firmware::embedded_graphics::pixelcolor::BinaryColor;
    type Target = MonoFramebuffer<'static>;

    fn target(&mut self) -> &mut Self::Target {
        &mut self.framebuffer
    }

    async fn present(&mut self) {
        let mut name = Name { bytes: [0; 24], len: 0 };
        let _ = write!(name, "frame-{:03}.fb", self.frames);
        let path = CStr::from_bytes_until_nul(&name.bytes).unwrap();
        if let Err(e) = semihosting::fs::write(path, self.framebuffer.bytes()) {
            defmt::error!("cannot write {=str} on the host: {}", name_str(&name), defmt::Debug2Format(&e));
        }
        self.frames += 1;
    }
}

fn name_str(name: &Name) -> &str {
    core::str::from_utf8(&name.bytes[..name.len]).unwrap_or("?")
}
