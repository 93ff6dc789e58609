//! Ctrl-C (SIGINT) and SIGTERM during training: the first one asks the
//! training loop to finish its step, write a checkpoint and stop; nothing
//! is killed half-way through writing a file.

use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};

static REQUESTED: AtomicBool = AtomicBool::new(false);
static INSTALL: Once = Once::new();

/// Routes Ctrl-C and SIGTERM to [`requested`] for the rest of the process.
/// Called by the command line before training; library users who never
/// call it keep their own signal handling.
pub fn install() {
    INSTALL.call_once(|| {
        if let Err(e) = ctrlc::set_handler(|| REQUESTED.store(true, Ordering::SeqCst)) {
            eprintln!("warning: Ctrl-C will stop training without a checkpoint ({e})");
        }
    });
}

/// Whether a stop was asked for since the process started.
pub fn requested() -> bool {
    REQUESTED.load(Ordering::SeqCst)
}
