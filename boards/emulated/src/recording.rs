//! Streams a recording from the host, through semihosting, into a sound
//! model's [`Hearing`] as a microphone's DMA would: raw 16-bit
//! little-endian samples at 8 kHz, mono, a chunk at a time (the board never
//! holds the recording). The runner (`emulated-board`) turns WAV files of
//! any rate and channel count into this.

use pocketgan_shared::hearing::Hearing;
use semihosting::io::Read;

use crate::netpbm::MAX_PATH;

/// Samples read and pushed at a time: one frame's hop, as a DMA
/// half-buffer would deliver them.
const CHUNK: usize = 128;

/// Why a recording could not be heard.
#[derive(defmt::Format, Clone, Copy)]
pub enum RecordingError {
    /// The file name is longer than [`MAX_PATH`] bytes.
    PathTooLong,
    /// The file could not be opened or read.
    Unreadable,
}

/// Pushes every sample of `path` (relative to QEMU's working directory)
/// into `hearing`, already started.
pub fn stream_into(path: &str, hearing: &mut Hearing) -> Result<(), RecordingError> {
    let mut name = [0u8; MAX_PATH + 1];
    name.get_mut(..path.len()).ok_or(RecordingError::PathTooLong)?.copy_from_slice(path.as_bytes());
    let name = core::ffi::CStr::from_bytes_until_nul(&name).map_err(|_| RecordingError::PathTooLong)?;
    let mut file = semihosting::fs::File::open(name).map_err(|_| RecordingError::Unreadable)?;
    let mut bytes = [0u8; 2 * CHUNK];
    let mut samples = [0i16; CHUNK];
    // A read may end between a sample's two bytes: the odd byte waits.
    let mut held = 0;
    loop {
        let n = match file.read(&mut bytes[held..]) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(_) => return Err(RecordingError::Unreadable),
        };
        let total = held + n;
        let whole = total / 2;
        for (s, pair) in samples.iter_mut().zip(bytes[..2 * whole].chunks_exact(2)) {
            *s = i16::from_le_bytes([pair[0], pair[1]]);
        }
        hearing.push(&samples[..whole]);
        held = total % 2;
        if held == 1 {
            bytes[0] = bytes[total - 1];
        }
    }
}
