//! The built-in model and the RAM it needs, both fixed at build time.

include!(concat!(env!("OUT_DIR"), "/model.rs"));

use pocketgan_shared::hearing::Hearing;

/// Everything the app writes to while generating, sized for the built-in
/// model. Put it in a `static` (for example a `static_cell::ConstStaticCell`)
/// so that it is counted in the board's RAM at link time rather than
/// discovered on the stack at run time.
pub struct Buffers {
    /// Activations of the generator ([`SCRATCH_LEN`] bytes).
    pub scratch: [i8; SCRATCH_LEN],
    /// Two endpoint latents and their blend, for sensor walks.
    pub latents: [i8; 3 * LATENT_LEN],
    /// A translator's input canvas (8-bit pixels).
    pub canvas: [u8; INPUT_LEN],
    /// The canvas as the translator's input codes.
    pub input_codes: [i8; INPUT_LEN],
    /// A sound model's recording being heard (none for other models).
    pub hearing: [Hearing; HEARINGS],
}

impl Buffers {
    /// Zeroed buffers (a `const fn`, so they can live in `.bss`).
    pub const fn new() -> Self {
        Buffers {
            scratch: [0; SCRATCH_LEN],
            latents: [0; 3 * LATENT_LEN],
            canvas: [0; INPUT_LEN],
            input_codes: [0; INPUT_LEN],
            hearing: [const { Hearing::new() }; HEARINGS],
        }
    }

    /// Bytes of RAM the buffers take.
    pub const fn ram_bytes() -> usize {
        SCRATCH_LEN + 3 * LATENT_LEN + 2 * INPUT_LEN + HEARINGS * core::mem::size_of::<Hearing>()
    }

    /// Bytes of RAM the buffers would take for `model` (what
    /// [`Buffers::ram_bytes`] is when the firmware is built with it).
    pub fn ram_bytes_for(model: &pocketgan_shared::Model<'_>) -> usize {
        let input = if model.is_translator() { model.input_len() } else { 0 };
        let hearing = if model.audio().is_some() { core::mem::size_of::<Hearing>() } else { 0 };
        model.scratch_len() + 3 * model.header().latent_dim as usize + 2 * input + hearing
    }
}

impl Default for Buffers {
    fn default() -> Self {
        Self::new()
    }
}
