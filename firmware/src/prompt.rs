//! Prompts typed into a board for a text model: a line editor over the
//! bytes of a serial line (an RTT down channel, USB CDC-ACM), the prompt
//! it makes, and the presets a long press cycles through on a board
//! without a host. The words themselves are tokenized by the shared crate
//! ([`pocketgan_shared::text`]), exactly as `pocketgan sample --prompt` does.

use pocketgan_shared::text::{Prompt, Vocabulary};

/// Longest prompt a board keeps, in bytes; a longer line is cut (and the
/// board says so).
pub const PROMPT_MAX: usize = 64;

/// Prompts stored in flash for a long press. Each model uses those whose
/// every word it knows (the digits' or the garments' presets).
pub const PRESETS: [&str; 14] = [
    "seven",
    "a thick seven",
    "a thin right-leaning one",
    "a wide zero",
    "left-leaning two",
    "a narrow upright four",
    "thick 8",
    "a dress",
    "a dark shirt",
    "a light patterned bag",
    "boots",
    "plain trousers",
    "sneakers",
    "a patterned pullover",
];

/// A prompt: at most [`PROMPT_MAX`] bytes of UTF-8.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PromptText {
    bytes: [u8; PROMPT_MAX],
    len: usize,
    cut: bool,
}

impl core::fmt::Debug for PromptText {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{:?}{}", self.as_str(), if self.cut { " (cut)" } else { "" })
    }
}

impl PromptText {
    /// The empty prompt.
    pub const fn new() -> Self {
        PromptText { bytes: [0; PROMPT_MAX], len: 0, cut: false }
    }

    /// `text`, cut at a character boundary to [`PROMPT_MAX`] bytes.
    pub fn from_str(text: &str) -> Self {
        let mut p = PromptText::new();
        let mut end = text.len().min(PROMPT_MAX);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        p.bytes[..end].copy_from_slice(&text.as_bytes()[..end]);
        p.len = end;
        p.cut = end < text.len();
        p
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        // Only whole UTF-8 characters are ever stored.
        core::str::from_utf8(&self.bytes[..self.len]).unwrap_or("")
    }

    /// Whether the line was longer than [`PROMPT_MAX`] and was cut.
    pub fn was_cut(&self) -> bool {
        self.cut
    }

    /// The prompt against a model's vocabulary.
    pub fn parse<'p>(&'p self, vocabulary: &Vocabulary<'_>) -> Prompt<'p> {
        Prompt::parse(vocabulary, self.as_str())
    }
}

impl Default for PromptText {
    fn default() -> Self {
        Self::new()
    }
}

/// Builds prompts from a serial line's bytes: a line ends at `\r` or `\n`
/// (a `\n` right after a `\r` is the same end), backspace and delete take
/// back a character, control bytes are ignored, bytes past
/// [`PROMPT_MAX`] are dropped (the prompt says it was cut), and bytes that
/// are not UTF-8 are dropped when the line ends, never passed on.
#[derive(Debug, Clone, Copy)]
pub struct LineEditor {
    bytes: [u8; PROMPT_MAX],
    len: usize,
    cut: bool,
    after_cr: bool,
    dropped: usize,
}

impl LineEditor {
    /// An empty line.
    pub const fn new() -> Self {
        LineEditor { bytes: [0; PROMPT_MAX], len: 0, cut: false, after_cr: false, dropped: 0 }
    }

    /// Feeds one byte; returns the prompt when it ends a line.
    pub fn feed(&mut self, byte: u8) -> Option<PromptText> {
        let after_cr = core::mem::replace(&mut self.after_cr, byte == b'\r');
        match byte {
            b'\n' if after_cr => None,
            b'\r' | b'\n' => Some(self.finish()),
            0x08 | 0x7f => {
                // Back over one character: its continuation bytes, then its first.
                while self.len > 0 && self.bytes[self.len - 1] & 0xc0 == 0x80 {
                    self.len -= 1;
                }
                self.len = self.len.saturating_sub(1);
                None
            }
            b if b < 0x20 => None,
            b => {
                if self.len < PROMPT_MAX {
                    self.bytes[self.len] = b;
                    self.len += 1;
                } else {
                    self.cut = true;
                }
                None
            }
        }
    }

    /// Bytes dropped as not UTF-8 in the lines finished so far.
    pub fn dropped(&self) -> usize {
        self.dropped
    }

    /// The line as a prompt, its invalid UTF-8 dropped; the editor starts
    /// a new line.
    fn finish(&mut self) -> PromptText {
        let mut out = PromptText::new();
        let mut rest = &self.bytes[..self.len];
        while !rest.is_empty() {
            let (valid, skip) = match core::str::from_utf8(rest) {
                Ok(s) => (s.len(), 0),
                // A sequence cut at the end of the line has no error length.
                Err(e) => (e.valid_up_to(), e.error_len().unwrap_or(rest.len() - e.valid_up_to())),
            };
            out.bytes[out.len..out.len + valid].copy_from_slice(&rest[..valid]);
            out.len += valid;
            self.dropped += skip;
            rest = &rest[valid + skip..];
        }
        out.cut = self.cut;
        self.len = 0;
        self.cut = false;
        out
    }
}

impl Default for LineEditor {
    fn default() -> Self {
        Self::new()
    }
}

/// The index of the next preset after `after` (or the first, for `None`)
/// whose every word `vocabulary` knows; `None` when no preset fits.
pub fn next_preset(vocabulary: &Vocabulary<'_>, after: Option<usize>) -> Option<usize> {
    let start = after.map_or(0, |a| a + 1);
    (0..PRESETS.len()).map(|k| (start + k) % PRESETS.len()).find(|&k| {
        let p = Prompt::parse(vocabulary, PRESETS[k]);
        p.unknown_count == 0 && p.known != 0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(editor: &mut LineEditor, bytes: &[u8]) -> Option<PromptText> {
        bytes.iter().fold(None, |last, &b| editor.feed(b).or(last))
    }

    #[test]
    fn lines_end_at_cr_or_lf_once_and_backspace_takes_back_a_character() {
        let mut e = LineEditor::new();
        assert_eq!(typed(&mut e, b"thick sevem\x08n").map(|p| p.as_str().len()), None);
        let p = e.feed(b'\r').unwrap();
        assert_eq!(p.as_str(), "thick seven");
        assert_eq!(e.feed(b'\n'), None, "CRLF is one line end");
        assert_eq!(e.feed(b'\n').unwrap().as_str(), "", "an empty line is the empty prompt");
        let p = typed(&mut e, "café\x7fe\t!\n".as_bytes()).unwrap();
        assert_eq!(p.as_str(), "cafe!", "delete backs over a two-byte character; tabs are ignored");
    }

    #[test]
    fn long_lines_are_cut_and_invalid_utf8_is_dropped() {
        let mut e = LineEditor::new();
        let long = [b'x'; PROMPT_MAX + 10];
        assert_eq!(typed(&mut e, &long), None);
        let p = e.feed(b'\n').unwrap();
        assert_eq!((p.as_str().len(), p.was_cut()), (PROMPT_MAX, true));
        let p = typed(&mut e, b"a \xff\xfethick \xe2\x82 seven \xc3\n").unwrap();
        assert_eq!(p.as_str(), "a thick  seven ");
        assert_eq!(e.dropped(), 5);
        assert!(!p.was_cut());
        let p = PromptText::from_str("ééééééééééééééééééééééééééééééééé");
        assert!(p.was_cut() && p.as_str().len() == 64 && p.as_str().chars().all(|c| c == 'é'));
    }

    #[test]
    fn presets_are_the_ones_a_vocabulary_knows_in_turn() {
        let digits = Vocabulary::new("a\nseven\nthick\nzero\nwide\n8\n").unwrap();
        let fit: [Option<usize>; 4] = [None, Some(0), Some(1), Some(3)].map(|after| next_preset(&digits, after));
        assert_eq!(fit, [Some(0), Some(1), Some(3), Some(6)]);
        assert_eq!(next_preset(&digits, Some(6)), Some(0), "it wraps around");
        let none = Vocabulary::new("blue\n").unwrap();
        assert_eq!(next_preset(&none, None), None);
    }
}
