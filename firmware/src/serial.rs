//! Prompts from a serial line beside a board's other input: the bytes of an
//! RTT down channel (the terminal `cargo embed` opens) or of a USB CDC-ACM
//! port, polled while the button and sensor are waited on.

use embassy_futures::select::{Either, select};
use embedded_hal_async::delay::DelayNs;

use crate::canvas::Canvas;
use crate::input::{Event, Input};
use crate::prompt::{LineEditor, PromptText};

/// How often the serial line is polled for bytes.
const POLL_MS: u32 = 20;
/// Bytes taken from the line at once.
const CHUNK: usize = 32;

/// An [`Input`] that raises [`Event::Prompt`] for each line typed on a
/// serial byte source, and every event of `inner` as it comes.
///
/// `read` copies the bytes waiting on the line into its argument and
/// returns how many (0 when none: it must not block). Lines go through
/// [`LineEditor`]: cut past [`crate::PROMPT_MAX`] bytes, invalid UTF-8
/// dropped.
pub struct WithSerialLine<I, D, R> {
    inner: I,
    delay: D,
    read: R,
    editor: LineEditor,
    chunk: [u8; CHUNK],
    /// Bytes of `chunk` not fed yet (a line can end mid-chunk).
    unread: core::ops::Range<usize>,
    pending: Option<PromptText>,
}

impl<I: Input, D: DelayNs, R: FnMut(&mut [u8]) -> usize> WithSerialLine<I, D, R> {
    /// Adds a serial line to `inner`.
    pub fn new(inner: I, delay: D, read: R) -> Self {
        WithSerialLine { inner, delay, read, editor: LineEditor::new(), chunk: [0; CHUNK], unread: 0..0, pending: None }
    }
}

impl<I: Input, D: DelayNs, R: FnMut(&mut [u8]) -> usize> Input for WithSerialLine<I, D, R> {
    async fn next_event(&mut self) -> Option<Event> {
        let WithSerialLine { inner, delay, read, editor, chunk, unread, pending } = self;
        let line = async {
            loop {
                if unread.start >= unread.end {
                    let n = read(&mut chunk[..]).min(CHUNK);
                    *unread = 0..n;
                    if n == 0 {
                        delay.delay_ms(POLL_MS).await;
                        continue;
                    }
                }
                while let Some(i) = unread.next() {
                    if let Some(prompt) = editor.feed(chunk[i]) {
                        return prompt;
                    }
                }
            }
        };
        match select(inner.next_event(), line).await {
            Either::First(event) => event,
            Either::Second(prompt) => {
                *pending = Some(prompt);
                Some(Event::Prompt)
            }
        }
    }

    fn read_prompt(&mut self) -> Option<PromptText> {
        self.pending.take()
    }

    fn load_image(&mut self, canvas: &mut Canvas<'_>) -> bool {
        self.inner.load_image(canvas)
    }

    async fn listen(&mut self, hearing: &mut pocketgan_shared::hearing::Hearing) -> bool {
        self.inner.listen(hearing).await
    }
}
