//! What an export produces, and the latents it calibrates with.

/// Latents used to calibrate activation ranges (seeds far from the 0..63
/// used to measure quality, so the check is not fitted to its own test).
pub const CALIBRATION_SEEDS: std::ops::Range<u32> = 1_000_000..1_000_512;

/// What an export produced.
#[derive(Debug, Clone)]
pub struct ExportReport {
    /// The model file's bytes.
    pub bytes: Vec<u8>,
    /// Weights + biases.
    pub parameters: u64,
    /// MACs per image.
    pub macs: u64,
    /// Scratch RAM per image.
    pub scratch: usize,
    /// PSNR (dB) of the int8 model against the float generator on seeds 0..63.
    pub psnr_db: f64,
}
