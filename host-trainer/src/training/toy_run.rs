//! A toy run's folder: training into it (config, metrics, pictures,
//! weights), loading it back, and the picture of a toy GAN at one moment.
//!
//! ```text
//! RUN/toy.toml             the resolved configuration
//! RUN/metrics.csv          step, d_loss, g_loss, modes covered, high-quality share,
//!                          mean distance (one row per evaluation)
//! RUN/losses.png, .svg     the losses of those rows (`pocketgan plot RUN`)
//! RUN/samples/step-N.png   real (grey) and generated (orange) points over D's field
//! RUN/progress.png         five of those side by side, untrained to finished
//! RUN/generator.bpk        the final generator (critic.bpk beside it)
//! ```

use crate::data::ToyData;
use crate::nets::MlpGenerator;
use crate::render::toy_picture;
use crate::training::step::LatentDistribution;
use crate::training::toy::{ToyConfig, ToyGan, ToyRun, field_grid, generated_points, train_toy};
use anyhow::{Context, Result, bail};
use burn::module::Module;
use burn::tensor::Device;
use std::io::Write;
use std::path::Path;

/// The picture of `gan` on `data` (see [`toy_picture::draw`]): its critic's
/// field, 600 real points and 600 generated ones.
pub fn picture(data: &ToyData, latent: LatentDistribution, gan: &ToyGan) -> image::RgbImage {
    let extent = data.extent();
    let device = gan.generator.devices().into_iter().next().unwrap_or_else(Device::flex);
    let field = field_grid(gan, extent, toy_picture::CELLS);
    let real = data.sample(600, 99);
    let generated = generated_points(&gan.sampling_generator(), latent, 600, &device.inner());
    toy_picture::draw(&field, extent, &real, &generated)
}

/// Draws `gan` on `data` into `path`.
pub fn save_picture(path: &Path, data: &ToyData, latent: LatentDistribution, gan: &ToyGan) -> Result<()> {
    picture(data, latent, gan).save(path).with_context(|| format!("cannot write {}", path.display()))
}

/// Trains into a run folder: config, losses, metrics, pictures, weights.
pub fn train_into(config: &ToyConfig, run: &Path, device: &Device, show_progress: bool) -> Result<ToyRun> {
    // Settings that cannot train are refused before the folder exists.
    config.validate()?;
    if run.join("toy.toml").exists() {
        bail!("{} already holds a toy run: choose another --run folder (or delete that one)", run.display());
    }
    std::fs::create_dir_all(run.join("samples")).with_context(|| format!("cannot create {}", run.display()))?;
    std::fs::write(run.join("toy.toml"), toml::to_string_pretty(&config.resolved())?)?;
    let mut metrics = std::io::BufWriter::new(std::fs::File::create(run.join("metrics.csv"))?);
    writeln!(metrics, "step,d_loss,g_loss,modes_covered,modes_total,high_quality,mean_distance")?;
    let bar = if show_progress { indicatif::ProgressBar::new(config.steps as u64) } else { indicatif::ProgressBar::hidden() };
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} steps  ETA {eta}  {msg}")
            .expect("valid template"),
    );
    let mut pictures = Vec::new();
    let result = train_toy(config, device, |s, gan| {
        let m = s.modes;
        writeln!(metrics, "{},{},{},{},{},{:.4},{:.4}", s.step, s.d_loss, s.g_loss, m.modes_covered, m.modes_total, m.high_quality, m.mean_distance)?;
        let picture = run.join("samples").join(format!("step-{:06}.png", s.step));
        save_picture(&picture, &config.data.into(), config.latent, gan)?;
        pictures.push(picture);
        bar.set_position(s.step as u64);
        bar.set_message(format!("modes {}/{}  high quality {:.0}%", m.modes_covered, m.modes_total, m.high_quality * 100.0));
        Ok(())
    });
    bar.finish();
    metrics.flush()?;
    let run_result = result?;
    toy_picture::save_strip(&pictures, 5, &run.join("progress.png"))?;
    let io = |e| anyhow::anyhow!("cannot save the networks: {e:?}");
    run_result.gan.sampling_generator().save_file(run.join("generator.bpk")).map_err(io)?;
    run_result.gan.critic.clone().save_file(run.join("critic.bpk")).map_err(io)?;
    Ok(run_result)
}

/// Loads a toy run's generator and config.
pub fn load(run: &Path, device: &Device) -> Result<(ToyConfig, MlpGenerator)> {
    let text = std::fs::read_to_string(run.join("toy.toml")).with_context(|| format!("{} is not a toy run (no toy.toml)", run.display()))?;
    let corrupt = || format!("{}/toy.toml is corrupt", run.display());
    let table: toml::Table = toml::from_str(&text).with_context(corrupt)?;
    // Runs from before the data was standardized have no `normalize` field.
    let standardized = table.contains_key("normalize");
    let mut config: ToyConfig = table.try_into().with_context(corrupt)?;
    config.normalize &= standardized;
    let generator = config
        .networks(&config.data.into())
        .init_generator(device)
        .try_load_file(run.join("generator.bpk"))
        .map_err(|e| anyhow::anyhow!("cannot load {}/generator.bpk ({e:?}): did the run finish?", run.display()))?;
    Ok((config, generator))
}

