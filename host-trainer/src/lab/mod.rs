//! `pocketgan lab`: watch a toy GAN learn in the browser, GAN Lab style.
//!
//! The binary serves the page on loopback and trains with burn on one
//! thread; the page shows real and generated points, the discriminator's
//! field, the generator's manifold and gradients, losses, divergences and
//! mode metrics as they change, and sends the user's controls back. See
//! `docs/lab.md` for a tour.
//!
//! - [`engine`]: the lab's state and what each command does to it
//! - [`command`]: the commands, as JSON
//! - [`views`]: what the page draws, computed without touching the RNG
//! - [`int8`]: the toy generator through the board's quantizer and kernels
//! - [`session`]: session files
//! - [`server`]: the web server (axum)

pub mod command;
pub mod engine;
pub mod int8;
pub mod server;
pub mod session;
pub mod views;

use anyhow::Result;
use engine::Lab;
use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};

/// The port the lab listens on unless told otherwise.
pub const DEFAULT_PORT: u16 = 8765;

/// Serves `lab` on `bind`:`port` (0: any free port) until the process is
/// stopped; says where in one line on stdout.
pub fn serve(lab: Lab, bind: IpAddr, port: u16) -> Result<()> {
    let address = SocketAddr::new(bind, port);
    let listener = TcpListener::bind(address).map_err(|e| match e.kind() {
        std::io::ErrorKind::AddrInUse => {
            anyhow::anyhow!("port {} is already in use (another lab?): choose another with --port, or --port 0 for any free one", port)
        }
        _ => anyhow::anyhow!("cannot listen on {address}: {e}"),
    })?;
    let mut local = listener.local_addr()?;
    if !bind.is_loopback() {
        eprintln!("warning: listening on {}: anyone who can reach this machine can control the lab", bind);
    }
    if local.ip().is_unspecified() {
        local.set_ip(IpAddr::V4(Ipv4Addr::LOCALHOST));
    }
    println!("pocketgan lab is running at http://{local}/ : open it in a browser (Ctrl-C stops it)");
    std::io::stdout().flush()?;
    server::serve(listener, lab)
}
