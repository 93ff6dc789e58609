//! `pocketgan translate MODEL INPUT.png… -o out.png`: what a board draws
//! from each input, through the int8 translator; or, with `--data`, held-out
//! examples of a translation data set beside their targets.

use super::parse::parse_size;
use crate::board::sample::{PixelFormat, SampleOptions, render_frame};
use crate::board::screen::translator_screens;
use crate::board::translate::{input_shape, load_input, translate_codes};
use crate::data::FolderOptions;
use crate::data::translation::TranslationData;
use crate::files::write_atomic;
use crate::render::grid::Grid;
use anyhow::{Context, Result, anyhow, bail};
use pocketgan_firmware::Canvas;
use pocketgan_shared::Model;
use pocketgan_shared::pixels::{DEFAULT_BLACK_LEVEL, code_to_u8};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct TranslateArgs {
    /// The translator's model file (`pocketgan export` of a `train-translator` run).
    model: PathBuf,
    /// Input images (PNG, JPEG…); another size is resized to the model's, with a note.
    inputs: Vec<PathBuf>,
    /// Instead of input files: held-out examples of this data set (skeletons,
    /// outlines, printed-digits, or a folder of A/ and B/), each beside its
    /// target where there are pairs.
    #[arg(long, conflicts_with = "inputs")]
    data: Option<String>,
    /// Instead of input files: the example sketches built into the firmware
    /// (zero … nine, tee, trouser, dress, sneaker, bag), drawn with the
    /// firmware's own line code, in the order a board's button steps through
    /// them; or only the named ones (--sketches seven,tee).
    #[arg(long, value_name = "NAMES", num_args = 0..=1, require_equals = false, value_delimiter = ',', conflicts_with_all = ["inputs", "data"])]
    sketches: Option<Vec<String>>,
    /// How many --data examples.
    #[arg(short, long, default_value_t = 16)]
    n: usize,
    /// The PNG to write: input | output (| target) for each image.
    #[arg(short, long)]
    output: PathBuf,
    /// Upscaling of each image in the PNG.
    #[arg(long, default_value_t = 3)]
    scale: usize,
    /// Also write each output as raw bytes, DIR/output-000.raw, …: its
    /// 8-bit pixels (HWC), or with --display the display's framebuffer in
    /// --pixels format, as a board with that display draws it.
    #[arg(long, value_name = "DIR")]
    raw: Option<PathBuf>,
    /// With --raw: render each output for a display of this size, e.g.
    /// 64x64 (scaled to fit and centred, as the board's output square).
    #[arg(long, value_parser = parse_size, requires = "raw")]
    display: Option<(u16, u16)>,
    /// With --display or --screen: the display's pixel format.
    #[arg(long, value_enum, default_value_t = PixelFormat::Gray8)]
    pixels: PixelFormat,
    /// Instead of input | output cells, write the whole screen a board of
    /// this display size shows for each input, drawn by the firmware's own
    /// app: 128x64 --pixels mono for the OLED boards, 320x240 --pixels
    /// rgb565 for rp-pico-touch.
    #[arg(long, value_parser = parse_size, value_name = "WxH", conflicts_with = "raw")]
    screen: Option<(u16, u16)>,
    /// As --screen, with the display of this board (rp-pico-touch: 320x240
    /// RGB565; the OLED boards: 128x64 mono) and its estimated time per
    /// translation in the caption.
    #[arg(long, value_name = "ID", conflicts_with_all = ["raw", "screen"])]
    board: Option<String>,
}

/// Runs `pocketgan translate`.
pub fn run(args: &TranslateArgs) -> Result<()> {
    let bytes = std::fs::read(&args.model).with_context(|| format!("cannot read model file {}", args.model.display()))?;
    let model = Model::parse(&bytes).map_err(|e| anyhow!("{}: {e}", args.model.display()))?;
    let shape = input_shape(&model)?;
    let out_shape = model.header().image;
    if (out_shape.height, out_shape.width) != (shape.height, shape.width) {
        bail!("the translator's output ({}×{}) is not its input's size: it cannot be drawn beside its input", out_shape.width, out_shape.height);
    }
    // Each example: input pixels and, where known, the target's.
    let examples: Vec<(Vec<u8>, Option<Vec<u8>>)> = match &args.data {
        Some(spec) => {
            let data = TranslationData::parse(spec, false, FolderOptions { size: shape.width as usize, channels: shape.channels as usize, ..FolderOptions::default() })?;
            let test = data.load()?.test;
            if (test.a.width, test.a.channels) != (shape.width as usize, shape.channels as usize) {
                bail!(
                    "{} has {}×{}×{} inputs, the translator takes {}×{}×{}: give the data set it was trained on",
                    spec, test.a.width, test.a.height, test.a.channels, shape.width, shape.height, shape.channels
                );
            }
            let n = args.n.min(test.a.len());
            (0..n)
                .map(|k| k * test.a.len() / n.max(1))
                .map(|i| (test.a.image(i).to_vec(), test.paired.then(|| test.b.image(i).to_vec())))
                .collect()
        }
        None if args.sketches.is_some() => sketch_inputs(shape, args.sketches.as_deref().unwrap_or_default())?.into_iter().map(|pixels| (pixels, None)).collect(),
        None => {
            if args.inputs.is_empty() {
                bail!("give input images (pocketgan translate {} sketch.png -o out.png), --sketches for the firmware's examples, or --data skeletons for held-out examples", args.model.display());
            }
            let mut examples = Vec::with_capacity(args.inputs.len());
            for path in &args.inputs {
                let (pixels, note) = load_input(path, shape)?;
                if let Some(note) = note {
                    eprintln!("{note}");
                }
                examples.push((pixels, None));
            }
            examples
        }
    };
    if examples.is_empty() {
        bail!("no examples to translate (-n 0?)");
    }
    if args.pixels != PixelFormat::Gray8 && args.display.is_none() && args.screen.is_none() {
        // (--board brings its display's format.)
        bail!("--pixels is the format of a display: give it with --display WxH (raw frames) or --screen WxH (board screens)");
    }
    let board = args.board.as_deref().map(crate::board::fit::board).transpose()?;
    let screen = match &board {
        Some(b) => Some((b.display, b.pixels, b.estimate_us(&model).round() as u64)),
        None => args.screen.map(|size| (size, args.pixels, 0)),
    };
    if let Some((size, pixels, per_image_us)) = screen {
        let canvases: Vec<Vec<u8>> = examples.into_iter().map(|(input, _)| input).collect();
        let screens = translator_screens(&bytes, &canvases, size, pixels, per_image_us)?;
        let count = screens.len();
        // Small screens doubled, four a row; large ones as they are, three.
        let (scale, columns) = if size.0 < 200 { (2, 4) } else { (1, 3) };
        Grid { width: size.0 as usize, height: size.1 as usize, channels: 3, images: screens }.save_png(&args.output, count.min(columns), scale)?;
        let on = board.as_ref().map(|b| format!(" of {}", b.id)).unwrap_or_default();
        println!("drew {count} board screen{}{on} ({}×{}) with {} in {}", if count == 1 { "" } else { "s" }, size.0, size.1, model.header().name, args.output.display());
        return Ok(());
    }
    let channels = shape.channels.max(out_shape.channels) as usize;
    let pixels_per_image = shape.width as usize * shape.height as usize;
    let widen = |cell: Vec<u8>| if channels == 3 && cell.len() == pixels_per_image { cell.iter().flat_map(|&v| [v; 3]).collect() } else { cell };
    let with_targets = examples.iter().all(|(_, t)| t.is_some());
    let mut scratch = Vec::new();
    let mut cells = Vec::new();
    if let Some(dir) = &args.raw {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let frame_options = args.display.map(|display| SampleOptions {
        seed: 0,
        count: 1,
        class: None,
        prompts: Vec::new(),
        recordings: Vec::new(),
        display: Some(display),
        scale: 1,
        pixels: args.pixels,
        columns: 1,
        mix: 0,
        black_level: DEFAULT_BLACK_LEVEL,
    });
    let out_dims = (out_shape.width, out_shape.height, out_shape.channels);
    for (k, (input, target)) in examples.into_iter().enumerate() {
        let codes = translate_codes(&model, &input, &mut scratch)?;
        let output: Vec<u8> = codes.iter().map(|&c| code_to_u8(c)).collect();
        if let Some(dir) = &args.raw {
            let bytes = match &frame_options {
                Some(options) => render_frame(&codes, out_dims, options)?.2,
                None => output.clone(),
            };
            write_atomic(&dir.join(format!("output-{k:03}.raw")), &bytes)?;
        }
        cells.push(widen(input));
        cells.push(widen(output));
        if let (true, Some(target)) = (with_targets, target) {
            cells.push(widen(target));
        }
    }
    let per_example = if with_targets { 3 } else { 2 };
    let count = cells.len() / per_example;
    let columns = per_example * if count >= 8 { 4 } else { 1 };
    Grid { width: shape.width as usize, height: shape.height as usize, channels, images: cells }.save_png(&args.output, columns, args.scale.max(1))?;
    let layout = if with_targets { "input | output | target" } else { "input | output" };
    println!("translated {count} image{} with {}: {layout} in {}", if count == 1 { "" } else { "s" }, model.header().name, args.output.display());
    Ok(())
}

/// The firmware's bundled sketches (all, or those `names` names) on a
/// canvas of the model's input shape.
fn sketch_inputs(shape: pocketgan_shared::format::TensorShape, names: &[String]) -> Result<Vec<Vec<u8>>> {
    let all = pocketgan_firmware::SKETCHES;
    let chosen: Vec<&pocketgan_firmware::Sketch> = if names.is_empty() {
        all.iter().collect()
    } else {
        names
            .iter()
            .map(|name| {
                all.iter().find(|s| s.name == name.trim()).ok_or_else(|| {
                    let known: Vec<&str> = all.iter().map(|s| s.name).collect();
                    anyhow!("no sketch named '{name}': the firmware has {}", known.join(", "))
                })
            })
            .collect::<Result<_>>()?
    };
    let mut pixels = vec![0u8; shape.width as usize * shape.height as usize * shape.channels as usize];
    chosen
        .into_iter()
        .map(|sketch| {
            let mut canvas = Canvas::new(&mut pixels, shape.width, shape.height, shape.channels).context("the canvas is sized for the model")?;
            sketch.draw(&mut canvas).map_err(|e| anyhow!("sketch {}: {e:?}", sketch.name))?;
            Ok(canvas.pixels().to_vec())
        })
        .collect()
}
