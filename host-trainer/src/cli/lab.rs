//! `pocketgan lab`: flags and config file → the lab's settings, then serve it.

use crate::config_file::{config_file, override_fields};
use crate::data::{ToyData, ToyDistribution};
use crate::lab::engine::{Lab, LabSettings};
use crate::lab::{DEFAULT_PORT, serve, session};
use crate::training::objectives::Objective;
use crate::training::toy::ToyConfig;
use anyhow::{Context, Result};
use burn::tensor::Device;
use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;

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
    let mut toy: ToyConfig = config_file(args.config.as_deref(), "toy")?;
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
    serve(lab, args.bind, args.port)
}
