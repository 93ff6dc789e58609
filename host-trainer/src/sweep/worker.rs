//! One run of a sweep, in its own process (`pocketgan sweep worker DIR
//! --index I`, what a local job or a Slurm array task executes): trains,
//! scores, and writes the run's result. A run that already has a result
//! is not run again.

use super::manifest::{Manifest, RunData, RunResult, SweepDir};
use crate::eval::compare_runs::{run_image, run_toy};
use crate::metrics::images::{Evaluator, splits};
use crate::training::device::DeviceChoice;
use crate::training::run_dir::RunDir;
use anyhow::{Result, bail};
use burn::tensor::Device;

/// Runs run `index` of the sweep in `dir` on `on` (image runs; toys run on
/// the CPU, as `compare`'s do) and writes its result.
pub fn run_one(dir: &SweepDir, index: usize, on: &DeviceChoice) -> Result<RunResult> {
    let (_, runs) = Manifest::load(dir)?;
    let Some(run) = runs.get(index) else {
        bail!("the sweep in {} has {} runs (0 to {}): there is no run {index}", dir.root.display(), runs.len(), runs.len().saturating_sub(1));
    };
    let id = &run.spec.id;
    if let Some(done) = dir.read_result(id)? {
        eprintln!("run {index} ({id}) already finished: nothing to do");
        return Ok(done);
    }
    eprintln!("run {index} ({id}): {} on {}, seed {}, {} steps", run.recipe.label, run.spec.data, run.spec.seed, run.spec.steps);
    let device = Device::flex();
    let result = match &run.data {
        RunData::Toy(toy) => {
            let score = run_toy(&run.recipe, *toy, run.spec.steps, run.spec.seed, None, &device)?;
            eprintln!("  {}/{} modes, {:.1}% high quality, {:.1} s", score.modes, toy.modes(), score.high_quality_percent, score.seconds);
            RunResult { id: id.clone(), toy: Some(score), image: None }
        }
        RunData::Images(data, eval_images) => {
            let (train_set, test_set) = splits(data)?;
            let evaluator = Evaluator::new(&train_set, &test_set, &device, false)?;
            let folder = RunDir::new(dir.run_dir(id).join("run"));
            let score = run_image(&run.recipe, data, run.spec.steps, run.spec.seed, &folder, on, &evaluator, *eval_images, None, &device)?;
            eprintln!("  Fréchet {:.2} (int8 {:.2}), spread {:.3}, {:.0} s", score.frechet, score.frechet_int8, score.spread, score.seconds);
            RunResult { id: id.clone(), toy: None, image: Some(score) }
        }
    };
    dir.write_result(&result)?;
    Ok(result)
}
