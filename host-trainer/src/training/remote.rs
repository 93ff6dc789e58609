//! A device on another machine through burn-remote (feature `remote`):
//! `pocketgan serve-device` owns the device there and runs the tensor
//! operations a client streams to it over a WebSocket; `--device
//! remote:ws://HOST:PORT` here keeps the autodiff graph, the data and the
//! run folder, so checkpoints land on the client's disk.
//!
//! burn's client panics when its server goes away mid-run (a tensor
//! operation has no error to return); [`guard_training`] turns that panic into
//! an error that names the last checkpoint and the command to resume.
//! Connecting is [`DeviceChoice`]'s (in `device`).

use crate::training::device::DeviceChoice;
use crate::training::run_dir::RunDir;
use anyhow::{Result, bail};
use burn::tensor::Device;
use std::net::TcpListener;

/// Binds the server's port on `host`, with an error that says what to do
/// when it is taken. Port 0 picks a free one (the caller prints it).
pub fn bind(host: &str, port: u16) -> Result<TcpListener> {
    TcpListener::bind((host, port)).map_err(|e| match e.kind() {
        std::io::ErrorKind::AddrInUse => anyhow::anyhow!(
            "port {port} on {host} is already in use (another serve-device, or another program): \
             choose another --port, or stop what holds it"
        ),
        _ => anyhow::anyhow!("cannot listen on {host}:{port}: {e}"),
    })
}

/// Serves `device` to remote clients on `listener` until Ctrl-C or SIGTERM.
#[cfg(feature = "remote")]
pub fn serve(device: Device, listener: TcpListener) -> Result<()> {
    use burn::tensor::server::{RemoteServer, WebSocketTransport};
    RemoteServer::new([device])
        .serve(WebSocketTransport::from_listener(listener))
        .map_err(|e| anyhow::anyhow!("the device server stopped: {e}"))
}

/// Without the feature: says how to get it.
#[cfg(not(feature = "remote"))]
pub fn serve(_device: Device, _listener: TcpListener) -> Result<()> {
    bail!("this pocketgan was built without remote devices: rebuild with `cargo build --release --features remote` (add `,wgpu` to serve a GPU)")
}

/// Runs `train_loop` of the run in `run` so that, on a remote device, the
/// server going away mid-run (burn's client panics) ends in an error naming
/// the run's last checkpoint and the command that continues it (`command`:
/// `train` or `train-translator`). On local devices it runs as is: their
/// panics are bugs, and a bug's backtrace is the useful report.
pub fn guard_training<T>(run: &RunDir, device: &DeviceChoice, command: &str, train_loop: impl FnOnce() -> Result<T>) -> Result<T> {
    let Some(url) = device.remote_url() else { return train_loop() };
    let panic = match catch_quietly(train_loop) {
        Ok(result) => return result,
        Err(panic) => panic,
    };
    let why = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("no message");
    // The usual cause is the server gone; when it still answers, the
    // failure is something else, and its message is the report.
    let what = if answers(url) {
        format!("the run on the device served at {url} failed ({why})")
    } else {
        format!("the device server at {url} went away mid-run (nothing answers there now)")
    };
    let resume = format!("pocketgan {command} --resume {} --device {device}", run.root.display());
    match run.checkpoint_state() {
        Ok((_, state)) => bail!("{what}: the last checkpoint (step {}) is kept; once the server is back, continue with `{resume}`", state.step),
        Err(_) => bail!("{what}, before the run's first checkpoint: once the server is back, start the run again"),
    }
}

/// Runs `f`, catching a panic on this thread without printing it (the
/// caller reports it); panics on other threads print as before.
fn catch_quietly<T>(f: impl FnOnce() -> T) -> std::thread::Result<T> {
    let guarded = std::thread::current().id();
    let previous: std::sync::Arc<dyn Fn(&std::panic::PanicHookInfo<'_>) + Send + Sync> = std::panic::take_hook().into();
    let others = previous.clone();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().id() != guarded {
            others(info);
        }
    }));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    let _ = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| previous(info)));
    result
}

/// Whether something accepts TCP connections at `url`'s host and port.
fn answers(url: &str) -> bool {
    use std::net::{TcpStream, ToSocketAddrs};
    let authority = url.trim_start_matches("ws://");
    let Ok(mut addresses) = authority.to_socket_addrs() else { return false };
    addresses.any(|a| TcpStream::connect_timeout(&a, std::time::Duration::from_secs(2)).is_ok())
}
