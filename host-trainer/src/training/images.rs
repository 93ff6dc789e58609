//! The image training loop: a DCGAN trained with any [`Objective`](crate::training::objectives::Objective),
//! optionally class-conditional.

use crate::data::captions::{CaptionKind, Captioned, vocabulary_text};
use crate::data::{Batches, ImageSet};
use pocketgan_shared::text::Vocabulary;
use crate::training::device::{self, DeviceChoice};
use crate::training::remote;
use crate::nets::{Discriminator, DiscriminatorConfig, Generator, GeneratorConfig};
use crate::training::step::GanStep;
pub(crate) use crate::training::step::step_seed;
use crate::training::sound::SoundPairs;
use crate::data::spoken_digits::Split;
use crate::data::spoken_features::DIGIT_LABELS;
use crate::data::DataSource;
use crate::render::grid::Grid;
use crate::nets::seeded::{float_images, seed_inputs};
use crate::training::image_config::{ResumeChanges, TrainConfig};
use crate::training::interrupt;
use crate::training::objectives::settings::check_generator_learning_rate;
use crate::files::write_atomic;
use crate::training::run_dir::{AVERAGE_FILE, CheckpointState, RunDir, load_module, replace_checkpoint, truncate_losses};
use anyhow::{Context, Result, bail};
use burn::config::Config;
use burn::module::{Module, ModuleVisitor, Param};
use burn::tensor::{Device, Tensor, TensorData};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::Write;
use std::time::Instant;

/// What a finished training run reports.
#[derive(Debug, Clone)]
pub struct TrainReport {
    /// Steps done in total (the run's step count when it stopped).
    pub steps: usize,
    /// Final losses.
    pub d_loss: f32,
    /// Final generator loss.
    pub g_loss: f32,
    /// Mean wall time per step of this session.
    pub ms_per_step: f64,
    /// The device used.
    pub device: String,
    /// Stopped by Ctrl-C (or SIGTERM) after writing a checkpoint.
    pub interrupted: bool,
}

fn save_grid(generator: &Generator, z: &Tensor<2>, config: &GeneratorConfig, path: &std::path::Path) -> Result<()> {
    let grid = Grid {
        width: config.width,
        height: config.height,
        channels: config.channels,
        images: float_images(generator, z.clone()),
    };
    grid.save_png(path, 8, 2)
}

/// Everything a run trains with besides its config: data, architectures
/// and the device, checked before anything is written.
struct Setup {
    data: ImageSet,
    /// Condition columns: the classes, or a text model's words.
    classes: usize,
    /// A text model's captions and vocabulary (`\n`-terminated words).
    captions: Option<(Captioned, String)>,
    /// A sound model's recordings.
    sound: Option<SoundPairs>,
    generator: GeneratorConfig,
    discriminator: DiscriminatorConfig,
    device: Device,
    device_name: String,
}

impl Setup {
    /// Validates `config` (already resolved) and loads its data.
    fn new(config: &TrainConfig, device_choice: &DeviceChoice) -> Result<Setup> {
        if config.steps == 0 || config.batch_size == 0 {
            bail!("--steps and --batch-size must be at least 1");
        }
        config.step_settings().validate()?;
        check_generator_learning_rate(config.generator_learning_rate())?;
        let t = &config.techniques();
        t.validate(config.batch_size)?;
        if config.gp_weight.is_some() && config.batch_norm == Some(true) {
            bail!("a gradient penalty needs a discriminator without batch norm: drop --batch-norm (or the penalty)");
        }
        if t.needs_input_gradient() && config.batch_norm == Some(true) {
            bail!("R1/R2 need a discriminator without batch norm (its statistics mix the samples): add --batch-norm false, or turn the penalty off with --r1 0");
        }
        if t.pack() > 1 && (config.conditional || config.captions || config.spoken_digits) {
            bail!("--pack and --conditional (or --captions, --spoken-digits) cannot be combined yet: a packed critic would need every sample's condition");
        }
        if config.spoken_digits && (config.conditional || config.captions) {
            bail!("--spoken-digits is a condition of its own: drop --conditional and --captions (the recording names the digit)");
        }
        if config.spoken_digits && config.data != DataSource::Digits {
            bail!("--spoken-digits pairs the bundled spoken digits with the bundled digit images: use --data digits");
        }
        if config.held_out_speaker.is_some() && !config.spoken_digits {
            bail!("--held-out-speaker chooses the recordings of a sound model: add --spoken-digits");
        }
        if config.conditional && config.captions {
            bail!("--conditional and --captions are two kinds of condition: choose one (captions already name the class)");
        }
        if config.captions && config.text_dim == 0 {
            bail!("--text-dim must be at least 1");
        }
        let data = config.data.load()?;
        let captions = if config.captions {
            let kind = CaptionKind::of(&config.data)?;
            let captioned = Captioned::measure(kind, &data, None)?;
            Some((captioned, vocabulary_text(&kind.vocabulary())))
        } else {
            None
        };
        let sound = if config.spoken_digits {
            let split = config.held_out_speaker.clone().map_or(Split::Official, Split::HeldOutSpeaker);
            Some(SoundPairs::load(config.audio_frames, split, config.recordings.as_deref(), config.speed_perturbation)?)
        } else {
            None
        };
        let vocabulary: Vec<String> = captions.as_ref().map_or_else(Vec::new, |(c, _)| c.kind.vocabulary().iter().map(|w| w.to_string()).collect());
        let classes = if let Some(sound) = &sound {
            sound.columns()
        } else if config.captions {
            vocabulary.len()
        } else if config.conditional {
            let Some(classes) = data.classes() else {
                bail!("{} has no class labels, so it cannot train a conditional GAN: drop --conditional", data.description);
            };
            classes
        } else {
            0
        };
        let generator = GeneratorConfig::new()
            .with_latent_dim(config.latent_dim)
            .with_classes(classes)
            .with_vocabulary(vocabulary)
            .with_text_dim(config.text_dim)
            .with_labels(if sound.is_some() { DIGIT_LABELS.iter().map(|l| l.to_string()).collect() } else { Vec::new() })
            .with_audio_frames(config.audio_frames)
            .with_audio_shifts(sound.as_ref().map_or_else(Vec::new, |s| s.shifts.to_vec()))
            .with_height(data.height)
            .with_width(data.width)
            .with_channels(data.channels)
            .with_base_channels(config.generator_channels);
        generator.stages()?;
        let discriminator = DiscriminatorConfig::new()
            .with_height(data.height)
            .with_width(data.width)
            .with_channels(data.channels)
            .with_base_channels(config.discriminator_channels)
            .with_batch_norm(config.batch_norm == Some(true))
            .with_spectral_norm(config.spectral_norm == Some(true))
            .with_classes(if sound.is_some() { DIGIT_LABELS.len() } else { classes })
            .with_pack(t.pack())
            .with_minibatch_std(t.minibatch_std);
        let (device, device_name) = device::resolve(device_choice)?;
        Ok(Setup { data, classes, captions, sound, generator, discriminator, device: device.autodiff(), device_name })
    }

    /// A fresh generator; a sound model's carries rows of real recordings
    /// to measure an average's batch norm with.
    fn new_generator(&self) -> Result<Generator> {
        let mut generator = self.generator.init(&self.device)?;
        if let Some(sound) = &self.sound {
            generator.recalibration_conditions = sound.fixed_rows(100);
        }
        Ok(generator)
    }

    /// The fixed inputs of the sample grids: seeds 0..63 (and, for a sound
    /// model, recordings of the digits in turn).
    fn grid_inputs(&self, latent_dim: usize) -> Tensor<2> {
        match &self.sound {
            Some(sound) => crate::nets::seeded::sound_inputs(0, 64, latent_dim, &sound.fixed_rows(64), self.classes, &self.device),
            None => seed_inputs(0, 64, latent_dim, self.classes, &self.device),
        }
    }

    /// Whether the generator updates reuse the critic batch's conditions.
    fn conditions_from_batch(&self) -> bool {
        self.captions.is_some() || self.sound.is_some()
    }
}

/// Trains a new run in `run`. Refuses to overwrite an existing run.
pub fn train(config: &TrainConfig, run: &RunDir, device_choice: &DeviceChoice, show_progress: bool) -> Result<TrainReport> {
    if run.config().exists() {
        bail!(
            "{} already holds a training run: continue it with `pocketgan train --resume {}`, or choose another --run folder",
            run.root.display(),
            run.root.display()
        );
    }
    let config = config.resolved();
    let setup = Setup::new(&config, device_choice)?;
    // Everything that can refuse the data comes before the run folder exists.
    let batches = Batches::new(setup.data.len(), config.batch_size, config.seed as u32)?;
    std::fs::create_dir_all(run.samples()).with_context(|| format!("cannot create {}", run.root.display()))?;
    write_atomic(&run.config(), toml::to_string_pretty(&config)?.as_bytes())?;
    setup.generator.save(run.generator_config()).map_err(|e| anyhow::anyhow!("cannot write generator.json: {e}"))?;
    std::fs::write(run.losses(), "step,d_loss,g_loss\n")?;

    setup.device.seed(config.seed);
    let gan = GanStep::new(
        setup.new_generator()?,
        setup.discriminator.init(&setup.device)?,
        config.step_settings(),
    )
    .with_techniques(config.techniques())
    .with_conditions_from_batch(setup.conditions_from_batch());
    remote::guard_training(run, device_choice, "train", || train_loop(&config, run, &setup, gan, batches, 0, show_progress))
}


/// Continues the run in `run` from its last checkpoint to `steps` (default:
/// the run's own), so that it computes what an uninterrupted run computes
/// (on the CPU; GPUs may sum in another order). `sample_every` and
/// `checkpoint_every` may change; everything else is the run's.
pub fn resume(run: &RunDir, changes: &ResumeChanges, device_choice: &DeviceChoice, show_progress: bool) -> Result<TrainReport> {
    if run.is_translator() {
        bail!("{0} is a translator's run: continue it with `pocketgan train-translator --resume {0}`", run.root.display());
    }
    let mut config = TrainConfig::read(run)
        .with_context(|| format!("{} is not a training run that can be resumed", run.root.display()))?;
    let (dir, state) = run.checkpoint_state()?;
    config.steps = changes.steps.unwrap_or(config.steps);
    config.sample_every = changes.sample_every.unwrap_or(config.sample_every);
    config.checkpoint_every = changes.checkpoint_every.unwrap_or(config.checkpoint_every);
    if state.step >= config.steps {
        bail!(
            "{} already finished {} of {} steps: pass a larger --steps to train further",
            run.root.display(),
            state.step,
            config.steps
        );
    }
    let Some(drawn) = state.batches_drawn else {
        bail!("{}'s checkpoint predates resumable checkpoints (no batch count in state.json): start a new run", run.root.display());
    };
    let setup = Setup::new(&config, device_choice)?;
    if state.images.is_some_and(|n| n != setup.data.len()) {
        eprintln!(
            "warning: the data set now has {} images, {} when the checkpoint was written: training goes on, \
             but not exactly as the uninterrupted run would have",
            setup.data.len(),
            state.images.unwrap_or(0)
        );
    }
    let batches = Batches::resume(setup.data.len(), config.batch_size, config.seed as u32, drawn)?;
    let mut gan = GanStep::new(
        load_module(setup.new_generator()?, &dir.join("generator.bpk"))?,
        load_module(setup.discriminator.init(&setup.device)?, &dir.join("discriminator.bpk"))?,
        config.step_settings(),
    )
    .with_techniques(config.techniques())
    .with_conditions_from_batch(setup.conditions_from_batch());
    gan.generator_updates = state.step as u64;
    if let Some(average) = gan.average.take() {
        let path = dir.join(AVERAGE_FILE);
        if !path.exists() {
            bail!("{} keeps a generator average (--ema) but its checkpoint has no {AVERAGE_FILE}: start a new run", run.root.display());
        }
        gan.average = Some(load_module(average, &path)?);
        if let (Some(average), Some(sound)) = (&mut gan.average, &setup.sound) {
            average.recalibration_conditions = sound.fixed_rows(100);
        }
    }
    let optimizer_error = |e| anyhow::anyhow!("cannot load the optimizer state in {}: {e:?}", dir.display());
    gan.opt_g = gan.opt_g.load(dir.join("optimizer-g.bin")).map_err(optimizer_error)?;
    gan.opt_d = gan.opt_d.load(dir.join("optimizer-d.bin")).map_err(optimizer_error)?;
    truncate_losses(&run.losses(), state.step)?;
    write_atomic(&run.config(), toml::to_string_pretty(&config)?.as_bytes())?;
    remote::guard_training(run, device_choice, "train", || train_loop(&config, run, &setup, gan, batches, state.step, show_progress))
}

/// Mixed into the seed for the captions' rolls (which words each step's
/// captions keep), so they are not burn's random stream.
const CAPTION_ROLL: u64 = 0xCA97_1045;
/// Mixed into the seed for a sound model's rolls (which recording each
/// image is heard with).
const RECORDING_ROLL: u64 = 0x50C1_D161;


/// Steps `first + 1..=config.steps`, with samples, checkpoints, the NaN
/// guard and Ctrl-C handling.
fn train_loop(
    config: &TrainConfig,
    run: &RunDir,
    setup: &Setup,
    mut gan: ImageGan,
    mut batches: Batches,
    first: usize,
    show_progress: bool,
) -> Result<TrainReport> {
    let (data, classes, device) = (&setup.data, setup.classes, &setup.device);
    let fixed_z = setup.grid_inputs(config.latent_dim);
    let bar = progress_bar(config.steps, first, show_progress);
    let conditional = match (&setup.captions, classes) {
        _ if setup.sound.is_some() => {
            let sound = setup.sound.as_ref().expect("a sound model");
            format!(", hearing {} spoken digits ({:?} split, {} frames)", sound.len(), sound.split, sound.frames).to_lowercase()
        }
        (Some((captioned, _)), words) => format!(", captioned ({:?}, {words} words)", captioned.kind).to_lowercase(),
        (None, 0) => String::new(),
        (None, classes) => format!(", conditional on {classes} classes"),
    };
    let vocabulary = setup.captions.as_ref().map(|(_, text)| Vocabulary::new(text)).transpose().map_err(|e| anyhow::anyhow!("{e}"))?;
    let resuming = if first > 0 { format!(", resuming at step {first}") } else { String::new() };
    bar.println(format!(
        "training {} on {} ({} images, {}×{}×{}{conditional}) with {}{resuming}",
        config.objective, data.description, data.len(), data.width, data.height, data.channels, setup.device_name
    ));
    let file = std::fs::OpenOptions::new().append(true).open(run.losses())
        .with_context(|| format!("cannot open {}", run.losses().display()))?;
    let mut losses = std::io::BufWriter::new(file);

    let started = Instant::now();
    let (mut d_loss, mut g_loss) = (f32::NAN, f32::NAN);
    let mut last_good = (first > 0).then_some(first);
    let mut step = first;
    let mut interrupted = false;
    while step < config.steps {
        step += 1;
        device.seed(step_seed(config.seed, step));
        let losses_now = gan.step(config.generator_learning_rate(), || {
            let indices = batches.next_batch();
            let y = match (&setup.captions, &vocabulary) {
                _ if setup.sound.is_some() => {
                    let sound = setup.sound.as_ref().expect("a sound model");
                    let labels: Vec<u8> = indices.iter().map(|&i| data.labels.as_ref().map_or(0, |l| l[i])).collect();
                    let rows = sound.condition_rows(&labels, step_seed(config.seed ^ RECORDING_ROLL, step));
                    Some(Tensor::from_data(TensorData::new(rows, [indices.len(), classes]), device))
                }
                (Some((captioned, _)), Some(vocabulary)) => {
                    let rows = captioned.condition_rows(indices, step_seed(config.seed ^ CAPTION_ROLL, step), vocabulary);
                    Some(Tensor::from_data(TensorData::new(rows, [indices.len(), classes]), device))
                }
                _ => (classes > 0).then(|| data.one_hot(indices, classes, device)),
            };
            (data.batch(indices, device), y)
        })?;
        (d_loss, g_loss) = (losses_now.d_loss, losses_now.g_loss);
        // Flushed every step so `pocketgan plot` can follow a run live.
        writeln!(losses, "{step},{d_loss},{g_loss}")?;
        losses.flush()?;
        let last = step == config.steps;
        interrupted = !last && interrupt::requested();
        let checkpoint_now = last || interrupted || (config.checkpoint_every > 0 && step % config.checkpoint_every == 0);
        stop_if_diverged(
            run,
            &bar,
            step,
            (d_loss, g_loss),
            checkpoint_now,
            || all_finite(&gan.generator) && all_finite(&gan.critic) && gan.average.as_ref().is_none_or(all_finite),
            last_good,
            "Start a new run with a lower --lr or another --objective",
        )?;
        bar.set_message(format!("D {d_loss:.3}  G {g_loss:.3}"));
        bar.inc(1);

        let grid_now = last || interrupted || (config.sample_every > 0 && step % config.sample_every == 0);
        // The generator pictures and checkpoints show (an average's batch norm
        // measured once for both).
        let sampling = (grid_now || checkpoint_now).then(|| gan.sampling_generator());
        if let (true, Some(generator)) = (grid_now, &sampling) {
            save_grid(generator, &fixed_z, &setup.generator, &run.samples().join(format!("step-{step:06}.png")))?;
        }
        if checkpoint_now {
            let state = CheckpointState {
                step,
                d_loss,
                g_loss,
                batches_drawn: Some(batches.drawn()),
                images: Some(data.len()),
            };
            let average = sampling.as_ref().filter(|_| gan.average.is_some());
            write_checkpoint(run, &gan, average, &state)?;
            last_good = Some(step);
        }
        if interrupted {
            bar.abandon_with_message(format!("D {d_loss:.3}  G {g_loss:.3}  (interrupted)"));
            break;
        }
    }
    wrap_up(run, &bar, interrupted, setup.generator.height);
    Ok(TrainReport {
        steps: step,
        d_loss,
        g_loss,
        ms_per_step: started.elapsed().as_secs_f64() * 1000.0 / (step - first).max(1) as f64,
        device: setup.device_name.clone(),
        interrupted,
    })
}

/// The training progress bar, at step `first` of `steps` (hidden without `show`).
pub(crate) fn progress_bar(steps: usize, first: usize, show: bool) -> ProgressBar {
    let bar = if show { ProgressBar::new(steps as u64) } else { ProgressBar::hidden() };
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} steps  {rate}  ETA {eta}  {msg}")
            .expect("valid template")
            .with_key("rate", |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{:.1} steps/s", state.per_sec());
            }),
    );
    bar.set_position(first as u64);
    bar.reset_eta();
    bar
}

/// After the last step: the bar finished (unless interrupted), the loss
/// curves and samples/progress.png (of `image_height`-pixel cells) drawn.
pub(crate) fn wrap_up(run: &RunDir, bar: &ProgressBar, interrupted: bool, image_height: usize) {
    if !interrupted {
        bar.finish();
    }
    plot_or_warn(run, bar);
    if let Err(e) = crate::render::grid::progress_strip(&run.samples(), image_height, 2) {
        bar.println(format!("warning: could not draw samples/progress.png: {e:#}"));
    }
}

/// Counts float parameters holding a NaN or an infinity.
struct NonFiniteParams(usize);

impl ModuleVisitor for NonFiniteParams {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        if !param.val().is_finite().all().into_scalar::<bool>() {
            self.0 += 1;
        }
    }
}

/// Whether every float parameter of `module` is finite.
pub(crate) fn all_finite<M: Module>(module: &M) -> bool {
    let mut visitor = NonFiniteParams(0);
    module.visit(&mut visitor);
    visitor.0 == 0
}

/// The NaN guard of a training loop, after step `step`: an error (the
/// progress bar abandoned, the loss curves drawn) when a loss is not finite,
/// or when `weights_finite` (asked only at a checkpoint: a step can leave
/// NaN weights behind finite losses, so the checkpoint kept is always good)
/// says the weights are not; it names the last good checkpoint and
/// `advice`.
pub(crate) fn stop_if_diverged(
    run: &RunDir,
    bar: &ProgressBar,
    step: usize,
    (d_loss, g_loss): (f32, f32),
    checkpoint_now: bool,
    weights_finite: impl FnOnce() -> bool,
    last_good: Option<usize>,
    advice: &str,
) -> Result<()> {
    let what = if !d_loss.is_finite() || !g_loss.is_finite() {
        format!("discriminator loss {d_loss}, generator loss {g_loss}")
    } else if checkpoint_now && !weights_finite() {
        "the weights became NaN or infinite".to_string()
    } else {
        return Ok(());
    };
    bar.abandon();
    let kept = match last_good {
        Some(s) => format!("the last good checkpoint (step {s}) is kept in {}", run.checkpoint().display()),
        None => "no checkpoint had been written yet".to_string(),
    };
    plot_or_warn(run, bar);
    bail!("training diverged at step {step}: {what}; {kept}. {advice}");
}

/// Redraws the loss curves; a failure there must not fail training.
pub(crate) fn plot_or_warn(run: &RunDir, bar: &ProgressBar) {
    if let Err(e) = crate::render::loss_plot::loss_curves(&run.root) {
        bar.println(format!("warning: could not draw the loss curves: {e:#}"));
    }
}


/// Writes the checkpoint; `average` is the generator's average, its batch
/// norm measured for it, when the run keeps one.
fn write_checkpoint(run: &RunDir, gan: &ImageGan, average: Option<&Generator>, state: &CheckpointState) -> Result<()> {
    let io = |e| anyhow::anyhow!("cannot write checkpoint: {e:?}");
    replace_checkpoint(run, |dir| {
        gan.generator.clone().save_file(dir.join("generator.bpk")).map_err(io)?;
        if let Some(average) = average {
            average.clone().save_file(dir.join(AVERAGE_FILE)).map_err(io)?;
        }
        gan.critic.clone().save_file(dir.join("discriminator.bpk")).map_err(io)?;
        gan.opt_g.save(dir.join("optimizer-g.bin")).map_err(io)?;
        gan.opt_d.save(dir.join("optimizer-d.bin")).map_err(io)?;
        std::fs::write(dir.join("state.json"), serde_json::to_string_pretty(state)?)?;
        Ok(())
    })
}

/// The image GAN: DCGAN generator and discriminator.
pub type ImageGan = GanStep<Generator, Discriminator, 4>;
