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
//! - [`server`], [`http`]: the web server

pub mod command;
pub mod engine;
pub mod http;
pub mod int8;
pub mod server;
pub mod session;
pub mod views;

use crate::cli::override_fields;
use crate::data::{ToyData, ToyDistribution};
use crate::objectives::Objective;
use anyhow::{Context, Result};
use burn::tensor::Device;
use engine::{Lab, LabSettings};
use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};
use std::path::PathBuf;

/// The port the lab listens on unless told otherwise.
pub const DEFAULT_PORT: u16 = 8765;

/// `pocketgan lab`'s options.
#[derive(clap::Args, Debug)]
pub struct LabArgs {
    /// Port to serve the page on (0: any free port).
    #[arg(long, default_value_t = DEFAULT_PORT)]
    pub port: u16,
    /// Address to listen on; anything but loopback lets other machines
    /// control the lab.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub bind: IpAddr,
    /// Open this saved session (from the page's "save session").
    #[arg(long, value_name = "FILE", conflicts_with_all = ["config", "data", "objective", "compare", "seed"])]
    pub load: Option<PathBuf>,
    /// TOML file with any toy-run fields (as `pocketgan toy --config`).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// The distribution to start with [default: ring].
    #[arg(long, value_enum)]
    pub data: Option<ToyDistribution>,
    /// The objective to start with [default: non-saturating].
    #[arg(long, value_enum)]
    pub objective: Option<Objective>,
    /// Train a second GAN with this objective beside the first.
    #[arg(long, value_enum)]
    pub compare: Option<Objective>,
    /// Seed of weights, latents and data [default: 1].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Start training at once.
    #[arg(long)]
    pub play: bool,
}

/// The settings the options ask for.
fn settings(args: &LabArgs) -> Result<LabSettings> {
    let mut toy: crate::toy::ToyConfig = crate::cli::config_file(args.config.as_deref(), "toy")?;
    override_fields!(toy, args; data = data, objective = objective, seed = seed);
    let mut s = LabSettings { data: ToyData::Preset(toy.data), toy, ..LabSettings::default() };
    s.compare = args.compare;
    Ok(s)
}

/// Runs `pocketgan lab` until the process is stopped.
pub fn run(args: &LabArgs) -> Result<()> {
    let device = Device::flex();
    let mut lab = match &args.load {
        Some(path) => {
            let bytes = std::fs::read(path).with_context(|| format!("cannot read session {}", path.display()))?;
            session::load(&bytes, &device).with_context(|| format!("cannot open {}", path.display()))?
        }
        None => Lab::new(settings(args)?, &device)?,
    };
    lab.playing = args.play;
    let address = SocketAddr::new(args.bind, args.port);
    let listener = TcpListener::bind(address).map_err(|e| match e.kind() {
        std::io::ErrorKind::AddrInUse => {
            anyhow::anyhow!("port {} is already in use (another lab?): choose another with --port, or --port 0 for any free one", args.port)
        }
        _ => anyhow::anyhow!("cannot listen on {address}: {e}"),
    })?;
    let mut local = listener.local_addr()?;
    if !args.bind.is_loopback() {
        eprintln!("warning: listening on {}: anyone who can reach this machine can control the lab", args.bind);
    }
    if local.ip().is_unspecified() {
        local.set_ip(IpAddr::V4(Ipv4Addr::LOCALHOST));
    }
    println!("pocketgan lab is running at http://{local}/ : open it in a browser (Ctrl-C stops it)");
    std::io::stdout().flush()?;
    server::serve(listener, lab)
}
