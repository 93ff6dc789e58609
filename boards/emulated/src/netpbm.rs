//! Reads a binary PGM (`P5`, gray) or PPM (`P6`, RGB) image from the host,
//! through semihosting, straight into a translator's canvas: the simplest
//! image files there are, so the board needs no decoder. The runner
//! (`emulated-board`) turns other formats into these.

use pocketgan_firmware::Canvas;
use semihosting::io::Read;

/// Longest file name an `image` line may give.
pub const MAX_PATH: usize = 96;
/// Bytes read for the header (magic, width, height, maxval, comments).
const HEADER: usize = 64;

/// Why an image could not be loaded.
#[derive(defmt::Format, Clone, Copy)]
pub enum NetpbmError {
    /// The file name is longer than [`MAX_PATH`] bytes.
    PathTooLong,
    /// The file could not be opened or read.
    Unreadable,
    /// Not a binary PGM (`P5`) or PPM (`P6`) with 8-bit samples.
    NotNetpbm,
    /// The image's size or channels differ from the canvas's.
    WrongShape {
        /// The image's width, height and channels.
        image: (u16, u16, u16),
        /// The canvas's.
        canvas: (u16, u16, u16),
    },
    /// The file ends before its last pixel.
    Truncated,
}

/// Parses the header: channels, width, height and the header's length.
fn header(bytes: &[u8]) -> Result<(u16, u16, u16, usize), NetpbmError> {
    let channels = match bytes.get(..2) {
        Some(b"P5") => 1,
        Some(b"P6") => 3,
        _ => return Err(NetpbmError::NotNetpbm),
    };
    let mut at = 2;
    let mut numbers = [0u32; 3];
    for n in &mut numbers {
        // Whitespace and `#` comments (to the end of their line) come
        // between the fields.
        loop {
            match bytes.get(at) {
                Some(b) if b.is_ascii_whitespace() => at += 1,
                Some(b'#') => {
                    while bytes.get(at).is_some_and(|&b| b != b'\n') {
                        at += 1;
                    }
                }
                Some(_) => break,
                None => return Err(NetpbmError::NotNetpbm),
            }
        }
        let start = at;
        while let Some(d) = bytes.get(at).filter(|b| b.is_ascii_digit()) {
            *n = n.saturating_mul(10).saturating_add((d - b'0') as u32);
            at += 1;
        }
        if at == start {
            return Err(NetpbmError::NotNetpbm);
        }
    }
    // Exactly one whitespace byte ends the header.
    if !bytes.get(at).is_some_and(|b| b.is_ascii_whitespace()) || numbers[2] != 255 {
        return Err(NetpbmError::NotNetpbm);
    }
    let [w, h, _] = numbers;
    if w > u16::MAX as u32 || h > u16::MAX as u32 {
        return Err(NetpbmError::NotNetpbm);
    }
    Ok((w as u16, h as u16, channels, at + 1))
}

/// Loads `path` (relative to QEMU's working directory) into `canvas`.
pub fn read_into(path: &str, canvas: &mut Canvas<'_>) -> Result<(), NetpbmError> {
    let mut name = [0u8; MAX_PATH + 1];
    name.get_mut(..path.len()).ok_or(NetpbmError::PathTooLong)?.copy_from_slice(path.as_bytes());
    let name = core::ffi::CStr::from_bytes_until_nul(&name).map_err(|_| NetpbmError::PathTooLong)?;
    let mut file = semihosting::fs::File::open(name).map_err(|_| NetpbmError::Unreadable)?;
    let mut head = [0u8; HEADER];
    let mut got = 0;
    while got < HEADER {
        match file.read(&mut head[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(_) => return Err(NetpbmError::Unreadable),
        }
    }
    let (w, h, channels, start) = header(&head[..got])?;
    let (cw, ch) = canvas.size();
    let canvas_channels = canvas.channels();
    if (w, h, channels) != (cw, ch, canvas_channels) {
        return Err(NetpbmError::WrongShape { image: (w, h, channels), canvas: (cw, ch, canvas_channels) });
    }
    let pixels = canvas.pixels_mut();
    // What the header read already holds, then the rest from the file.
    let early = (got - start).min(pixels.len());
    pixels[..early].copy_from_slice(&head[start..start + early]);
    let mut filled = early;
    while filled < pixels.len() {
        match file.read(&mut pixels[filled..]) {
            Ok(0) => return Err(NetpbmError::Truncated),
            Ok(n) => filled += n,
            Err(_) => return Err(NetpbmError::Unreadable),
        }
    }
    Ok(())
}
