//! Choosing the compute device: burn-flex on the CPU, burn-wgpu on a GPU.

use anyhow::{Result, bail};
use burn::tensor::Device;

/// The `--device` choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeviceChoice {
    /// wgpu when this build has it and an adapter answers, else the CPU.
    Auto,
    /// burn-flex on the CPU (all cores).
    Cpu,
    /// burn-wgpu (Vulkan, Metal or DX12; Mesa's llvmpipe counts).
    Wgpu,
}

/// A device ready for inference (no autodiff) and its name.
pub fn resolve(choice: DeviceChoice) -> Result<(Device, &'static str)> {
    match choice {
        DeviceChoice::Cpu => Ok((Device::flex(), "cpu (burn-flex)")),
        DeviceChoice::Wgpu => wgpu(),
        DeviceChoice::Auto => Ok(wgpu().unwrap_or((Device::flex(), "cpu (burn-flex)"))),
    }
}

#[cfg(feature = "wgpu")]
fn wgpu() -> Result<(Device, &'static str)> {
    if !wgpu_adapter_available() {
        bail!(
            "no GPU adapter found for wgpu: install a Vulkan driver (on Debian/Ubuntu \
             `apt-get install mesa-vulkan-drivers` gives a software one), or use --device cpu"
        );
    }
    Ok((Device::wgpu(burn::tensor::DeviceKind::DefaultDevice), "wgpu"))
}

#[cfg(feature = "wgpu")]
fn wgpu_adapter_available() -> bool {
    // burn panics deep inside its runtime when no adapter exists; probe
    // once with a tiny tensor and turn a panic into a clear error (with the
    // panic message silenced: the caller explains what to do).
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let probe = std::panic::catch_unwind(|| {
        let device = Device::wgpu(burn::tensor::DeviceKind::DefaultDevice);
        let t = burn::tensor::Tensor::<1>::from_floats([1.0f32, 2.0], &device);
        t.sum().into_scalar::<f32>()
    });
    std::panic::set_hook(hook);
    matches!(probe, Ok(v) if v == 3.0)
}

#[cfg(not(feature = "wgpu"))]
fn wgpu() -> Result<(Device, &'static str)> {
    bail!(
        "this pocketgan was built without GPU support: rebuild with \
         `cargo build --release --features wgpu`, or use --device cpu"
    )
}
