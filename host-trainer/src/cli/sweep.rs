//! `pocketgan sweep`: plan a comparison's runs into a folder, run the
//! missing ones here or on Slurm, and print `compare`'s tables from them.

use crate::eval::compare::Grid;
use crate::sweep::manifest::{Manifest, SweepDir};
use crate::sweep::slurm::SlurmOptions;
use crate::sweep::{local, slurm, tables, worker};
use crate::training::device::DeviceChoice;
use anyhow::{Result, bail};
use std::path::PathBuf;

/// What `pocketgan sweep` does.
#[derive(clap::Subcommand, Debug)]
pub enum SweepCommand {
    /// Write a sweep's manifest (one run per row × data × seed, the grid `compare` takes) into a folder.
    Plan {
        /// The rows, data and seeds.
        #[command(flatten)]
        grid: Grid,
        /// The sweep folder (its manifest.toml is written there).
        #[arg(short, long)]
        out: PathBuf,
    },
    /// Run the sweep's missing runs: here (--on local --jobs K) or as a Slurm job array (--on slurm).
    Run(RunArgs),
    /// Print compare's tables from the sweep's finished runs, and what is missing.
    Collect {
        /// The sweep folder.
        dir: PathBuf,
    },
    /// Run one run of a sweep (what each job executes).
    #[command(hide = true)]
    Worker {
        /// The sweep folder.
        dir: PathBuf,
        /// The run's place in the manifest, from 0.
        #[arg(long)]
        index: usize,
        /// Where image runs train.
        #[arg(long, default_value = "cpu")]
        device: DeviceChoice,
    },
}

/// Where the runs go.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum On {
    /// Processes on this machine.
    Local,
    /// A Slurm job array (sbatch).
    Slurm,
}

/// `pocketgan sweep run`.
#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// The sweep folder.
    dir: PathBuf,
    /// Where the runs go.
    #[arg(long, value_enum, default_value = "local")]
    on: On,
    /// Runs at once: processes here [default: 1], or the array's task limit on Slurm [default: no limit].
    #[arg(long)]
    jobs: Option<usize>,
    /// Where image runs train (wgpu on Slurm asks each task for a GPU: --gres gpu:1 unless --gres says otherwise).
    #[arg(long, default_value = "cpu")]
    device: DeviceChoice,
    /// Slurm: generic resources per task (e.g. gpu:1).
    #[arg(long)]
    gres: Option<String>,
    /// Slurm: the partition.
    #[arg(long)]
    partition: Option<String>,
    /// Slurm: the time limit per task (e.g. 2:00:00).
    #[arg(long)]
    time: Option<String>,
    /// Slurm: CPUs per task (0: Slurm's default).
    #[arg(long, default_value_t = 0)]
    cpus_per_task: usize,
    /// Slurm: wait for the array to finish, then print the tables.
    #[arg(long)]
    wait: bool,
}

/// Runs a `sweep` command.
pub fn run(command: &SweepCommand) -> Result<()> {
    match command {
        SweepCommand::Plan { grid, out } => {
            let dir = SweepDir::new(out)?;
            let manifest = Manifest::plan(grid)?;
            manifest.write(&dir)?;
            println!("{} runs planned in {}", manifest.runs.len(), dir.manifest().display());
            println!("next: pocketgan sweep run {} --on local --jobs 2   (or --on slurm)", out.display());
            Ok(())
        }
        SweepCommand::Run(args) => run_sweep(args),
        SweepCommand::Collect { dir } => {
            let dir = SweepDir::new(dir)?;
            let (_, runs) = Manifest::load(&dir)?;
            let (text, finished) = tables::collect(&dir, &runs)?;
            println!("{text}");
            eprintln!("{finished} of {} runs finished", runs.len());
            Ok(())
        }
        SweepCommand::Worker { dir, index, device } => {
            crate::training::interrupt::install();
            worker::run_one(&SweepDir::new(dir)?, *index, device).map(|_| ())
        }
    }
}

fn run_sweep(args: &RunArgs) -> Result<()> {
    let dir = SweepDir::new(&args.dir)?;
    let (_, runs) = Manifest::load(&dir)?;
    let missing = dir.missing(&runs)?;
    if missing.is_empty() {
        eprintln!("all {} runs of {} have finished: nothing to run", runs.len(), dir.root.display());
        println!("{}", tables::collect(&dir, &runs)?.0);
        return Ok(());
    }
    eprintln!("{} of {} runs to go", missing.len(), runs.len());
    match args.on {
        On::Local => {
            let failed = local::run_missing(&dir, &runs, &missing, args.jobs.unwrap_or(1), &args.device)?;
            println!("{}", tables::collect(&dir, &runs)?.0);
            if !failed.is_empty() {
                bail!("{} run(s) failed ({}); fix what their logs say and run the same command again: only the missing runs run", failed.len(), failed.join(", "));
            }
            Ok(())
        }
        On::Slurm => {
            let gres = args.gres.clone().or_else(|| (args.device == DeviceChoice::Wgpu).then(|| "gpu:1".to_string()));
            let options = SlurmOptions {
                max_running: args.jobs.unwrap_or(0),
                gres,
                partition: args.partition.clone(),
                time: args.time.clone(),
                cpus_per_task: args.cpus_per_task,
                wait: args.wait,
            };
            let job = slurm::submit(&dir, &missing, &options, &args.device)?;
            if args.wait {
                let (text, finished) = tables::collect(&dir, &runs)?;
                println!("{text}");
                if finished < runs.len() {
                    bail!("job {job} ended with {} of {} runs finished; their logs are in {}; run the same command again to submit only the missing ones", finished, runs.len(), dir.root.join("logs").display());
                }
            } else {
                println!("submitted job {job}: {} task(s); watch with `squeue -j {job}`, then `pocketgan sweep collect {}`", missing.len(), args.dir.display());
            }
            Ok(())
        }
    }
}
