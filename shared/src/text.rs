//! Prompts for text-conditioned models: a closed vocabulary, the tokenizer
//! that maps a typed prompt onto it, and the bag-of-words mean of the words'
//! embeddings. Host and board run this same code, so a prompt typed into a
//! board's serial line conditions the generator exactly as `pocketgan
//! sample --prompt` does.
//!
//! The tokenizer lower-cases ASCII letters, splits on whitespace and ASCII
//! punctuation (a hyphen or apostrophe inside a word stays: `right-leaning`
//! is one word; any non-ASCII character is a letter), and makes every digit a word of its own (`"17"` is `1`,
//! `7`). A prompt is the *set* of known words it contains (order and
//! repeats carry no meaning in a bag of words), plus the unknown words,
//! reported so the caller can name them.

/// Most words a vocabulary may hold: a prompt's words are a bit set in a `u64`.
pub const MAX_VOCABULARY: usize = 64;
/// Longest word, in bytes.
pub const MAX_WORD_LEN: usize = 24;
/// Unknown words a [`Prompt`] remembers (more are counted, not kept).
pub const MAX_UNKNOWN: usize = 4;

/// Why a vocabulary was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VocabularyError {
    /// More than [`MAX_VOCABULARY`] words.
    TooManyWords {
        /// Words found.
        found: usize,
    },
    /// Word `index` is empty, too long, or not what the tokenizer makes (a
    /// lower-case ASCII word, or one digit).
    BadWord {
        /// Its position.
        index: usize,
    },
    /// Word `index` repeats an earlier one.
    Repeated {
        /// Its position.
        index: usize,
    },
}

impl core::fmt::Display for VocabularyError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            VocabularyError::TooManyWords { found } => write!(f, "the vocabulary has {found} words, at most {MAX_VOCABULARY} fit"),
            VocabularyError::BadWord { index } => write!(
                f,
                "vocabulary word {index} is not a tokenizer word (lower-case ASCII letters, inner '-' or '\\'', up to {MAX_WORD_LEN} bytes; or one digit)"
            ),
            VocabularyError::Repeated { index } => write!(f, "vocabulary word {index} repeats an earlier word"),
        }
    }
}

/// A vocabulary: its words in order (a word's index is its row in the
/// embedding table), stored as one string with a `\n` after each word — the
/// form a model file keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Vocabulary<'a> {
    words: &'a str,
    len: usize,
}

/// Whether `word` is one the tokenizer can produce.
fn is_token(word: &str) -> bool {
    let b = word.as_bytes();
    if b.len() == 1 && b[0].is_ascii_digit() {
        return true;
    }
    let inner = |c: u8| c == b'-' || c == b'\'';
    !b.is_empty()
        && b.len() <= MAX_WORD_LEN
        && b.iter().all(|&c| c.is_ascii_lowercase() || inner(c))
        && !inner(b[0])
        && !inner(b[b.len() - 1])
}

impl<'a> Vocabulary<'a> {
    /// Checks `words` (each followed by `\n`).
    pub fn new(words: &'a str) -> Result<Self, VocabularyError> {
        let mut len = 0;
        for (index, word) in words.split_terminator('\n').enumerate() {
            if index >= MAX_VOCABULARY {
                return Err(VocabularyError::TooManyWords { found: words.split_terminator('\n').count() });
            }
            if !is_token(word) {
                return Err(VocabularyError::BadWord { index });
            }
            if words.split_terminator('\n').take(index).any(|w| w == word) {
                return Err(VocabularyError::Repeated { index });
            }
            len = index + 1;
        }
        if !words.is_empty() && !words.ends_with('\n') {
            return Err(VocabularyError::BadWord { index: len.saturating_sub(1) });
        }
        Ok(Vocabulary { words, len })
    }

    /// A vocabulary [`Vocabulary::new`] has checked already (a parsed
    /// model's): only its words are counted, so a board does not check
    /// the whole list again for every prompt.
    pub(crate) fn checked(words: &'a str) -> Self {
        Vocabulary { words, len: words.split_terminator('\n').count() }
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether it has no words.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The words, in order.
    pub fn words(&self) -> impl Iterator<Item = &'a str> + 'a {
        self.words.split_terminator('\n')
    }

    /// The index of `word`, compared without regard to ASCII case.
    pub fn index_of(&self, word: &str) -> Option<usize> {
        self.words().position(|w| w.eq_ignore_ascii_case(word))
    }
}

/// Splits `prompt` into the tokenizer's words, as slices of it (not yet
/// lower-cased: compare them with [`Vocabulary::index_of`]).
pub fn words(prompt: &str) -> Words<'_> {
    Words { rest: prompt }
}

/// The iterator of [`words`].
#[derive(Debug, Clone)]
pub struct Words<'p> {
    rest: &'p str,
}

impl<'p> Iterator for Words<'p> {
    type Item = &'p str;

    fn next(&mut self) -> Option<&'p str> {
        // Every non-ASCII character counts as a letter: "café" stays one
        // (unknown) word, and a board needs no Unicode tables (2 KB of flash).
        let is_letter = |c: char| c.is_ascii_alphabetic() || !c.is_ascii();
        let inner = |c: char| c == '-' || c == '\'';
        // Skip separators: anything but letters and digits.
        let start = self.rest.find(|c: char| is_letter(c) || c.is_ascii_digit())?;
        let rest = &self.rest[start..];
        let first = rest.chars().next()?;
        if first.is_ascii_digit() {
            self.rest = &rest[1..];
            return Some(&rest[..1]);
        }
        // Letters, and '-' or '\'' when a letter follows.
        let mut end = 0;
        let mut chars = rest.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            let joins = inner(c) && chars.peek().is_some_and(|&(_, n)| is_letter(n));
            if is_letter(c) || joins {
                end = i + c.len_utf8();
            } else {
                break;
            }
        }
        self.rest = &rest[end..];
        Some(&rest[..end])
    }
}

/// A prompt as a model sees it: the set of known words, and the unknown ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prompt<'p> {
    /// Bit `i` is set when vocabulary word `i` occurs.
    pub known: u64,
    /// The first [`MAX_UNKNOWN`] unknown words, as slices of the prompt.
    unknown: [&'p str; MAX_UNKNOWN],
    /// How many unknown words there were in all.
    pub unknown_count: usize,
}

impl<'p> Prompt<'p> {
    /// Tokenizes `prompt` against `vocabulary`.
    pub fn parse(vocabulary: &Vocabulary<'_>, prompt: &'p str) -> Self {
        let mut p = Prompt { known: 0, unknown: [""; MAX_UNKNOWN], unknown_count: 0 };
        for word in words(prompt) {
            match vocabulary.index_of(word) {
                Some(i) => p.known |= 1 << i,
                None => {
                    if p.unknown_count < MAX_UNKNOWN {
                        p.unknown[p.unknown_count] = word;
                    }
                    p.unknown_count += 1;
                }
            }
        }
        p
    }

    /// The unknown words kept (the first [`MAX_UNKNOWN`]).
    pub fn unknown(&self) -> &[&'p str] {
        &self.unknown[..self.unknown_count.min(MAX_UNKNOWN)]
    }

    /// How many known words (each counted once).
    pub fn known_count(&self) -> u32 {
        self.known.count_ones()
    }
}

/// Why [`mean_embedding`] could not run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmbeddingError {
    /// The table is not `words × out.len()` codes.
    TableShape {
        /// Codes in the table.
        table: usize,
        /// Words times the output length.
        expected: usize,
    },
    /// A known word's index is past the table's rows.
    WordPastTable {
        /// The index.
        index: usize,
    },
}

/// The bag-of-words encoding: the mean of the embedding rows of the words
/// in `known` (bit `i`: row `i` of `table`, `words` rows of `out.len()`
/// int8 codes), in the table's quantization, rounded to nearest with ties
/// away from zero. No word gives zeros (the caller says the sample is
/// unconditional). Returns the number of words averaged.
pub fn mean_embedding(table: &[i8], words: usize, known: u64, out: &mut [i8]) -> Result<u32, EmbeddingError> {
    let dim = out.len();
    if table.len() != words * dim {
        return Err(EmbeddingError::TableShape { table: table.len(), expected: words * dim });
    }
    if words < 64 && known >> words != 0 {
        return Err(EmbeddingError::WordPastTable { index: 63 - known.leading_zeros() as usize });
    }
    let n = known.count_ones() as i32;
    for (j, o) in out.iter_mut().enumerate() {
        if n == 0 {
            *o = 0;
            continue;
        }
        let mut sum = 0i32;
        let mut bits = known;
        while bits != 0 {
            let i = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            sum += table[i * dim + j] as i32;
        }
        // Round half away from zero, symmetric for the mean of ±codes.
        let q = (sum.abs() + n / 2) / n;
        *o = (if sum < 0 { -q } else { q }).clamp(-128, 127) as i8;
    }
    Ok(n as u32)
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::vec::Vec;

    const DIGITS: &str = "a\nthin\nthick\nright-leaning\nseven\n7\nzero\n";

    #[test]
    fn words_split_on_punctuation_keep_inner_hyphens_and_split_digits() {
        let w: Vec<&str> = words("  A thick, right-leaning 'seven'! 17 x-ray -dash- don't").collect();
        assert_eq!(w, ["A", "thick", "right-leaning", "seven", "1", "7", "x-ray", "dash", "don't"]);
        assert_eq!(words("").count(), 0);
        assert_eq!(words("... --- !!!").count(), 0);
        let w: Vec<&str> = words("café7über").collect();
        assert_eq!(w, ["café", "7", "über"], "non-ASCII letters are word letters (and unknown to any vocabulary)");
    }

    #[test]
    fn prompts_become_sets_of_known_words_and_name_the_unknown() {
        let v = Vocabulary::new(DIGITS).unwrap();
        assert_eq!(v.len(), 7);
        let p = Prompt::parse(&v, "A THICK Seven, thick seven 7");
        assert_eq!(p.known, 0b0110101, "a, thick, seven, 7; repeats once");
        assert_eq!((p.known_count(), p.unknown_count), (4, 0));
        let p = Prompt::parse(&v, "a wobbly seven with curly serifs and more");
        assert_eq!(p.known, 0b0010001);
        assert_eq!(p.unknown(), ["wobbly", "with", "curly", "serifs"]);
        assert_eq!(p.unknown_count, 6);
        let p = Prompt::parse(&v, "");
        assert_eq!((p.known, p.unknown_count), (0, 0));
    }

    #[test]
    fn vocabularies_hold_only_words_the_tokenizer_makes() {
        assert_eq!(Vocabulary::new("").unwrap().len(), 0);
        assert_eq!(Vocabulary::new("a\nThick\n"), Err(VocabularyError::BadWord { index: 1 }));
        assert_eq!(Vocabulary::new("a\n17\n"), Err(VocabularyError::BadWord { index: 1 }));
        assert_eq!(Vocabulary::new("a\n-x\n"), Err(VocabularyError::BadWord { index: 1 }));
        assert_eq!(Vocabulary::new("a\nb\na\n"), Err(VocabularyError::Repeated { index: 2 }));
        assert_eq!(Vocabulary::new("a\nb"), Err(VocabularyError::BadWord { index: 1 }), "the last word needs its newline");
        let many: std::string::String = (0..65).map(|i| std::format!("{}\n", "x".repeat(i % 20 + 1) + &"y".repeat(i / 20))).collect();
        assert_eq!(Vocabulary::new(&many), Err(VocabularyError::TooManyWords { found: 65 }));
        // Every word of a vocabulary tokenizes to itself.
        let v = Vocabulary::new(DIGITS).unwrap();
        for (i, w) in v.words().enumerate() {
            assert_eq!(words(w).collect::<Vec<_>>(), [w]);
            assert_eq!(v.index_of(w), Some(i));
        }
    }

    #[test]
    fn the_mean_embedding_rounds_half_away_from_zero() {
        // 3 words × 2 codes.
        let table = [10i8, -10, 11, -11, -128, 127];
        let mut out = [0i8; 2];
        assert_eq!(mean_embedding(&table, 3, 0b011, &mut out), Ok(2));
        assert_eq!(out, [11, -11], "10.5 → 11, -10.5 → -11");
        assert_eq!(mean_embedding(&table, 3, 0b111, &mut out), Ok(3));
        assert_eq!(out, [-36, 35], "(10 + 11 - 128) / 3 = -35.67; (-10 - 11 + 127) / 3 = 35.33");
        assert_eq!(mean_embedding(&table, 3, 0, &mut out), Ok(0));
        assert_eq!(out, [0, 0]);
        assert_eq!(mean_embedding(&table, 3, 0b1000, &mut out), Err(EmbeddingError::WordPastTable { index: 3 }));
        assert_eq!(mean_embedding(&table, 2, 1, &mut out), Err(EmbeddingError::TableShape { table: 6, expected: 4 }));
        // Against the float mean, for every subset of 6 random rows.
        let table: Vec<i8> = (0..6 * 5).map(|i| ((i * 73 + 11) % 256) as u8 as i8).collect();
        let mut out = [0i8; 5];
        for known in 0u64..64 {
            let n = mean_embedding(&table, 6, known, &mut out).unwrap();
            for j in 0..5 {
                let mean = (0..6).filter(|i| known >> i & 1 == 1).map(|i| table[i * 5 + j] as f64).sum::<f64>() / n.max(1) as f64;
                let expect = if mean >= 0.0 { (mean + 0.5).floor() } else { (mean - 0.5).ceil() };
                assert_eq!(out[j] as f64, expect, "words {known:06b}, code {j}");
            }
        }
    }
}
