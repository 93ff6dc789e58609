//! Lab session files: settings, replay log, metric history and the
//! networks' weights in one file, so a lab can be closed and reopened.
//!
//! ```text
//! "pocketgan-lab-session\n"
//! u32 LE  length of the JSON part, then the JSON (see `Saved`)
//! per pane: u32 LE length + the generator's burnpack bytes,
//!           u32 LE length + the critic's burnpack bytes
//! ```
//!
//! The optimizers' moments are not saved: a loaded session continues with
//! fresh ones.

use super::engine::{Lab, LabSettings, Logged, Pane};
use super::views::{Metrics, nan_as_null};
use anyhow::{Context, Result, anyhow, bail};
use burn::module::Module;
use burn::store::ModuleRecord;
use burn::tensor::Device;

/// The file's first bytes.
pub const MAGIC: &[u8] = b"pocketgan-lab-session\n";
/// The JSON part's version (2: toy networks standardize their data and
/// may pack and average, so version 1's networks do not fit).
pub const VERSION: u32 = 2;
/// Largest session file read.
pub const MAX_BYTES: usize = 256 << 20;

#[derive(serde::Serialize, serde::Deserialize)]
struct Saved {
    version: u32,
    settings: LabSettings,
    initial: LabSettings,
    log: Vec<Logged>,
    panes: Vec<SavedPane>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct SavedPane {
    step: usize,
    #[serde(with = "nan_as_null")]
    d_loss: f32,
    #[serde(with = "nan_as_null")]
    g_loss: f32,
    batch_seed: u32,
    history: Vec<Metrics>,
}

fn push_part(out: &mut Vec<u8>, part: &[u8]) -> Result<()> {
    out.extend_from_slice(&u32::try_from(part.len()).context("a network is over 4 GiB")?.to_le_bytes());
    out.extend_from_slice(part);
    Ok(())
}

/// The session file of `lab`.
pub fn save(lab: &Lab) -> Result<Vec<u8>> {
    let saved = Saved {
        version: VERSION,
        settings: lab.settings.clone(),
        initial: lab.initial.clone(),
        log: lab.log.clone(),
        panes: lab
            .panes
            .iter()
            .map(|p| SavedPane {
                step: p.trainer.step,
                d_loss: p.trainer.losses.d_loss,
                g_loss: p.trainer.losses.g_loss,
                batch_seed: p.trainer.batch_seed,
                history: p.history.clone(),
            })
            .collect(),
    };
    let mut out = MAGIC.to_vec();
    push_part(&mut out, serde_json::to_string(&saved)?.as_bytes())?;
    let record = |m: ModuleRecord| m.into_bytes().map(|b| b.to_vec()).map_err(|e| anyhow!("cannot serialize a network: {e:?}"));
    for pane in &lab.panes {
        push_part(&mut out, &record(pane.trainer.gan.generator.clone().into_record())?)?;
        push_part(&mut out, &record(pane.trainer.gan.critic.clone().into_record())?)?;
        // The generator's average, when the settings keep one (--ema).
        if let Some(average) = &pane.trainer.gan.average {
            push_part(&mut out, &record(average.clone().into_record())?)?;
        }
    }
    Ok(out)
}

/// Reads the parts of a session file, in order.
struct Parts<'a> {
    rest: &'a [u8],
}

impl<'a> Parts<'a> {
    fn next(&mut self, what: &str) -> Result<&'a [u8]> {
        let truncated = || anyhow!("the session file is truncated (in {what}): save it again");
        let (len, rest) = self.rest.split_first_chunk::<4>().ok_or_else(truncated)?;
        let len = u32::from_le_bytes(*len) as usize;
        if rest.len() < len {
            return Err(truncated());
        }
        let (part, rest) = rest.split_at(len);
        self.rest = rest;
        Ok(part)
    }
}

/// `module` with the weights of the next part.
fn load_network<M: Module>(module: M, parts: &mut Parts<'_>, what: &str) -> Result<M> {
    let bytes = burn::tensor::Bytes::from_bytes_vec(parts.next(what)?.to_vec());
    let record = ModuleRecord::from_bytes(bytes).map_err(|e| anyhow!("the session's {what} is damaged: {e:?}"))?;
    module.try_load_record(record).map_err(|e| anyhow!("the session's {what} does not fit its settings: {e:?}"))
}

/// A lab from a session file; nothing of the running lab changes unless
/// the whole file is good.
pub fn load(bytes: &[u8], device: &Device) -> Result<Lab> {
    if bytes.len() > MAX_BYTES {
        bail!("the session file is {} MiB; the lab reads at most {} MiB", bytes.len() >> 20, MAX_BYTES >> 20);
    }
    let Some(rest) = bytes.strip_prefix(MAGIC) else {
        bail!("this is not a pocketgan lab session (it does not start with {:?}): choose a file saved by the lab", "pocketgan-lab-session");
    };
    let mut parts = Parts { rest };
    let json = parts.next("settings")?;
    let saved: Saved = serde_json::from_slice(json).map_err(|e| {
        let version = serde_json::from_slice::<serde_json::Value>(json).ok().and_then(|v| v["version"].as_u64());
        match version {
            Some(v) if v != VERSION as u64 => anyhow!("the session file has version {v}; this build reads version {VERSION}"),
            _ => anyhow!("the session file's settings are damaged ({e})"),
        }
    })?;
    if saved.version != VERSION {
        bail!("the session file has version {}; this build reads version {VERSION}", saved.version);
    }
    let mut lab = Lab::new(saved.settings, device).context("the session's settings cannot train")?;
    if saved.panes.len() != lab.panes.len() {
        bail!("the session file holds {} network pairs but its settings need {}", saved.panes.len(), lab.panes.len());
    }
    let mut panes = Vec::new();
    for (i, (pane, saved)) in std::mem::take(&mut lab.panes).into_iter().zip(saved.panes).enumerate() {
        let Pane { mut trainer, .. } = pane;
        trainer.gan.generator = load_network(trainer.gan.generator, &mut parts, &format!("generator {}", i + 1))?;
        trainer.gan.critic = load_network(trainer.gan.critic, &mut parts, &format!("critic {}", i + 1))?;
        if let Some(average) = trainer.gan.average.take() {
            trainer.gan.average = Some(load_network(average, &mut parts, &format!("generator average {}", i + 1))?);
        }
        trainer.step = saved.step;
        trainer.gan.generator_updates = (saved.step * trainer.config.g_steps) as u64;
        trainer.losses.d_loss = saved.d_loss;
        trainer.losses.g_loss = saved.g_loss;
        trainer.batch_seed = saved.batch_seed;
        panes.push(Pane { trainer, history: saved.history });
    }
    if !parts.rest.is_empty() {
        bail!("the session file has {} bytes after its last network: it is not a file the lab saved", parts.rest.len());
    }
    lab.panes = panes;
    lab.initial = saved.initial;
    lab.log = saved.log;
    lab.status = format!("session loaded at step {}", lab.step());
    Ok(lab)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::command::Command;

    #[test]
    fn sessions_round_trip_and_bad_files_are_refused() {
        let device = Device::flex();
        let mut settings = LabSettings::default();
        settings.toy.neurons = 16;
        settings.toy.batch_size = 32;
        settings.compare = Some(crate::training::objectives::Objective::Hinge);
        let mut lab = Lab::new(settings, &device).unwrap();
        lab.handle(Command::Step { network: Default::default(), count: 12 }).unwrap();
        let bytes = save(&lab).unwrap();
        let back = load(&bytes, &device).unwrap();
        assert_eq!(back.step(), 12);
        assert_eq!(back.settings, lab.settings);
        assert_eq!(back.views()[1].fake, lab.views()[1].fake);
        assert_eq!(back.metrics_csv(), lab.metrics_csv());
        for (bad, says) in [
            (b"hello".to_vec(), "not a pocketgan lab session"),
            (bytes[..bytes.len() - 10].to_vec(), "truncated"),
            ([&bytes[..], b"x"].concat(), "after its last network"),
            ([MAGIC, &5u32.to_le_bytes(), b"{bad}"].concat(), "damaged"),
        ] {
            let e = format!("{:#}", load(&bad, &device).err().expect("refused"));
            assert!(e.contains(says), "{e}");
        }
        let mut newer = bytes.clone();
        let at = newer.windows(11).position(|w| w == b"\"version\":2").expect("a version field") + 10;
        newer[at] = b'9';
        let e = format!("{:#}", load(&newer, &device).err().expect("refused"));
        assert!(e.contains("version 9"), "{e}");
    }
}
