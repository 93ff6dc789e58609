//! A sweep folder and its manifest (`manifest.toml`): one `[[run]]` per
//! training run, each naming its data, `compare` row, objective, seed and
//! steps. Written by `pocketgan sweep plan`, editable by hand, and checked
//! whole ([`Manifest::load`]) before anything runs or is submitted.

use crate::data::{DataSource, FolderOptions, ToyDistribution};
use crate::eval::compare::Grid;
use crate::eval::compare_runs::{ImageScore, ToyScore};
use crate::eval::recipes::{Recipe, RowSet, recipes};
use crate::files::write_atomic;
use crate::training::objectives::Objective;
use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The manifest's format version.
pub const VERSION: u32 = 1;
/// Generated images per Fréchet distance when a run does not say.
const DEFAULT_EVAL_IMAGES: usize = 1000;

/// The runs of a sweep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// The format version ([`VERSION`]).
    pub version: u32,
    /// The runs, in table order.
    #[serde(rename = "run", default)]
    pub runs: Vec<RunSpec>,
}

/// One run as the manifest names it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunSpec {
    /// Its folder under `runs/` (letters, digits, `-`, `_`, `.` and `/`).
    pub id: String,
    /// A toy distribution (`ring`, `grid`, …) or an image set (`digits`,
    /// `fashion-mnist`, a folder).
    pub data: String,
    /// The `compare` row, by its file name (`non-saturating-pack-2`).
    pub row: String,
    /// The objective.
    pub objective: Objective,
    /// The seed.
    pub seed: u64,
    /// Generator steps.
    pub steps: usize,
    /// Generated images per Fréchet distance (image runs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eval_images: Option<usize>,
}

/// What a run trains on.
#[derive(Debug, Clone)]
pub enum RunData {
    /// A 2-D toy.
    Toy(ToyDistribution),
    /// An image set, with the number of images each Fréchet distance takes.
    Images(DataSource, usize),
}

/// A checked run: its spec, what it trains on, and its row.
#[derive(Debug, Clone)]
pub struct Run {
    /// As the manifest has it.
    pub spec: RunSpec,
    /// The data.
    pub data: RunData,
    /// The row's settings.
    pub recipe: Recipe,
}

/// What a finished run left (`runs/<id>/result.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    /// The run's id.
    pub id: String,
    /// A toy run's score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub toy: Option<ToyScore>,
    /// An image run's score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageScore>,
}

/// A sweep folder.
#[derive(Debug, Clone)]
pub struct SweepDir {
    /// The folder (absolute, so Slurm tasks find it from anywhere).
    pub root: PathBuf,
}

impl SweepDir {
    /// The folder at `root`.
    pub fn new(root: &Path) -> Result<Self> {
        let root = std::path::absolute(root).with_context(|| format!("{}: not a usable path", root.display()))?;
        Ok(SweepDir { root })
    }

    /// `manifest.toml`.
    pub fn manifest(&self) -> PathBuf {
        self.root.join("manifest.toml")
    }

    /// A run's folder.
    pub fn run_dir(&self, id: &str) -> PathBuf {
        self.root.join("runs").join(id)
    }

    /// A run's result file.
    pub fn result(&self, id: &str) -> PathBuf {
        self.run_dir(id).join("result.json")
    }

    /// The log of run `index`.
    pub fn log(&self, index: usize) -> PathBuf {
        self.root.join("logs").join(format!("{index}.log"))
    }

    /// A run's result, if it finished.
    pub fn read_result(&self, id: &str) -> Result<Option<RunResult>> {
        let path = self.result(id);
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(Some(serde_json::from_str(&text).with_context(|| format!("{}: not a sweep result; delete it to run that run again", path.display()))?)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
        }
    }

    /// Writes a run's result whole or not at all, so a killed task never
    /// leaves half a result.
    pub fn write_result(&self, result: &RunResult) -> Result<()> {
        let path = self.result(&result.id);
        std::fs::create_dir_all(path.parent().expect("a run folder"))?;
        write_atomic(&path, serde_json::to_string_pretty(result)?.as_bytes())
    }

    /// The indices of the runs without a result.
    pub fn missing(&self, runs: &[Run]) -> Result<Vec<usize>> {
        let mut missing = Vec::new();
        for (i, run) in runs.iter().enumerate() {
            if self.read_result(&run.spec.id)?.is_none() {
                missing.push(i);
            }
        }
        Ok(missing)
    }
}

impl Manifest {
    /// The runs of `grid`: every toy, then every image set; in each, every
    /// row with every seed.
    pub fn plan(grid: &Grid) -> Result<Manifest> {
        let objectives = if grid.objectives.is_empty() { Objective::ALL.to_vec() } else { grid.objectives.clone() };
        if grid.toy_seeds == 0 || grid.image_seeds == 0 {
            bail!("--toy-seeds and --image-seeds must be at least 1");
        }
        let mut runs = Vec::new();
        for &toy in grid.toys.iter().flatten() {
            for row in recipes(&grid.rows, &objectives, false) {
                for seed in 1..=grid.toy_seeds {
                    let id = format!("{}/{}/seed-{seed}", toy.name(), row.slug());
                    runs.push(RunSpec { id, data: toy.name().into(), row: row.slug(), objective: row.objective, seed, steps: grid.toy_steps, eval_images: None });
                }
            }
        }
        if grid.image_steps > 0 {
            for name in &grid.image_data {
                for row in recipes(&grid.rows, &objectives, true) {
                    for seed in 1..=grid.image_seeds {
                        let id = format!("{name}/{}/seed-{seed}", row.slug());
                        let eval_images = Some(grid.eval_images);
                        runs.push(RunSpec { id, data: name.clone(), row: row.slug(), objective: row.objective, seed, steps: grid.image_steps, eval_images });
                    }
                }
            }
        }
        if runs.is_empty() {
            bail!("this grid has no runs: give --toys or --image-data with --image-steps above 0");
        }
        let manifest = Manifest { version: VERSION, runs };
        manifest.check()?;
        Ok(manifest)
    }

    /// Writes `dir`'s manifest; refuses to replace one with other runs
    /// (its results would no longer match it).
    pub fn write(&self, dir: &SweepDir) -> Result<()> {
        let path = dir.manifest();
        if path.exists() {
            let (existing, _) = Manifest::load(dir)?;
            if existing != *self {
                bail!("{} already holds a different sweep: give another folder, or delete it to start over", path.display());
            }
            return Ok(());
        }
        std::fs::create_dir_all(&dir.root).with_context(|| format!("creating {}", dir.root.display()))?;
        let body = toml::to_string(self)?;
        let text = format!(
            "# pocketgan sweep manifest: one [[run]] per training run. Edit it if you like\n\
             # (`pocketgan sweep run` checks it whole before running anything), then\n\
             #   pocketgan sweep run {dir} --on local --jobs 2     (or --on slurm)\n\
             #   pocketgan sweep collect {dir}\n\n{body}",
            dir = dir.root.display()
        );
        write_atomic(&path, text.as_bytes())
    }

    /// Reads and checks `dir`'s manifest: every run resolved, or an error
    /// naming the first run that is wrong and why.
    pub fn load(dir: &SweepDir) -> Result<(Manifest, Vec<Run>)> {
        let path = dir.manifest();
        let text = std::fs::read_to_string(&path).with_context(|| format!("no sweep at {}: write one with `pocketgan sweep plan -o {}`", path.display(), dir.root.display()))?;
        let manifest: Manifest = toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        let runs = manifest.check().with_context(|| format!("{}: nothing was run or submitted", path.display()))?;
        Ok((manifest, runs))
    }

    /// Resolves every run.
    fn check(&self) -> Result<Vec<Run>> {
        if self.version != VERSION {
            bail!("manifest version {} (this pocketgan reads version {VERSION})", self.version);
        }
        let mut seen = std::collections::HashSet::new();
        let mut runs = Vec::with_capacity(self.runs.len());
        for spec in &self.runs {
            let run = resolve(spec).with_context(|| format!("run '{}'", spec.id))?;
            if !seen.insert(spec.id.clone()) {
                bail!("run '{}' appears twice: every run needs its own id", spec.id);
            }
            runs.push(run);
        }
        Ok(runs)
    }
}

/// Checks one run and finds its data and row.
fn resolve(spec: &RunSpec) -> Result<Run> {
    let id_ok = !spec.id.is_empty()
        && spec.id.split('/').all(|part| !part.is_empty() && part != "." && part != "..")
        && spec.id.chars().all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c));
    if !id_ok {
        bail!("the id must be a relative path of letters, digits, '-', '_' and '.' (no '..'), like ring/wgan/seed-1");
    }
    if spec.steps == 0 {
        bail!("steps must be at least 1");
    }
    let toy = <ToyDistribution as clap::ValueEnum>::from_str(&spec.data, false).ok();
    let images = toy.is_none();
    let data = match toy {
        Some(toy) => RunData::Toy(toy),
        None => {
            let source = DataSource::parse(&spec.data, FolderOptions { size: 28, ..FolderOptions::default() })
                .with_context(|| "data is neither a toy (ring, grid, spiral, moons, line, gaussian) nor an image set".to_string())?;
            let eval_images = spec.eval_images.unwrap_or(DEFAULT_EVAL_IMAGES);
            if eval_images < 2 {
                bail!("eval_images must be at least 2");
            }
            RunData::Images(source, eval_images)
        }
    };
    let all = [RowSet::Paper, RowSet::Techniques, RowSet::Recommended];
    let rows = recipes(&all, &[spec.objective], images);
    let Some(recipe) = rows.iter().find(|r| r.slug() == spec.row).cloned() else {
        let names: Vec<String> = rows.iter().map(Recipe::slug).collect();
        bail!("no row '{}' for {} on {}: choose from {}", spec.row, spec.objective, if images { "images" } else { "a toy" }, names.join(", "));
    };
    Ok(Run { spec: spec.clone(), data, recipe })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> RunSpec {
        RunSpec { id: "ring/wgan/seed-1".into(), data: "ring".into(), row: "wgan".into(), objective: Objective::Wgan, seed: 1, steps: 10, eval_images: None }
    }

    #[test]
    fn runs_resolve_or_say_what_is_wrong() {
        let run = resolve(&spec()).unwrap();
        assert!(matches!(run.data, RunData::Toy(ToyDistribution::Ring)));
        assert_eq!(run.recipe.objective, Objective::Wgan);
        let wrong = |f: &dyn Fn(&mut RunSpec)| {
            let mut s = spec();
            f(&mut s);
            format!("{:#}", resolve(&s).unwrap_err())
        };
        assert!(wrong(&|s| s.row = "wgan-pack-9".into()).contains("choose from wgan"), "rows listed");
        assert!(wrong(&|s| s.data = "rings".into()).contains("neither a toy"));
        assert!(wrong(&|s| s.id = "../escape".into()).contains("relative path"));
        assert!(wrong(&|s| s.steps = 0).contains("steps"));
    }

    #[test]
    fn unknown_fields_and_objectives_are_refused_by_name() {
        let text = toml::to_string(&Manifest { version: VERSION, runs: vec![spec()] }).unwrap();
        let back: Manifest = toml::from_str(&text).unwrap();
        assert_eq!(back.runs, vec![spec()]);
        let flag = text.replace("seed = 1", "seed = 1\nlearning_rte = 0.1");
        assert!(toml::from_str::<Manifest>(&flag).unwrap_err().to_string().contains("learning_rte"));
        let objective = text.replace("objective = \"wgan\"", "objective = \"wgan-sp\"");
        assert!(toml::from_str::<Manifest>(&objective).unwrap_err().to_string().contains("wgan-sp"));
    }
}
