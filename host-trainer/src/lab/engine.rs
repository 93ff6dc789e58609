//! The lab's state: one toy GAN (two when comparing objectives), its
//! settings, its metric history, and the log of what changed since the
//! last reset, which a replay redoes.

use super::command::{Command, Network, SettingsPatch, parse_compare};
use crate::config_file::override_fields;
use super::views::{self, Metrics, PaneView};
use crate::data::{DrawnPoints, ToyData};
use crate::training::objectives::Objective;
use crate::training::toy::{ToyConfig, ToyTrainer};
use anyhow::{Result, bail};
use burn::tensor::Device;

/// Everything a lab run is made from.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LabSettings {
    /// Hyperparameters of the (left) GAN; its `data` is ignored for `data`.
    pub toy: ToyConfig,
    /// The distribution learned.
    pub data: ToyData,
    /// The objective of a second GAN trained beside the first, if any.
    pub compare: Option<Objective>,
    /// One step at a time, each shown.
    pub slow_motion: bool,
    /// Show the int8 model's points.
    pub int8_view: bool,
    /// Steps between rows of the metric history.
    pub history_every: usize,
}

impl Default for LabSettings {
    fn default() -> Self {
        let toy = ToyConfig::default();
        LabSettings { data: toy.data.into(), toy, compare: None, slow_motion: false, int8_view: false, history_every: 10 }
    }
}

impl LabSettings {
    /// The settings of pane `i` (0: left, 1: the comparison).
    pub fn pane_config(&self, i: usize) -> ToyConfig {
        let mut c = self.toy.clone();
        if i == 1
            && let Some(o) = self.compare
        {
            c.objective = o;
        }
        c
    }

    /// Refuses settings that cannot train.
    pub fn validate(&self) -> Result<()> {
        self.toy.validate()?;
        if let ToyData::Drawn(d) = &self.data {
            d.check().map_err(anyhow::Error::msg)?;
        }
        if let Some(o) = self.compare {
            self.pane_config(1).validate()?;
            if o == self.toy.objective {
                bail!("compare with an objective other than the one already shown ({o})");
            }
        }
        if !(1..=10_000).contains(&self.history_every) {
            bail!("history every must be 1-10000 steps (got {})", self.history_every);
        }
        Ok(())
    }
}

/// One GAN of the lab and its metric history.
pub struct Pane {
    /// The training state.
    pub trainer: ToyTrainer,
    /// Metrics every `history_every` steps, from step 0.
    pub history: Vec<Metrics>,
}

/// A logged change: the step it came at, and the command.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Logged {
    /// Steps done when it came.
    pub at: usize,
    /// What came.
    pub command: Command,
}

/// The lab.
pub struct Lab {
    /// Current settings.
    pub settings: LabSettings,
    /// Settings at the last reset (where a replay starts).
    pub initial: LabSettings,
    /// Changes since the last reset.
    pub log: Vec<Logged>,
    /// One pane, or two when comparing.
    pub panes: Vec<Pane>,
    /// Training continuously.
    pub playing: bool,
    /// The last message for the page.
    pub status: String,
    /// Real points the divergences compare with.
    real: Vec<[f32; 2]>,
    device: Device,
}

impl Lab {
    /// A lab with fresh networks.
    pub fn new(settings: LabSettings, device: &Device) -> Result<Lab> {
        settings.validate()?;
        let mut lab = Lab {
            real: views::real_points(&settings.data),
            initial: settings.clone(),
            settings,
            log: Vec::new(),
            panes: Vec::new(),
            playing: false,
            status: String::new(),
            device: device.clone(),
        };
        lab.rebuild()?;
        lab.status = "ready: press play".into();
        Ok(lab)
    }

    /// The device the networks train on.
    pub fn device(&self) -> &Device {
        &self.device
    }

    /// Steps done (by the left pane; both move together).
    pub fn step(&self) -> usize {
        self.panes[0].trainer.step
    }

    /// New networks from the seed; the log starts again from here.
    fn rebuild(&mut self) -> Result<()> {
        let panes = if self.settings.compare.is_some() { 2 } else { 1 };
        let mut built = Vec::with_capacity(panes);
        for i in 0..panes {
            let trainer = ToyTrainer::new(&self.settings.pane_config(i), self.settings.data.clone(), &self.device)?;
            let first = views::measure(&trainer, &self.real).0;
            built.push(Pane { trainer, history: vec![first] });
        }
        self.panes = built;
        self.initial = self.settings.clone();
        self.log.clear();
        Ok(())
    }

    /// One step of every pane; stops playing (and says why) on divergence.
    pub fn iterate(&mut self) -> Result<()> {
        for pane in &mut self.panes {
            if let Err(e) = pane.trainer.step() {
                self.playing = false;
                self.status = format!("{e:#}");
                return Err(e);
            }
            if pane.trainer.step % self.settings.history_every == 0 {
                pane.history.push(views::measure(&pane.trainer, &self.real).0);
            }
        }
        Ok(())
    }

    /// Applies a command from the page; returns what to tell the user.
    pub fn handle(&mut self, command: Command) -> Result<String> {
        let at = self.step();
        let message = match command.clone() {
            Command::Play => {
                self.playing = true;
                "playing".to_string()
            }
            Command::Pause => {
                self.playing = false;
                format!("paused at step {at}")
            }
            Command::Step { network, count } => {
                self.playing = false;
                self.steps(network, count)?
            }
            Command::Reset => {
                self.rebuild()?;
                return Ok(self.say(format!("new networks from seed {}", self.settings.toy.seed)));
            }
            Command::Replay => return self.replay().map(|m| self.say(m)),
            Command::Set(patch) => match self.set(patch)? {
                Some(message) => return Ok(self.say(message)),
                None => "settings changed".to_string(),
            },
            Command::Data { preset } => {
                self.set_data(ToyData::Preset(preset));
                format!("learning {preset} now")
            }
            Command::Draw { points } => {
                let n = points.len();
                self.set_data(ToyData::Drawn(DrawnPoints::new(points).map_err(anyhow::Error::msg)?));
                format!("learning your drawing ({n} points)")
            }
        };
        if command.changes_training() {
            self.log.push(Logged { at, command });
        }
        Ok(self.say(message))
    }

    fn say(&mut self, message: String) -> String {
        self.status = message.clone();
        message
    }

    fn steps(&mut self, network: Network, count: usize) -> Result<String> {
        for _ in 0..count {
            match network {
                Network::Both => self.iterate()?,
                Network::Critic => {
                    for pane in &mut self.panes {
                        pane.trainer.critic_updates()?;
                    }
                }
                Network::Generator => {
                    for pane in &mut self.panes {
                        pane.trainer.generator_updates()?;
                    }
                }
            }
        }
        let what = match network {
            Network::Both => "step",
            Network::Critic => "critic update",
            Network::Generator => "generator update",
        };
        Ok(format!("{count} {what}{} (now at step {})", if count == 1 { "" } else { "s" }, self.step()))
    }

    fn set_data(&mut self, data: ToyData) {
        self.real = views::real_points(&data);
        for pane in &mut self.panes {
            pane.trainer.data = data.clone();
        }
        self.settings.data = data;
    }

    /// Applies a change of settings: live where the networks can keep
    /// training, new networks where their shape or seed changed. Returns
    /// the message when the networks were rebuilt.
    fn set(&mut self, patch: SettingsPatch) -> Result<Option<String>> {
        let mut next = self.settings.clone();
        let t = &mut next.toy;
        override_fields!(t, patch; objective = objective, batch_size = batch_size, layers = layers, neurons = neurons,
                         latent_dim = latent_dim, latent = latent, seed = seed, g_steps = g_steps);
        override_fields!(t, patch; some learning_rate = learning_rate, g_learning_rate = g_learning_rate,
                         optimizer = optimizer, d_steps = d_steps);
        override_fields!(next, patch; slow_motion = slow_motion, int8_view = int8_view, history_every = history_every);
        if let Some(c) = &patch.compare {
            next.compare = parse_compare(c).map_err(anyhow::Error::msg)?;
        }
        if patch.compare.is_none() && next.compare == Some(next.toy.objective) {
            // Switching the left pane to the compared objective ends the comparison.
            next.compare = None;
        }
        next.validate()?;
        let (old, new) = (&self.settings, &next);
        let rebuild = old.toy.layers != new.toy.layers
            || old.toy.neurons != new.toy.neurons
            || old.toy.latent_dim != new.toy.latent_dim
            || old.toy.seed != new.toy.seed
            || old.toy.techniques != new.toy.techniques
            || old.compare != new.compare;
        self.settings = next;
        if rebuild {
            self.rebuild()?;
            return Ok(Some(format!("new networks from seed {} (shape, seed, techniques or comparison changed)", self.settings.toy.seed)));
        }
        for (i, pane) in self.panes.iter_mut().enumerate() {
            let config = self.settings.pane_config(i);
            retune(&mut pane.trainer, config);
        }
        Ok(None)
    }

    /// Starts again from the settings of the last reset and redoes the
    /// logged changes at the steps they came, up to the current step.
    fn replay(&mut self) -> Result<String> {
        let target = self.step();
        let log = std::mem::take(&mut self.log);
        self.settings = self.initial.clone();
        self.real = views::real_points(&self.settings.data);
        self.rebuild()?;
        for entry in log {
            while self.step() < entry.at {
                self.iterate()?;
            }
            self.handle(entry.command)?;
        }
        while self.step() < target {
            self.iterate()?;
        }
        Ok(format!("replayed from seed {} to step {target}", self.settings.toy.seed))
    }

    /// What the page draws of each pane.
    pub fn views(&self) -> Vec<PaneView> {
        self.panes.iter().map(|p| views::pane_view(&p.trainer, &self.real, self.settings.int8_view)).collect()
    }

    /// Everything the page shows, as one JSON object (see `page/lab.js`).
    pub fn frame_json(&self) -> String {
        #[derive(serde::Serialize)]
        struct PaneFrame<'a> {
            #[serde(flatten)]
            view: PaneView,
            history: Vec<&'a Metrics>,
            d_updates_per_step: usize,
        }
        #[derive(serde::Serialize)]
        struct Frame<'a> {
            step: usize,
            playing: bool,
            status: &'a str,
            settings: &'a LabSettings,
            resolved: ToyConfig,
            data: &'static str,
            extent: f32,
            real: &'a [[f32; 2]],
            panes: Vec<PaneFrame<'a>>,
        }
        let panes = self
            .views()
            .into_iter()
            .zip(&self.panes)
            .map(|(view, pane)| PaneFrame {
                view,
                history: downsample(&pane.history, HISTORY_SHOWN),
                d_updates_per_step: pane.trainer.gan.settings.d_steps,
            })
            .collect();
        let frame = Frame {
            step: self.step(),
            playing: self.playing,
            status: &self.status,
            settings: &self.settings,
            resolved: self.settings.toy.resolved(),
            data: self.settings.data.name(),
            extent: self.settings.data.extent(),
            real: self.real_shown(),
            panes,
        };
        serde_json::to_string(&frame).unwrap_or_else(|e| format!("{{\"status\":\"cannot draw this moment: {e}\"}}"))
    }

    /// The metric history of every pane as CSV.
    pub fn metrics_csv(&self) -> String {
        let mut out = String::from("pane,objective,step,d_loss,g_loss,modes_covered,modes_total,high_quality,mean_distance,kl,js\n");
        for (i, pane) in self.panes.iter().enumerate() {
            let o = pane.trainer.gan.settings.objective;
            for m in &pane.history {
                out += &format!(
                    "{i},{o},{},{},{},{},{},{:.4},{:.4},{:.4},{:.4}\n",
                    m.step, m.d_loss, m.g_loss, m.modes_covered, m.modes_total, m.high_quality, m.mean_distance, m.kl, m.js
                );
            }
        }
        out
    }

    /// A PNG of every pane side by side: real and generated points over the
    /// discriminator's field.
    pub fn snapshot_png(&self) -> Result<Vec<u8>> {
        let pictures: Vec<_> =
            self.panes.iter().map(|p| crate::training::toy_run::picture(&self.settings.data, p.trainer.config.latent, &p.trainer.gan)).collect();
        let all = crate::render::toy_picture::side_by_side(&pictures);
        let mut png = Vec::new();
        all.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)?;
        Ok(png)
    }

    /// Real points the page draws.
    pub fn real_shown(&self) -> &[[f32; 2]] {
        &self.real[..views::SHOWN.min(self.real.len())]
    }
}

/// Rows of the history the page's charts get at most.
const HISTORY_SHOWN: usize = 300;

/// At most `most` of `rows`, evenly spaced, the last included.
fn downsample<T>(rows: &[T], most: usize) -> Vec<&T> {
    if rows.len() <= most {
        return rows.iter().collect();
    }
    let last = rows.len() - 1;
    (0..most).map(|k| &rows[k * last / (most - 1)]).collect()
}

/// Brings a trainer's optimizer, objective, spectral norm and latents to
/// `config` without touching its weights.
fn retune(trainer: &mut ToyTrainer, config: ToyConfig) {
    let new = config.step_settings();
    let old = trainer.gan.settings;
    if (new.optimizer, new.beta1, new.beta2) != (old.optimizer, old.beta1, old.beta2) {
        trainer.gan.opt_g = new.optimizer();
        trainer.gan.opt_d = new.optimizer();
    }
    let device = trainer.device().clone();
    trainer.gan.critic.set_spectral_norm(config.objective.paper_defaults().spectral_norm, &device);
    trainer.gan.settings = new;
    trainer.gan.latent = config.latent;
    trainer.config = config;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::ToyDistribution;

    fn small() -> LabSettings {
        let mut s = LabSettings::default();
        s.toy.neurons = 16;
        s.toy.batch_size = 32;
        s.history_every = 2;
        s
    }

    fn command(json: &str) -> Command {
        Command::parse(json.as_bytes()).unwrap()
    }

    #[test]
    fn steps_settings_and_replay() {
        let device = Device::flex();
        let mut lab = Lab::new(small(), &device).unwrap();
        lab.handle(command(r#"{"cmd":"step","count":3}"#)).unwrap();
        lab.handle(command(r#"{"cmd":"step","network":"critic"}"#)).unwrap();
        assert_eq!(lab.step(), 3);
        assert_eq!(lab.panes[0].history.iter().map(|m| m.step).collect::<Vec<_>>(), [0, 2]);
        // Live changes: objective (spectral norm appears), optimizer, data.
        lab.handle(command(r#"{"cmd":"set","objective":"hinge","optimizer":"sgd","learning_rate":0.05}"#)).unwrap();
        assert!(lab.panes[0].trainer.gan.critic.layers.iter().all(|l| l.spectral.is_some()));
        assert_eq!(lab.panes[0].trainer.gan.settings.learning_rate, 0.05);
        lab.handle(command(r#"{"cmd":"data","preset":"moons"}"#)).unwrap();
        lab.handle(command(r#"{"cmd":"step","count":2}"#)).unwrap();
        assert_eq!(lab.step(), 5);
        assert_eq!(lab.log.len(), 5);
        // A replay redoes it all (that it lands on the same networks is
        // tested in tests/lab.rs, in a process of its own: burn's RNG is
        // global, and tests running beside this one would draw from it).
        lab.handle(Command::Replay).unwrap();
        assert_eq!((lab.step(), lab.log.len()), (5, 5));
        assert_eq!(lab.settings.data, ToyData::Preset(ToyDistribution::Moons));
        assert_eq!(lab.settings.toy.objective, Objective::Hinge);
        assert!(lab.frame_json().contains("\"data\":\"moons\""));
        assert!(lab.metrics_csv().lines().count() >= 3);
        assert!(lab.snapshot_png().unwrap().starts_with(b"\x89PNG"));
        // Bad settings are refused and change nothing.
        for bad in [r#"{"cmd":"set","learning_rate":-1}"#, r#"{"cmd":"set","neurons":0}"#, r#"{"cmd":"set","compare":"hinge"}"#] {
            let settings = lab.settings.clone();
            assert!(lab.handle(command(bad)).is_err(), "{bad}");
            assert_eq!(lab.settings, settings);
        }
        // Shape changes give new networks; a comparison gives two panes.
        lab.handle(command(r#"{"cmd":"set","neurons":8,"compare":"wgan-gp"}"#)).unwrap();
        assert_eq!((lab.panes.len(), lab.step(), lab.log.len()), (2, 0, 0));
        assert_eq!(lab.panes[1].trainer.gan.settings.objective, Objective::WganGp);
        lab.handle(command(r#"{"cmd":"step","count":2}"#)).unwrap();
        assert_eq!(lab.panes[1].trainer.step, 2);
        assert!(lab.handle(command(r#"{"cmd":"draw","points":[]}"#)).is_err());
        lab.handle(command(r#"{"cmd":"draw","points":[[0,0],[1,1],[2,0.5]]}"#)).unwrap();
        assert_eq!(lab.panes[1].trainer.data.name(), "drawn");
    }

    #[test]
    fn settings_from_a_file_are_checked_like_the_page_s() {
        let mut s = small();
        s.data = ToyData::Drawn(DrawnPoints { points: vec![] });
        assert!(format!("{:#}", s.validate().unwrap_err()).contains("no points"));
        s.data = ToyData::Drawn(DrawnPoints { points: vec![[f32::INFINITY, 0.0]] });
        assert!(format!("{:#}", s.validate().unwrap_err()).contains("outside the plane"));
        let mut s = small();
        s.history_every = 0;
        assert!(s.validate().is_err());
    }

    #[test]
    fn divergence_pauses_with_a_message() {
        let mut s = small();
        s.toy.learning_rate = Some(1e30);
        s.toy.optimizer = Some(crate::training::objectives::OptimizerKind::Sgd);
        let mut lab = Lab::new(s, &Device::flex()).unwrap();
        lab.handle(Command::Play).unwrap();
        let mut failed = None;
        for _ in 0..20 {
            if let Err(e) = lab.iterate() {
                failed = Some(e);
                break;
            }
        }
        let e = failed.expect("a learning rate of 1e30 diverges");
        assert!(format!("{e:#}").contains("lower the learning rate"), "{e:#}");
        assert!(!lab.playing && lab.status.contains("diverged"));
        assert!(lab.frame_json().contains("\"playing\":false"), "a diverged lab still draws");
    }
}
