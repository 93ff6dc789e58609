//! Choosing the compute device: burn-flex on the CPU, burn-wgpu on a GPU,
//! or a device another machine serves (`pocketgan serve-device`, feature
//! `remote`; the server's side is in `remote`).

use anyhow::{Result, bail};
use burn::tensor::Device;
use std::fmt;
use std::str::FromStr;

/// The `--device` choices: `auto`, `cpu`, `wgpu` or `remote:ws://HOST:PORT`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum DeviceChoice {
    /// wgpu when this build has it and an adapter answers, else the CPU.
    Auto,
    /// burn-flex on the CPU (all cores).
    Cpu,
    /// burn-wgpu (Vulkan, Metal or DX12; Mesa's llvmpipe counts).
    Wgpu,
    /// The device a `pocketgan serve-device` serves at this WebSocket URL
    /// (`ws://HOST:PORT`); the tensors live there, the autodiff graph here.
    Remote(String),
}

/// What `--device` accepts, for error messages and `--help`.
pub const DEVICE_CHOICES: &str = "auto, cpu, wgpu or remote:ws://HOST:PORT";

impl DeviceChoice {
    /// The server's URL of a remote device.
    pub fn remote_url(&self) -> Option<&str> {
        match self {
            DeviceChoice::Remote(url) => Some(url),
            _ => None,
        }
    }
}

impl FromStr for DeviceChoice {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "auto" => Ok(DeviceChoice::Auto),
            "cpu" => Ok(DeviceChoice::Cpu),
            "wgpu" => Ok(DeviceChoice::Wgpu),
            _ => match s.strip_prefix("remote:") {
                Some(url) => remote_url(url).map(DeviceChoice::Remote),
                None => Err(format!("unknown device `{s}`: use {DEVICE_CHOICES}")),
            },
        }
    }
}

/// Checks a server's URL: `ws://HOST:PORT`, with the port written out (the
/// server has no default port).
fn remote_url(url: &str) -> std::result::Result<String, String> {
    let Some(authority) = url.strip_prefix("ws://") else {
        return Err(format!("`{url}` is not a WebSocket URL: write remote:ws://HOST:PORT (the address `pocketgan serve-device` prints)"));
    };
    let authority = authority.trim_end_matches('/');
    let port = authority.rsplit_once(':').map(|(host, port)| (host, port.parse::<u16>()));
    match port {
        Some((host, Ok(port))) if !host.is_empty() && port > 0 && !authority.contains('/') => Ok(format!("ws://{authority}")),
        _ => Err(format!("`{url}` does not name a host and a port: write remote:ws://HOST:PORT, e.g. remote:ws://gpu-box:3000")),
    }
}

impl TryFrom<String> for DeviceChoice {
    type Error = String;

    fn try_from(s: String) -> std::result::Result<Self, String> {
        s.parse()
    }
}

impl From<DeviceChoice> for String {
    fn from(choice: DeviceChoice) -> String {
        choice.to_string()
    }
}

impl fmt::Display for DeviceChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeviceChoice::Auto => f.write_str("auto"),
            DeviceChoice::Cpu => f.write_str("cpu"),
            DeviceChoice::Wgpu => f.write_str("wgpu"),
            DeviceChoice::Remote(url) => write!(f, "remote:{url}"),
        }
    }
}

/// A device ready for inference (no autodiff) and its name.
pub fn resolve(choice: &DeviceChoice) -> Result<(Device, String)> {
    match choice {
        DeviceChoice::Cpu => Ok((Device::flex(), CPU_NAME.into())),
        DeviceChoice::Wgpu => wgpu(),
        DeviceChoice::Auto => Ok(wgpu().unwrap_or((Device::flex(), CPU_NAME.into()))),
        DeviceChoice::Remote(url) => connect_remote(url),
    }
}

const CPU_NAME: &str = "cpu (burn-flex)";

/// Connects to the device served at `url` (`ws://HOST:PORT`) and names it.
#[cfg(feature = "remote")]
fn connect_remote(url: &str) -> Result<(Device, String)> {
    use burn::tensor::remote::{ConnectError, RemoteHost};
    match Device::remote_options(&RemoteHost::websocket(url)).init() {
        Ok(device) => Ok((device, format!("remote device at {url}"))),
        Err(ConnectError::Unreachable { reason }) => bail!(
            "no pocketgan serve-device answers at {url} ({reason}): start `pocketgan serve-device --port PORT` \
             on that machine, and check the host, the port and that its firewall lets the port through"
        ),
        Err(ConnectError::NoSuchDevice { device_count }) => {
            bail!("the server at {url} serves {device_count} devices and not the one asked for")
        }
        Err(e) => bail!("cannot use the device served at {url}: {e}"),
    }
}

/// Without the feature: says how to get it.
#[cfg(not(feature = "remote"))]
fn connect_remote(url: &str) -> Result<(Device, String)> {
    bail!(
        "this pocketgan was built without remote devices, so it cannot use {url}: rebuild with \
         `cargo build --release --features remote` (on both machines), or use --device cpu"
    )
}

#[cfg(feature = "wgpu")]
fn wgpu() -> Result<(Device, String)> {
    if !wgpu_adapter_available() {
        bail!(
            "no GPU adapter found for wgpu: install a Vulkan driver (on Debian/Ubuntu \
             `apt-get install mesa-vulkan-drivers` gives a software one), or use --device cpu"
        );
    }
    Ok((Device::wgpu(burn::tensor::DeviceKind::DefaultDevice), "wgpu".into()))
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
fn wgpu() -> Result<(Device, String)> {
    bail!(
        "this pocketgan was built without GPU support: rebuild with \
         `cargo build --release --features wgpu`, or use --device cpu"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_parse_and_print_back() {
        for text in ["auto", "cpu", "wgpu", "remote:ws://127.0.0.1:3000", "remote:ws://gpu-box:8080"] {
            let choice: DeviceChoice = text.parse().unwrap();
            assert_eq!(choice.to_string(), text);
        }
        assert_eq!("remote:ws://h:1/".parse::<DeviceChoice>().unwrap(), DeviceChoice::Remote("ws://h:1".into()));
    }

    #[test]
    fn bad_choices_say_what_to_write() {
        let unknown = "gpu".parse::<DeviceChoice>().unwrap_err();
        assert!(unknown.contains("unknown device `gpu`") && unknown.contains("remote:ws://HOST:PORT"), "{unknown}");
        for bad in ["remote:http://h:1", "remote:ws://h", "remote:ws://:3000", "remote:ws://h:0", "remote:ws://h:99999", "remote:ws://h:1/x"] {
            let e = bad.parse::<DeviceChoice>().unwrap_err();
            assert!(e.contains("remote:ws://HOST:PORT"), "{bad}: {e}");
        }
    }
}
