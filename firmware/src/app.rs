//! The app: state (seed, class, walk position; a translator's canvas),
//! events, drawing.

use core::fmt::{self, Write};
use embedded_graphics::Pixel;
use embedded_graphics::draw_target::DrawTarget;
use embedded_graphics::geometry::{OriginDimensions, Point};
use embedded_graphics::mono_font::MonoTextStyle;
use embedded_graphics::mono_font::ascii::FONT_6X10;
use embedded_graphics::prelude::*;
use embedded_graphics::primitives::Rectangle;
use embedded_graphics::text::{Baseline, Text};
use pocketgan_shared::latent::{interpolate, latent_for_seed};
use pocketgan_shared::pixels::{GeneratedImage, RenderError, Rendered, code_of_u8};
use pocketgan_shared::hearing::{HearError, Heard, Hearing, finish};
use pocketgan_shared::text::Prompt;
use pocketgan_shared::{Condition, Model, ModelError, generate_with, translate};

use crate::buffers::Buffers;
use crate::canvas::Canvas;
use crate::color::PanelColor;
use crate::input::{Clock, Event, Input, Screen, sensor_to_mix};
use crate::layout::Layout;
use crate::prompt::{PRESETS, PromptText, next_preset};
use crate::sketches::SKETCHES;
use crate::log::display;
use crate::text::{TextBuf, wrap};

const FONT_W: u32 = 6;
const LINE_H: i32 = 10;

/// Why the app cannot draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppError {
    /// The built-in model file was refused by the parser (or by the
    /// generator, for a mismatch it finds while running).
    Model(ModelError),
    /// The buffers given to the app are smaller than the model needs.
    Buffers {
        /// Scratch bytes the model needs.
        scratch_needed: usize,
        /// Scratch bytes given.
        scratch_given: usize,
        /// Latent bytes the model needs (three latents).
        latents_needed: usize,
        /// Latent bytes given.
        latents_given: usize,
    },
    /// The image does not fit the display.
    Render(RenderError),
    /// The model is a sound model, but the firmware has no [`Hearing`]
    /// (it was built for another model).
    NoHearing,
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AppError::Model(e) => write!(f, "{e}"),
            AppError::Buffers { scratch_needed, scratch_given, latents_needed, latents_given } => write!(
                f,
                "the model needs {scratch_needed} B of scratch and {latents_needed} B of latents, the firmware \
                 reserved {scratch_given} B and {latents_given} B: rebuild the firmware with this model \
                 (POCKETGAN_MODEL) so its buffers are sized for it"
            ),
            AppError::Render(e) => write!(f, "{e}"),
            AppError::NoHearing => f.write_str(
                "the model is a sound model, but the firmware has no room to hear: rebuild the firmware \
                 with this model (POCKETGAN_MODEL)",
            ),
        }
    }
}

/// One image the app drew.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Drawn {
    /// The seed of the image (the walk's start when `mix > 0`).
    pub seed: u32,
    /// The class, for a conditional model.
    pub class: Option<u16>,
    /// The prompt's known words, for a text model
    /// ([`pocketgan_shared::text::Prompt::known`]).
    pub words: Option<u64>,
    /// How far the latent walked towards `seed + 1`, out of 256.
    pub mix: u16,
    /// Clock ticks spent sampling the latent and running the generator.
    pub ticks: u64,
    /// Clock ticks spent tokenizing a text model's prompt (its mean
    /// embedding is computed inside the generator's ticks).
    pub prompt_ticks: u64,
    /// What a sound model heard: the label's index and the confidence in
    /// thousandths.
    pub heard: Option<(usize, u16)>,
}

/// What handling an event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A new image is on the display.
    Drawn(Drawn),
    /// The event changed nothing (same walk position, no classes).
    Unchanged,
    /// A stroke was inked and the canvas redrawn, not yet translated (with
    /// [`App::with_live_ink`]).
    Inked,
    /// The error screen is on the display.
    Failed(AppError),
}

/// The app's state.
pub struct App<'m, 'b> {
    model: Result<Model<'m>, AppError>,
    scratch: &'b mut [i8],
    latents: &'b mut [i8],
    seed: u32,
    class: u16,
    mix: u16,
    /// A translator's input canvas and its codes.
    canvas: Option<(Canvas<'b>, &'b mut [i8])>,
    /// The bundled sketch a press draws next.
    next_sketch: usize,
    /// Whether strokes are shown as they are drawn.
    live_ink: bool,
    /// A text model's prompt.
    prompt: PromptText,
    /// The preset a long press showed last.
    preset: Option<usize>,
    /// A sound model's encoder (parsed once).
    encoder: Option<Model<'m>>,
    /// Where a sound model's recordings are heard.
    hearing: Option<&'b mut Hearing>,
    /// What a sound model heard last.
    heard: Option<Heard>,
}

impl<'m, 'b> App<'m, 'b> {
    /// Starts the app on `model_file` with the firmware's static buffers,
    /// showing `first_seed` first (boards pass some entropy).
    pub fn new(model_file: &'m [u8], buffers: &'b mut Buffers, first_seed: u32) -> Self {
        Self::with_buffers(model_file, &mut buffers.scratch, &mut buffers.latents, first_seed)
            .with_canvas(&mut buffers.canvas, &mut buffers.input_codes)
            .with_hearing(buffers.hearing.first_mut())
    }

    /// Gives a sound model the room to hear in; other models ignore it.
    pub fn with_hearing(mut self, hearing: Option<&'b mut Hearing>) -> Self {
        if self.encoder.is_some() {
            match hearing {
                Some(h) => self.hearing = Some(h),
                None => {
                    error!("the sound model needs a Hearing buffer: rebuild the firmware with this model");
                    self.model = Err(AppError::NoHearing);
                }
            }
        }
        self
    }

    /// Where the input streams a recording ([`Input::listen`]); `None` for
    /// a model that does not hear.
    pub fn hearing_mut(&mut self) -> Option<&mut Hearing> {
        self.hearing.as_deref_mut()
    }

    /// Gives a translator its canvas (`pixels`) and the room for its input
    /// codes (each at least the model's input length); a generator ignores them.
    pub fn with_canvas(mut self, pixels: &'b mut [u8], codes: &'b mut [i8]) -> Self {
        let Ok(model) = &self.model else { return self };
        let Some(input) = model.header().input_image else { return self };
        let needed = model.input_len();
        let shape = input.shape;
        match Canvas::new(pixels, shape.width, shape.height, shape.channels) {
            Some(canvas) if codes.len() >= needed => self.canvas = Some((canvas, &mut codes[..needed])),
            _ => {
                error!("the translator needs {=usize} B of canvas: rebuild the firmware with this model", needed);
                self.model = Err(AppError::Buffers { scratch_needed: needed, scratch_given: 0, latents_needed: 0, latents_given: 0 });
            }
        }
        self
    }

    /// Shows each stroke on the canvas as it is drawn (a touch screen),
    /// rather than only at the lift; the emulated board and the OLED boards
    /// leave it off, so that each frame is one translation.
    pub fn with_live_ink(mut self) -> Self {
        self.live_ink = true;
        self
    }

    /// A translator's canvas (`None` for a generator), for a board that
    /// loads an image into it (see [`Event::Image`]).
    pub fn canvas_mut(&mut self) -> Option<&mut Canvas<'b>> {
        self.canvas.as_mut().map(|(canvas, _)| canvas)
    }

    /// As [`App::new`] with buffers of any size (they are checked against
    /// the model).
    pub fn with_buffers(model_file: &'m [u8], scratch: &'b mut [i8], latents: &'b mut [i8], first_seed: u32) -> Self {
        let model = Model::parse(model_file).map_err(AppError::Model).and_then(|m| {
            let latents_needed = 3 * m.header().latent_dim as usize;
            if m.scratch_len() > scratch.len() || latents_needed > latents.len() {
                Err(AppError::Buffers {
                    scratch_needed: m.scratch_len(),
                    scratch_given: scratch.len(),
                    latents_needed,
                    latents_given: latents.len(),
                })
            } else {
                Ok(m)
            }
        });
        match &model {
            Ok(m) => {
                let h = m.header();
                info!(
                    "model {=str}: {=u64} parameters, {=u64} MACs/image, {=usize} B scratch, latent {=u16}, {=u16} classes, image {=u16}x{=u16}x{=u16}, {=usize} B file",
                    h.name,
                    m.parameters(),
                    m.macs(),
                    m.scratch_len(),
                    h.latent_dim,
                    h.classes,
                    h.image.width,
                    h.image.height,
                    h.image.channels,
                    model_file.len()
                );
            }
            Err(e) => error!("model refused: {}", display(e)),
        }
        let encoder = model.as_ref().ok().and_then(|m| m.encoder());
        if let (Some(e), Some(labels)) = (&encoder, model.as_ref().ok().and_then(|m| m.labels())) {
            info!("sound model: {=usize} labels, encoder {=u64} parameters, {=u64} MACs/recording", labels.len(), e.parameters(), e.macs());
        }
        let mut app = App {
            model,
            scratch,
            latents,
            seed: first_seed,
            class: 0,
            mix: 0,
            canvas: None,
            next_sketch: 0,
            live_ink: false,
            prompt: PromptText::new(),
            preset: None,
            encoder,
            hearing: None,
            heard: None,
        };
        // A text model boots on its first preset, so that the board draws
        // something asked for before anything is typed.
        if let Some(k) = app.model.as_ref().ok().and_then(|m| m.vocabulary()).and_then(|v| next_preset(&v, None)) {
            app.preset = Some(k);
            app.prompt = PromptText::from_str(PRESETS[k]);
        }
        app
    }

    /// The parsed model, or why there is none.
    pub fn model(&self) -> Result<&Model<'m>, &AppError> {
        self.model.as_ref()
    }

    /// The seed shown (or walked from).
    pub fn seed(&self) -> u32 {
        self.seed
    }

    /// A text model's prompt.
    pub fn prompt(&self) -> &PromptText {
        &self.prompt
    }

    /// Takes a typed prompt for a text model (an [`Event::Prompt`] then
    /// draws it): echoes it to the log, names its unknown words, and says
    /// when it was cut or no word is known (an unconditional sample).
    pub fn set_prompt(&mut self, prompt: PromptText) {
        let Some(vocabulary) = self.model.as_ref().ok().and_then(|m| m.vocabulary()) else {
            info!("a prompt was typed, but the model is not a text model");
            return;
        };
        self.prompt = prompt;
        self.preset = None;
        info!("prompt \"{=str}\"", self.prompt.as_str());
        if self.prompt.was_cut() {
            warn!("the line was longer than {=usize} bytes: the prompt is cut there", crate::prompt::PROMPT_MAX);
        }
        let parsed = self.prompt.parse(&vocabulary);
        for word in parsed.unknown() {
            warn!("unknown word \"{=str}\": left out (`pocketgan inspect` lists the model's words)", *word);
        }
        if parsed.unknown_count > parsed.unknown().len() {
            warn!("and {=usize} more unknown words", parsed.unknown_count - parsed.unknown().len());
        }
        if parsed.known == 0 {
            info!("no known word: an unconditional sample");
        }
    }

    /// Applies `event` and redraws if it changed anything.
    pub fn on_event<D, K>(&mut self, event: Event, target: &mut D, clock: &mut K) -> Outcome
    where
        D: DrawTarget + OriginDimensions,
        D::Color: PanelColor,
        K: Clock,
    {
        if let (Ok(model), Some((canvas, codes))) = (&self.model, &mut self.canvas)
            && model.is_translator()
        {
            match event {
                Event::Press => {
                    let k = self.next_sketch;
                    self.next_sketch = (k + 1) % SKETCHES.len();
                    info!("sketch {=usize}: {=str}", k, SKETCHES[k].name);
                    if let Err(e) = SKETCHES[k].draw(canvas) {
                        warn!("the sketch does not fit the canvas: {}", e);
                    }
                }
                Event::Clear => canvas.clear(),
                Event::Segment { from, to } => {
                    if let Err(e) = canvas.line(from, to) {
                        warn!("stroke outside the canvas: {}", e);
                        return Outcome::Unchanged;
                    }
                    if !self.live_ink {
                        return Outcome::Unchanged;
                    }
                    return match draw_canvas(canvas, codes, target) {
                        Ok(()) => Outcome::Inked,
                        Err(e) => Outcome::Failed(e),
                    };
                }
                Event::Lift | Event::Image => {}
                Event::LongPress | Event::Sensor(_) | Event::Prompt | Event::Recording => return Outcome::Unchanged,
            }
            return self.draw(target, clock);
        }
        if self.model.is_ok() {
            match event {
                Event::Press => {
                    self.seed = self.seed.wrapping_add(1);
                    self.mix = 0;
                }
                Event::LongPress if self.is_text_model() => {
                    let vocabulary = self.model.as_ref().ok().and_then(|m| m.vocabulary());
                    match vocabulary.and_then(|v| next_preset(&v, self.preset)) {
                        Some(k) => {
                            self.preset = Some(k);
                            self.prompt = PromptText::from_str(PRESETS[k]);
                            info!("preset prompt \"{=str}\"", PRESETS[k]);
                        }
                        None => {
                            info!("long press: no preset prompt uses only this model's words");
                            return Outcome::Unchanged;
                        }
                    }
                }
                Event::LongPress => match self.classes() {
                    0 => {
                        info!("long press: the model has no classes");
                        return Outcome::Unchanged;
                    }
                    n => self.class = (self.class + 1) % n,
                },
                // The prompt was taken by `set_prompt`; draw it.
                Event::Prompt if self.is_text_model() => {}
                Event::Prompt => return Outcome::Unchanged,
                // The input streamed the recording into the hearing; hear it.
                Event::Recording if self.encoder.is_some() => {
                    if !self.hear(clock) {
                        return Outcome::Unchanged;
                    }
                }
                Event::Recording => {
                    info!("a recording, but the model is not a sound model");
                    return Outcome::Unchanged;
                }
                Event::Sensor(reading) => {
                    let mix = sensor_to_mix(reading);
                    if mix == self.mix {
                        return Outcome::Unchanged;
                    }
                    self.mix = mix;
                }
                Event::Segment { .. } | Event::Lift | Event::Clear | Event::Image => {
                    info!("strokes and images: the model is a generator, not a translator");
                    return Outcome::Unchanged;
                }
            }
        }
        self.draw(target, clock)
    }

    /// Hears the recording the input streamed into the hearing; logs what
    /// was heard (or why nothing was) and returns whether something was.
    fn hear<K: Clock>(&mut self, clock: &mut K) -> bool {
        let (Ok(model), Some(encoder), Some(hearing)) = (&self.model, &self.encoder, self.hearing.as_deref_mut()) else {
            return false;
        };
        let start = clock.ticks();
        let result = finish(model, encoder, hearing, self.scratch);
        let ticks = clock.ticks().wrapping_sub(start);
        match result {
            Ok(heard) => {
                let label = heard.label(model);
                info!(
                    "heard \"{=str}\" ({=u16}.{=u16} % sure), speech in frames {=usize}..{=usize}: {=u64} ticks (the last frames and the encoder)",
                    label,
                    heard.confidence_permille / 10,
                    heard.confidence_permille % 10,
                    heard.speech.start,
                    heard.speech.end,
                    ticks
                );
                if heard.cut {
                    warn!("the recording was longer than 1.5 s: only the first 1.5 s is heard");
                }
                self.heard = Some(heard);
                true
            }
            Err(HearError::Audio(e)) => {
                warn!("{}: nothing drawn", display(&e));
                false
            }
            Err(HearError::Model(e)) => {
                error!("cannot hear: {}", display(&e));
                false
            }
        }
    }

    fn is_text_model(&self) -> bool {
        self.model.as_ref().is_ok_and(|m| m.text().is_some())
    }

    fn classes(&self) -> u16 {
        self.model.as_ref().map(|m| m.header().classes).unwrap_or(0)
    }

    /// Generates and draws the current image (or the error screen).
    pub fn draw<D, K>(&mut self, target: &mut D, clock: &mut K) -> Outcome
    where
        D: DrawTarget + OriginDimensions,
        D::Color: PanelColor,
        K: Clock,
    {
        let result = self.generate_and_draw(target, clock);
        match result {
            Ok(drawn) if self.canvas.is_some() => {
                info!("translated: {=u64} ms ({=u64} ticks)", drawn.ticks / K::TICKS_PER_MS, drawn.ticks);
                Outcome::Drawn(drawn)
            }
            Ok(drawn) => {
                if drawn.words.is_some() {
                    info!("prompt tokenized: {=u64} ticks", drawn.prompt_ticks);
                }
                info!(
                    "seed {=u32} class {=i32} mix {=u16}/256: {=u64} ms ({=u64} ticks)",
                    drawn.seed,
                    drawn.class.map_or(-1, i32::from),
                    drawn.mix,
                    drawn.ticks / K::TICKS_PER_MS,
                    drawn.ticks
                );
                Outcome::Drawn(drawn)
            }
            Err(e) => {
                error!("cannot draw: {}", display(&e));
                draw_error(target, &e);
                Outcome::Failed(e)
            }
        }
    }

    fn generate_and_draw<D, K>(&mut self, target: &mut D, clock: &mut K) -> Result<Drawn, AppError>
    where
        D: DrawTarget + OriginDimensions,
        D::Color: PanelColor,
        K: Clock,
    {
        let model = self.model.as_ref().map_err(|e| *e)?;
        let h = model.header();
        if let Some((canvas, codes)) = &mut self.canvas {
            return translate_and_draw(model, canvas, codes, self.scratch, target, clock);
        }
        let class = if h.classes > 0 { Some(self.class) } else { None };
        let tokenizing = clock.ticks();
        let parsed = model.vocabulary().map(|v| self.prompt.parse(&v));
        let prompt_ticks = clock.ticks().wrapping_sub(tokenizing);
        let words = parsed.map(|p| p.known);
        if self.encoder.is_some() && self.heard.is_none() {
            // Nothing heard yet: say how to ask for a digit.
            let _ = target.clear(D::Color::PAPER);
            let area = Rectangle::new(Point::zero(), target.size());
            draw_lines(target, area, ["Say a digit:", "hold the button,", "speak, release."].into_iter());
            return Ok(Drawn { seed: self.seed, class: None, words: None, mix: self.mix, ticks: 0, prompt_ticks: 0, heard: None });
        }
        let condition = match (class, words, &self.heard) {
            (_, _, Some(heard)) => Condition::Heard(heard.condition()),
            (Some(c), _, None) => Condition::Class(c),
            (None, Some(known), None) => Condition::Words(known),
            (None, None, None) => Condition::None,
        };
        let start = clock.ticks();
        let n = h.latent_dim as usize;
        let (a, rest) = self.latents.split_at_mut(n);
        let (b, rest) = rest.split_at_mut(n);
        latent_for_seed(self.seed, a);
        let latent: &[i8] = if self.mix == 0 {
            a
        } else {
            latent_for_seed(self.seed.wrapping_add(1), b);
            interpolate(a, b, self.mix, &mut rest[..n]);
            &rest[..n]
        };
        let codes = generate_with(model, latent, condition, self.scratch).map_err(AppError::Model)?;
        let ticks = clock.ticks().wrapping_sub(start);
        let image = GeneratedImage::new(codes, h.image.width, h.image.height, h.image.channels).map_err(AppError::Render)?;
        let heard = self.heard.as_ref().map(|h| (h.guess, h.confidence_permille));
        let drawn = Drawn { seed: self.seed, class, words, mix: self.mix, ticks, prompt_ticks, heard };
        let layout = Layout::for_display(target.size());
        let v = layout.viewport;
        let rendered = Rendered::fit(image, (v.size.width as u16, v.size.height as u16)).map_err(AppError::Render)?;
        let _ = target.clear(D::Color::PAPER);
        draw_image(target, &rendered, v);
        if let Some(area) = layout.caption {
            // The caption shows the prompt as it was parsed for the image.
            let prompt = parsed.map(|p| (self.prompt.as_str(), p));
            let heard = self.heard.as_ref().map(|h| (h.label(model), h.confidence_permille));
            draw_caption(target, area, &drawn, prompt, heard, K::TICKS_PER_MS);
        }
        Ok(drawn)
    }
}

/// Translates the canvas and draws it beside the translation.
fn translate_and_draw<D, K>(model: &Model<'_>, canvas: &Canvas<'_>, codes: &mut [i8], scratch: &mut [i8], target: &mut D, clock: &mut K) -> Result<Drawn, AppError>
where
    D: DrawTarget + OriginDimensions,
    D::Color: PanelColor,
    K: Clock,
{
    let start = clock.ticks();
    canvas_codes(canvas, codes);
    let output = translate(model, codes, scratch).map_err(AppError::Model)?;
    let ticks = clock.ticks().wrapping_sub(start);
    let h = model.header();
    let (w, ht) = canvas.size();
    let input = GeneratedImage::new(codes, w, ht, canvas.channels()).map_err(AppError::Render)?;
    let output = GeneratedImage::new(output, h.image.width, h.image.height, h.image.channels).map_err(AppError::Render)?;
    let (left, right) = Layout::input_and_output(target.size());
    let (input, output) = (fit_in(input, left)?, fit_in(output, right)?);
    let _ = target.clear(D::Color::PAPER);
    draw_image(target, &input, left);
    draw_image(target, &output, right);
    // A wide display with room under the squares (the touch board's
    // 320×240) says what to do and how long the translation took.
    let size = target.size();
    let top = left.size.height + 2;
    if size.width >= size.height && size.height >= top + LINE_H as u32 {
        let mut time = TextBuf::<32>::new();
        let _ = write!(time, "translated in {} ms", ticks / K::TICKS_PER_MS.max(1));
        let area = Rectangle::new(Point::new(0, top as i32), Size::new(size.width, size.height - top));
        draw_lines(target, area, ["pen: draw on the left square", "button: clear", time.as_str()].into_iter());
    }
    Ok(Drawn { seed: 0, class: None, words: None, mix: 0, ticks, prompt_ticks: 0, heard: None })
}

/// The canvas's pixels as the translator's input codes.
fn canvas_codes(canvas: &Canvas<'_>, codes: &mut [i8]) {
    for (code, &pixel) in codes.iter_mut().zip(canvas.pixels()) {
        *code = code_of_u8(pixel);
    }
}

fn fit_in<'i>(image: GeneratedImage<'i>, area: Rectangle) -> Result<Rendered<'i>, AppError> {
    Rendered::fit(image, (area.size.width as u16, area.size.height as u16)).map_err(AppError::Render)
}

/// Redraws only the input square (live ink): the translation beside it
/// stays until the lift.
fn draw_canvas<D>(canvas: &Canvas<'_>, codes: &mut [i8], target: &mut D) -> Result<(), AppError>
where
    D: DrawTarget + OriginDimensions,
    D::Color: PanelColor,
{
    canvas_codes(canvas, codes);
    let (w, h) = canvas.size();
    let (left, _) = Layout::input_and_output(target.size());
    let input = fit_in(GeneratedImage::new(codes, w, h, canvas.channels()).map_err(AppError::Render)?, left)?;
    draw_image(target, &input, left);
    Ok(())
}

/// Runs the app: draws the first image, then one per event until the input
/// ends.
pub async fn run<I: Input, S: Screen, K: Clock>(app: &mut App<'_, '_>, input: &mut I, screen: &mut S, clock: &mut K) {
    app.draw(screen.target(), clock);
    screen.present().await;
    while let Some(event) = input.next_event().await {
        info!("event {}", event);
        if event == Event::Image
            && let Some(canvas) = app.canvas_mut()
            && !input.load_image(canvas)
        {
            continue;
        }
        if event == Event::Prompt {
            match input.read_prompt() {
                Some(prompt) => app.set_prompt(prompt),
                None => continue,
            }
        }
        if event == Event::Recording
            && let Some(hearing) = app.hearing_mut()
        {
            hearing.start();
            let start = clock.ticks();
            if !input.listen(hearing).await {
                continue;
            }
            let samples = hearing.samples();
            info!("listened: {=usize} samples, {=u64} ticks (the front end runs as they come)", samples, clock.ticks().wrapping_sub(start));
        }
        if app.on_event(event, screen.target(), clock) != Outcome::Unchanged {
            screen.present().await;
        }
    }
}

fn draw_image<D>(target: &mut D, image: &Rendered<'_>, viewport: Rectangle)
where
    D: DrawTarget,
    D::Color: PanelColor,
{
    let (vw, vh) = (viewport.size.width as u16, viewport.size.height as u16);
    let (ox, oy) = image.origin_in((vw, vh));
    let (ox, oy) = (ox + viewport.top_left.x as u16, oy + viewport.top_left.y as u16);
    let (w, h) = image.size();
    let pixels = (0..h).flat_map(|y| (0..w).map(move |x| (x, y))).map(|(x, y)| {
        let (dx, dy) = (ox + x, oy + y);
        Pixel(Point::new(dx as i32, dy as i32), D::Color::image_pixel(image, x, y, dx, dy))
    });
    if target.draw_iter(pixels).is_err() {
        warn!("the display refused the image");
    }
}

/// The caption: for a text model the prompt first (wrapped into the lines
/// the rest leaves, "(any)" when no word is known) and its first unknown
/// word marked `?`; for a sound model the label heard and how sure; then
/// the seed, class, walk and time.
fn draw_caption<D>(target: &mut D, area: Rectangle, drawn: &Drawn, prompt: Option<(&str, Prompt<'_>)>, heard: Option<(&str, u16)>, ticks_per_ms: u64)
where
    D: DrawTarget,
    D::Color: PanelColor,
{
    let mut lines = [TextBuf::<24>::new(), TextBuf::new(), TextBuf::new(), TextBuf::new(), TextBuf::new(), TextBuf::new(), TextBuf::new(), TextBuf::new()];
    let mut n = 0;
    let mut line = |args: fmt::Arguments<'_>| {
        if n < lines.len() {
            let _ = lines[n].write_fmt(args);
            n += 1;
        }
    };
    let width = (area.size.width / FONT_W) as usize;
    if let Some((text, parsed)) = prompt {
        let any = parsed.known == 0;
        let unknown = parsed.unknown().first().copied();
        // The prompt gets the lines the seed, the time and the notes leave.
        let room = (area.size.height as i32 / LINE_H) as usize;
        let notes = 2 + usize::from(any) + usize::from(unknown.is_some()) + usize::from(drawn.mix > 0);
        if any {
            line(format_args!("(any)"));
        }
        for part in wrap(text, width).take(room.saturating_sub(notes).max(1)) {
            line(format_args!("{part}"));
        }
        if let Some(unknown) = unknown {
            line(format_args!("?{unknown}"));
        }
    }
    if let Some((label, permille)) = heard {
        line(format_args!("{label}"));
        // Floor: "100%" only when nothing else was possible at all.
        line(format_args!("{}% sure", permille / 10));
    }
    line(format_args!("seed {}", drawn.seed));
    if let Some(c) = drawn.class {
        line(format_args!("class {c}"));
    }
    if drawn.mix > 0 {
        line(format_args!("walk {}", drawn.mix));
    }
    line(format_args!("{} ms", drawn.ticks / ticks_per_ms.max(1)));
    draw_lines(target, area, lines[..n].iter().map(|l| l.as_str()));
}

fn draw_lines<'t, D>(target: &mut D, area: Rectangle, lines: impl Iterator<Item = &'t str>)
where
    D: DrawTarget,
    D::Color: PanelColor,
{
    let style = MonoTextStyle::new(&FONT_6X10, D::Color::INK);
    let max_chars = (area.size.width / FONT_W) as usize;
    let max_lines = area.size.height as i32 / LINE_H;
    for (i, text) in lines.take(max_lines.max(0) as usize).enumerate() {
        let text = text.get(..max_chars.min(text.len())).unwrap_or(text);
        let at = area.top_left + Point::new(0, i as i32 * LINE_H);
        let _ = Text::with_baseline(text, at, style, Baseline::Top).draw(target);
    }
}

/// The error screen: a title and the error's message, wrapped to the
/// display.
fn draw_error<D>(target: &mut D, error: &AppError)
where
    D: DrawTarget + OriginDimensions,
    D::Color: PanelColor,
{
    let _ = target.clear(D::Color::PAPER);
    let mut message = TextBuf::<320>::new();
    let _ = write!(message, "{error}");
    let area = Rectangle::new(Point::zero(), target.size());
    let width = (area.size.width / FONT_W) as usize;
    let title = match error {
        AppError::Model(_) => "MODEL ERROR",
        AppError::Buffers { .. } => "MODEL TOO BIG",
        AppError::Render(_) => "DISPLAY ERROR",
        AppError::NoHearing => "MODEL ERROR",
    };
    draw_lines(target, area, core::iter::once(title).chain(wrap(message.as_str(), width)));
}
