//! `pocketgan bench train`: milliseconds per DCGAN training step on each
//! available backend, measured in one run so the ratios are comparable.

use crate::training::device::{self, DeviceChoice};
use crate::nets::{DiscriminatorConfig, GeneratorConfig};
use crate::training::objectives::settings::StepSettings;
use crate::training::step::{GanStep, };
use crate::training::objectives::Objective;
use crate::training::image_config::TrainConfig;
use anyhow::Result;
use burn::tensor::{Device, Distribution, Tensor};
use std::time::Instant;

/// One row of the table.
#[derive(Debug, Clone)]
pub struct BenchRow {
    /// Network size label.
    pub network: String,
    /// Backend label.
    pub backend: String,
    /// Median milliseconds per step (one D and one G update).
    pub median_ms: f64,
}

fn time_steps(gen_config: &GeneratorConfig, disc: &DiscriminatorConfig, device: &Device, batch: usize, warmup: usize, steps: usize) -> Result<f64> {
    let device = device.clone().autodiff();
    device.seed(7);
    let mut gan = GanStep::new(gen_config.init(&device)?, disc.init(&device)?, StepSettings::paper(Objective::NonSaturating));
    let real = Tensor::<4>::random([batch, gen_config.channels, gen_config.height, gen_config.width], Distribution::Uniform(-1.0, 1.0), &device);
    for _ in 0..warmup {
        gan.step(gan.settings.learning_rate, || (real.clone(), None))?;
    }
    let mut times = Vec::with_capacity(steps);
    for _ in 0..steps {
        let t = Instant::now();
        gan.step(gan.settings.learning_rate, || (real.clone(), None))?; // reading the losses back synchronises the device
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    Ok(times[times.len() / 2])
}

/// Times the default pocketgan DCGAN and the larger reference DCGAN of
/// `shared/facts.md` on flex, and on wgpu when this build has it and an
/// adapter answers.
pub fn train_bench(batch: usize, steps: usize) -> Result<Vec<BenchRow>> {
    let mut backends: Vec<(Device, String)> = vec![(Device::flex(), "flex (CPU)".into())];
    match device::resolve(&DeviceChoice::Wgpu) {
        Ok((d, _)) => backends.push((d, "wgpu".into())),
        Err(e) => eprintln!("wgpu skipped: {e}"),
    }
    let default = TrainConfig::default();
    let sizes = [
        // What `pocketgan train` builds by default.
        (default.latent_dim, default.generator_channels, default.discriminator_channels),
        // The DCGAN step measured against PyTorch in the team's facts
        // (z 64, G 128→64→1, D 64→128; ours adds batch norm to D).
        (64, 128, 64),
    ];
    let mut rows = Vec::new();
    for (latent, g_ch, d_ch) in sizes {
        let label = format!("z {latent}, G {g_ch}→{}→1, D {d_ch}→{} (+BN)", g_ch / 2, d_ch * 2);
        let gen_config = GeneratorConfig::new().with_latent_dim(latent).with_base_channels(g_ch);
        let disc = DiscriminatorConfig::new().with_base_channels(d_ch);
        for (device, name) in &backends {
            let warmup = if name.starts_with("wgpu") { 5 } else { 3 };
            let median_ms = time_steps(&gen_config, &disc, device, batch, warmup, steps)?;
            rows.push(BenchRow { network: label.clone(), backend: name.clone(), median_ms });
        }
    }
    Ok(rows)
}

/// Prints the table with each row's ratio to flex on the same network.
pub fn print_table(rows: &[BenchRow], batch: usize) {
    println!("DCGAN training step (one D + one G update), batch {batch}, 28x28x1, median");
    println!("| network | backend | ms/step | vs flex |");
    println!("|---|---|---|---|");
    for row in rows {
        let base = rows
            .iter()
            .find(|r| r.network == row.network && r.backend.starts_with("flex"))
            .map(|r| r.median_ms)
            .unwrap_or(row.median_ms);
        println!("| {} | {} | {:.1} | {:.2}x |", row.network, row.backend, row.median_ms, row.median_ms / base);
    }
}
