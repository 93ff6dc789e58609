//! The scripted input: a text file on the host, one event per line.
//!
//! ```text
//! # comments and blank lines are ignored
//! boot-seed 100     # optional, first line: the seed shown at boot (default 0)
//! bench-layers      # optional, first line instead: time each layer with the
//!                   # reference and the optimized kernels, then exit
//! bench-mfcc        # optional, first line instead: time the audio front end
//!                   # on one second of a test signal, then exit
//! press             # next seed
//! long-press        # next class (conditional models)
//! sensor 2048       # a sensor reading, 0..=4095
//! stroke 3,4 20,4 20,22   # a translator: a stylus stroke through these
//!                         # canvas pixels (x,y), then the stylus lifts
//! clear             # a translator: clear the canvas
//! press             # a translator: the next bundled sketch
//! image sketch.pgm  # a translator: this image as the canvas (binary PGM,
//!                   # or PPM for a 3-channel model, of the model's input
//!                   # size; the emulated-board runner converts PNGs)
//! prompt a thick seven  # a text model: this line typed (everything after
//!                       # `prompt `, fed byte by byte through the line editor
//!                       # a serial line uses; `prompt` alone is the empty prompt)
//! listen seven.pcm  # a sound model: push-to-talk, this recording said
//!                   # (raw 16-bit little-endian 8 kHz mono samples, streamed
//!                   # into the model's hearing; the runner converts WAVs)
//! ```

use pocketgan_firmware::{Canvas, Event, Input, LineEditor, PromptText, SENSOR_MAX};
use pocketgan_shared::hearing::Hearing;
use semihosting::io::Read;

use crate::netpbm::{self, NetpbmError};
use crate::recording::{self, RecordingError};

/// Where the script is read from (QEMU's working directory).
pub const PATH: &core::ffi::CStr = c"pocketgan-input.txt";
/// Largest script, in bytes.
pub const MAX_LEN: usize = 4096;

/// What is wrong with a script.
#[derive(defmt::Format, Clone, Copy)]
pub enum ScriptError {
    /// The file could not be opened or read.
    Unreadable,
    /// The file is larger than [`MAX_LEN`].
    TooLong,
    /// Not UTF-8.
    NotText,
    /// A line that is not an event, with its number (1-based).
    BadLine(u32),
    /// An `image` line whose file cannot be used, with the line's number.
    BadImage(u32, NetpbmError),
    /// A `listen` line whose file cannot be read, with the line's number.
    BadRecording(u32, RecordingError),
}

/// A benchmark a script's first line can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bench {
    /// Each layer, reference and optimized kernels (`bench-layers`).
    Layers,
    /// The audio front end on one second of a test signal (`bench-mfcc`).
    Mfcc,
}

/// A loaded script, consumed event by event.
pub struct Script {
    text: &'static str,
    line: u32,
    boot_seed: u32,
    bench: Option<Bench>,
    error: Option<ScriptError>,
    /// The rest of a stroke's points, the last point, and its line number.
    stroke: Option<(&'static str, (u16, u16), u32)>,
    /// The file of the `image` line just read, and its line number.
    image: Option<(&'static str, u32)>,
    /// The text of the `prompt` line just read.
    prompt: Option<&'static str>,
    /// The file of the `listen` line just read, and its line number.
    recording: Option<(&'static str, u32)>,
}

/// `x,y` as canvas coordinates.
fn point(word: &str) -> Option<(u16, u16)> {
    let (x, y) = word.split_once(',')?;
    Some((x.parse().ok()?, y.parse().ok()?))
}

impl Script {
    /// Reads [`PATH`] into `buffer`.
    pub fn load(buffer: &'static mut [u8; MAX_LEN]) -> Result<Script, ScriptError> {
        let mut file = semihosting::fs::File::open(PATH).map_err(|_| ScriptError::Unreadable)?;
        let mut len = 0;
        loop {
            if len == buffer.len() {
                let mut probe = [0u8; 1];
                match file.read(&mut probe) {
                    Ok(0) => break,
                    _ => return Err(ScriptError::TooLong),
                }
            }
            match file.read(&mut buffer[len..]) {
                Ok(0) => break,
                Ok(n) => len += n,
                Err(_) => return Err(ScriptError::Unreadable),
            }
        }
        let text = core::str::from_utf8(&buffer[..len]).map_err(|_| ScriptError::NotText)?;
        let mut script = Script { text, line: 0, boot_seed: 0, bench: None, error: None, stroke: None, image: None, prompt: None, recording: None };
        // An optional `boot-seed` or `bench-layers` comes before any event.
        let mut after_first = Script { text, line: 0, boot_seed: 0, bench: None, error: None, stroke: None, image: None, prompt: None, recording: None };
        let first = after_first.next_line();
        let bench = match first {
            Some((_, "bench-layers")) => Some(Bench::Layers),
            Some((_, "bench-mfcc")) => Some(Bench::Mfcc),
            _ => None,
        };
        if bench.is_some() {
            after_first.bench = bench;
            return Ok(after_first);
        }
        if let Some((number, line)) = first
            && line.starts_with("boot-seed")
        {
            let mut words = line.split_whitespace().skip(1);
            match (words.next().and_then(|w| w.parse().ok()), words.next()) {
                (Some(seed), None) => after_first.boot_seed = seed,
                _ => return Err(ScriptError::BadLine(number)),
            }
            script = after_first;
        }
        Ok(script)
    }

    /// The seed to show at boot.
    pub fn boot_seed(&self) -> u32 {
        self.boot_seed
    }

    /// The benchmark the script asks for instead of events, if any.
    pub fn bench(&self) -> Option<Bench> {
        self.bench
    }

    /// The error that ended the script early, if one did.
    pub fn error(&self) -> Option<ScriptError> {
        self.error
    }

    /// The next line with words in it, without its comment.
    fn next_line(&mut self) -> Option<(u32, &'static str)> {
        while !self.text.is_empty() {
            let (line, rest) = self.text.split_once('\n').unwrap_or((self.text, ""));
            self.text = rest;
            self.line += 1;
            let line = line.split('#').next().unwrap_or("").trim();
            if !line.is_empty() {
                return Some((self.line, line));
            }
        }
        None
    }
}

impl Input for Script {
    async fn next_event(&mut self) -> Option<Event> {
        if self.error.is_some() {
            return None;
        }
        // Inside a stroke: the next segment, or the lift after the last.
        if let Some((rest, last, number)) = self.stroke.take() {
            let rest = rest.trim_start();
            if rest.is_empty() {
                return Some(Event::Lift);
            }
            let (word, tail) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
            let Some(next) = point(word) else {
                self.error = Some(ScriptError::BadLine(number));
                return None;
            };
            self.stroke = Some((tail, next, number));
            return Some(Event::Segment { from: last, to: next });
        }
        let (number, line) = self.next_line()?;
        if let Some(points) = line.strip_prefix("stroke ") {
            let points = points.trim_start();
            let (word, tail) = points.split_once(char::is_whitespace).unwrap_or((points, ""));
            let Some(first) = point(word) else {
                self.error = Some(ScriptError::BadLine(number));
                return None;
            };
            self.stroke = Some((tail, first, number));
            return Some(Event::Segment { from: first, to: first });
        }
        if line == "prompt" || line.starts_with("prompt ") {
            // Comments are cut from the line already; the text is the rest.
            self.prompt = Some(line["prompt".len()..].trim());
            return Some(Event::Prompt);
        }
        if let Some(file) = line.strip_prefix("image ") {
            self.image = Some((file.trim(), number));
            return Some(Event::Image);
        }
        if let Some(file) = line.strip_prefix("listen ") {
            self.recording = Some((file.trim(), number));
            return Some(Event::Recording);
        }
        let mut words = line.split_whitespace();
        let event = match (words.next(), words.next(), words.next()) {
            (Some("press"), None, _) => Some(Event::Press),
            (Some("long-press"), None, _) => Some(Event::LongPress),
            (Some("clear"), None, _) => Some(Event::Clear),
            (Some("sensor"), Some(value), None) => {
                value.parse::<u16>().ok().filter(|v| *v <= SENSOR_MAX).map(Event::Sensor)
            }
            _ => None,
        };
        if event.is_none() {
            self.error = Some(ScriptError::BadLine(number));
        }
        event
    }

    fn read_prompt(&mut self) -> Option<PromptText> {
        // Through the line editor, as a serial line's bytes would go.
        let text = self.prompt.take()?;
        let mut editor = LineEditor::new();
        text.bytes().chain(core::iter::once(b'\n')).find_map(|b| editor.feed(b))
    }

    async fn listen(&mut self, hearing: &mut Hearing) -> bool {
        let Some((file, number)) = self.recording.take() else { return false };
        match recording::stream_into(file, hearing) {
            Ok(()) => true,
            Err(e) => {
                self.error = Some(ScriptError::BadRecording(number, e));
                false
            }
        }
    }

    fn load_image(&mut self, canvas: &mut Canvas<'_>) -> bool {
        let Some((file, number)) = self.image.take() else { return false };
        match netpbm::read_into(file, canvas) {
            Ok(()) => true,
            Err(e) => {
                // A wrong image ends the script, as a wrong line does: the
                // frames after it would not be what the script's author meant.
                self.error = Some(ScriptError::BadImage(number, e));
                false
            }
        }
    }
}
