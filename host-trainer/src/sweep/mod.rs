//! `pocketgan sweep`: a comparison's runs (rows × data × seeds, the grid
//! of `pocketgan compare`) as separate jobs. [`manifest`] writes and checks
//! the list of runs in a sweep folder; [`worker`] runs one of them and
//! leaves its result; [`local`] runs the missing ones as processes on this
//! machine and [`slurm`] submits them as a Slurm job array; [`tables`]
//! makes `compare`'s tables from whatever results are there. A run is done
//! when its result file exists, so running or submitting a sweep again
//! runs only what is missing.

pub mod local;
pub mod manifest;
pub mod slurm;
pub mod tables;
pub mod worker;
