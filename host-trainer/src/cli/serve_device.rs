//! `pocketgan serve-device --port P`: lend this machine's device (its GPU,
//! or its CPU) to `pocketgan train --device remote:ws://HOST:P` on another.

use crate::training::device::{self, DeviceChoice};
use crate::training::remote;
use anyhow::{Result, bail};
use std::io::Write;

#[derive(clap::Args, Debug)]
pub struct ServeDeviceArgs {
    /// The TCP port to listen on (0: any free port, printed).
    #[arg(long)]
    port: u16,
    /// The address to listen on: 0.0.0.0 for every network (the default), 127.0.0.1 for this machine only.
    /// The connection is not encrypted: serve only on a network you trust (or through an SSH tunnel).
    #[arg(long, default_value = "0.0.0.0")]
    host: String,
    /// The device to serve: wgpu (a GPU; builds with --features wgpu), cpu or auto.
    #[arg(long, default_value = "auto")]
    device: DeviceChoice,
}

/// Runs `pocketgan serve-device` until Ctrl-C or SIGTERM.
pub fn run(args: &ServeDeviceArgs) -> Result<()> {
    if !cfg!(feature = "remote") {
        bail!("this pocketgan was built without remote devices: rebuild with `cargo build --release --features remote` (add `,wgpu` to serve a GPU)");
    }
    if args.device.remote_url().is_some() {
        bail!("serve-device serves this machine's own device: use --device cpu, wgpu or auto");
    }
    let (device, name) = device::resolve(&args.device)?;
    let listener = remote::bind(&args.host, args.port)?;
    let port = listener.local_addr()?.port();
    let shown = if args.host == "0.0.0.0" { "THIS-MACHINE".to_string() } else { args.host.clone() };
    println!("serving {name} on port {port} ({}); Ctrl-C stops", args.host);
    println!("train on it from another machine: pocketgan train --device remote:ws://{shown}:{port} ...");
    // Scripts and tests read the port from the first line.
    std::io::stdout().flush()?;
    remote::serve(device, listener)
}
