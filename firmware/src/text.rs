//! Formatting without an allocator: a fixed buffer that truncates.

use core::fmt;

/// A string of at most `N` bytes; writes past the end are dropped (at a
/// character boundary), because a caption that is cut short is better than
/// no caption.
pub(crate) struct TextBuf<const N: usize> {
    bytes: [u8; N],
    len: usize,
}

impl<const N: usize> TextBuf<N> {
    pub(crate) const fn new() -> Self {
        TextBuf { bytes: [0; N], len: 0 }
    }

    pub(crate) fn as_str(&self) -> &str {
        // Only whole UTF-8 characters are ever copied in.
        core::str::from_utf8(&self.bytes[..self.len]).unwrap_or("")
    }
}

impl<const N: usize> fmt::Write for TextBuf<N> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for c in s.chars() {
            let mut tmp = [0u8; 4];
            let encoded = c.encode_utf8(&mut tmp).as_bytes();
            if self.len + encoded.len() > N {
                break;
            }
            self.bytes[self.len..self.len + encoded.len()].copy_from_slice(encoded);
            self.len += encoded.len();
        }
        Ok(())
    }
}

/// Splits `text` into lines of at most `width` characters, breaking at
/// spaces (or after hyphens) where possible.
pub(crate) fn wrap(text: &str, width: usize) -> impl Iterator<Item = &str> {
    let width = width.max(1);
    let mut rest = text.trim();
    core::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let end = rest.char_indices().nth(width).map(|(i, _)| i);
        // Break at the last space, or after the last hyphen ("right-" /
        // "leaning"), that fits.
        let (line, next) = match end {
            None => (rest, ""),
            Some(cut) => match rest[..cut].rfind([' ', '-']) {
                Some(at) if at > 0 && rest.as_bytes()[at] == b'-' => (&rest[..at + 1], &rest[at + 1..]),
                Some(space) if space > 0 => (&rest[..space], &rest[space + 1..]),
                _ => (&rest[..cut], &rest[cut..]),
            },
        };
        rest = next.trim_start();
        Some(line)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::fmt::Write;

    #[test]
    fn truncates_instead_of_failing() {
        let mut t = TextBuf::<8>::new();
        write!(t, "seed {}", 1234567).unwrap();
        assert_eq!(t.as_str(), "seed 123");
    }

    #[test]
    fn wraps_at_spaces() {
        let lines: [&str; 4] = {
            let mut it = wrap("the model file is truncated: rebuild it", 10);
            core::array::from_fn(|_| it.next().unwrap_or(""))
        };
        assert_eq!(lines, ["the model", "file is", "truncated:", "rebuild it"]);
        let mut it = wrap("a thick right-leaning seven", 10);
        assert_eq!((it.next(), it.next(), it.next(), it.next()), (Some("a thick"), Some("right-"), Some("leaning"), Some("seven")));
        let mut it = wrap("abcdefghijkl", 5);
        assert_eq!((it.next(), it.next(), it.next(), it.next()), (Some("abcde"), Some("fghij"), Some("kl"), None));
    }
}
