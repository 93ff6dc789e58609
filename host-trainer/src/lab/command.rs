//! The messages the page sends (`POST /command`, JSON), and how a
//! malformed one is explained.

use crate::data::ToyDistribution;
use crate::training::step::LatentDistribution;
use crate::training::objectives::{Objective, OptimizerKind};

/// Which network a step updates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Network {
    /// The critic's updates, then the generator's: one step.
    #[default]
    Both,
    /// Only the critic's updates of a step.
    Critic,
    /// Only the generator's updates of a step.
    Generator,
}

/// A change of settings; fields left out stay as they are.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SettingsPatch {
    /// The objective (of the left pane).
    pub objective: Option<Objective>,
    /// `none`, or the objective of a second pane trained beside the first.
    pub compare: Option<String>,
    /// Learning rate of the critic (and of the generator unless set apart).
    pub learning_rate: Option<f64>,
    /// Learning rate of the generator.
    pub g_learning_rate: Option<f64>,
    /// Optimizer of both networks.
    pub optimizer: Option<OptimizerKind>,
    /// Critic updates per step.
    pub d_steps: Option<usize>,
    /// Generator updates per step.
    pub g_steps: Option<usize>,
    /// Points per batch.
    pub batch_size: Option<usize>,
    /// Hidden layers of both networks (new networks).
    pub layers: Option<usize>,
    /// Neurons per hidden layer (new networks).
    pub neurons: Option<usize>,
    /// Latent size (new networks).
    pub latent_dim: Option<usize>,
    /// How latents are drawn.
    pub latent: Option<LatentDistribution>,
    /// Seed (new networks).
    pub seed: Option<u64>,
    /// Slow motion: one step at a time, each shown.
    pub slow_motion: Option<bool>,
    /// Show the int8 model's points.
    pub int8_view: Option<bool>,
    /// Steps between rows of the metric history.
    pub history_every: Option<usize>,
}

/// A command from the page.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "cmd", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Command {
    /// Train continuously.
    Play,
    /// Stop training.
    Pause,
    /// `count` steps (or one network's updates of them), then pause.
    Step {
        /// Which network.
        #[serde(default)]
        network: Network,
        /// How many.
        #[serde(default = "one")]
        count: usize,
    },
    /// Change settings.
    Set(SettingsPatch),
    /// New networks from the seed, history cleared.
    Reset,
    /// Start again from the seed and redo every step and change since the
    /// last reset: a seeded run replays exactly.
    Replay,
    /// Learn a preset distribution.
    Data {
        /// The preset.
        preset: ToyDistribution,
    },
    /// Learn a drawn distribution.
    Draw {
        /// The drawn points, in drawing order.
        points: Vec<[f32; 2]>,
    },
}

fn one() -> usize {
    1
}

/// Most steps one command may ask for.
pub const MAX_STEP_COUNT: usize = 20_000;

impl Command {
    /// Reads a command, explaining what is wrong with a bad one.
    pub fn parse(body: &[u8]) -> Result<Command, String> {
        let text = std::str::from_utf8(body).map_err(|_| "the command is not UTF-8 text".to_string())?;
        let command: Command = serde_json::from_str(text).map_err(|e| match bad_setting(text) {
            Some(why) => why,
            None => format!(
                "the lab cannot read this command ({e}); a command is JSON like {{\"cmd\": \"step\", \"network\": \"both\", \"count\": 1}}"
            ),
        })?;
        if let Command::Step { count, .. } = command
            && !(1..=MAX_STEP_COUNT).contains(&count)
        {
            return Err(format!("a step command takes 1 to {MAX_STEP_COUNT} steps (got {count})"));
        }
        Ok(command)
    }

    /// Whether the command changes the networks or the data (and so is
    /// part of what a replay redoes).
    pub fn changes_training(&self) -> bool {
        !matches!(self, Command::Play | Command::Pause | Command::Reset | Command::Replay)
    }
}

/// For a `set` command that does not parse: which setting is wrong, and why.
fn bad_setting(text: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    let fields = value.as_object().filter(|o| o.get("cmd").and_then(|c| c.as_str()) == Some("set"))?;
    fields.iter().filter(|(k, _)| k.as_str() != "cmd").find_map(|(key, v)| {
        let single = serde_json::json!({ key.as_str(): v });
        serde_json::from_value::<SettingsPatch>(single).err().map(|e| format!("the setting {key} cannot be {v}: {e}"))
    })
}

/// Reads `none` or an objective's name.
pub fn parse_compare(text: &str) -> Result<Option<Objective>, String> {
    if text == "none" {
        return Ok(None);
    }
    Objective::ALL
        .into_iter()
        .find(|o| o.name() == text)
        .map(Some)
        .ok_or_else(|| format!("unknown objective {text:?} to compare with: use none, minimax, non-saturating, wgan, wgan-gp, hinge or least-squares"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_parse_and_bad_ones_are_explained() {
        assert_eq!(Command::parse(br#"{"cmd":"play"}"#), Ok(Command::Play));
        assert_eq!(
            Command::parse(br#"{"cmd":"step","network":"critic"}"#),
            Ok(Command::Step { network: Network::Critic, count: 1 })
        );
        let set = Command::parse(br#"{"cmd":"set","learning_rate":0.01,"compare":"wgan"}"#).unwrap();
        let Command::Set(patch) = set else { panic!("{set:?}") };
        assert_eq!((patch.learning_rate, patch.compare.as_deref()), (Some(0.01), Some("wgan")));
        for (body, says) in [
            (&b"not json"[..], "cannot read this command"),
            (br#"{"cmd":"fly"}"#, "unknown variant"),
            (br#"{"cmd":"set","learning_rate":"fast"}"#, r#"the setting learning_rate cannot be "fast": invalid type"#),
            (br#"{"cmd":"set","neurons":-3}"#, "the setting neurons cannot be -3: invalid value"),
            (br#"{"cmd":"set","colour":1}"#, "the setting colour cannot be 1: unknown field"),
            (br#"{"cmd":"step","count":0}"#, "1 to 20000"),
            (br#"{"cmd":"data","preset":"cube"}"#, "unknown variant"),
            (&[0xff, 0xfe][..], "not UTF-8"),
        ] {
            let e = Command::parse(body).unwrap_err();
            assert!(e.contains(says), "{}: {e}", String::from_utf8_lossy(body));
        }
        assert_eq!(parse_compare("none"), Ok(None));
        assert_eq!(parse_compare("hinge"), Ok(Some(Objective::Hinge)));
        assert!(parse_compare("gan").unwrap_err().contains("unknown objective"));
    }
}
