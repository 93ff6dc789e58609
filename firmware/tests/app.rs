//! The app on the host: events, state and the error screen, drawn into a
//! RAM framebuffer like the emulated board's.

use embedded_graphics::pixelcolor::BinaryColor;
use embedded_graphics::prelude::*;
use pocketgan_firmware::{App, AppError, Buffers, Clock, Event, MODEL_FILE, MonoFramebuffer, Outcome, SENSOR_MAX};
use pocketgan_shared::latent::latent_for_seed;
use pocketgan_shared::pixels::{Dither, GeneratedImage, Rendered};
use pocketgan_shared::{Model, ModelError, generate};

/// A clock that advances 1000 ticks per reading.
struct Steps(u64);
impl Clock for Steps {
    const TICKS_PER_MS: u64 = 1000;
    fn ticks(&mut self) -> u64 {
        self.0 += 1000;
        self.0
    }
}

fn lit(fb: &MonoFramebuffer<'_>, x0: u16, y0: u16, w: u16, h: u16) -> usize {
    (y0..y0 + h).flat_map(|y| (x0..x0 + w).map(move |x| (x, y))).filter(|&(x, y)| fb.is_lit(x, y)).count()
}

#[test]
fn default_model_draws_what_the_shared_renderer_draws() {
    let mut buffers = Box::new(Buffers::new());
    let mut app = App::new(MODEL_FILE, &mut buffers, 7);
    let mut bytes = [0u8; 1024];
    let mut fb = MonoFramebuffer::new(&mut bytes, 128, 64).unwrap();
    let mut clock = Steps(0);
    let Outcome::Drawn(d) = app.draw(&mut fb, &mut clock) else { panic!("default model must draw") };
    assert_eq!((d.seed, d.class, d.mix, d.ticks), (7, None, 0, 1000));

    // The viewport is the left 64×64: the image there is the shared
    // renderer's for a 64×64 display; the caption is to its right.
    let model = Model::parse(MODEL_FILE).unwrap();
    let mut scratch = vec![0i8; model.scratch_len()];
    let mut latent = vec![0i8; model.header().latent_dim as usize];
    latent_for_seed(7, &mut latent);
    let codes = generate(&model, &latent, None, &mut scratch).unwrap();
    let image = Rendered::fit(GeneratedImage::new(codes, 28, 28, 1).unwrap(), (64, 64)).unwrap();
    let (ox, oy) = image.origin_in((64, 64));
    for y in 0..64u16 {
        for x in 0..64u16 {
            let inside = x >= ox && y >= oy && x < ox + 56 && y < oy + 56;
            let want = inside && Dither::BAYER8.lit(image.pixel(x - ox, y - oy), x, y);
            assert_eq!(fb.is_lit(x, y), want, "pixel ({x}, {y})");
        }
    }
    assert!(lit(&fb, 66, 0, 62, 20) > 20, "caption drawn");
}

#[test]
fn events_change_seed_walk_and_nothing_else() {
    let mut buffers = Box::new(Buffers::new());
    let mut app = App::new(MODEL_FILE, &mut buffers, 100);
    let mut bytes = [0u8; 1024];
    let mut fb = MonoFramebuffer::new(&mut bytes, 128, 64).unwrap();
    let mut clock = Steps(0);
    let drawn = |o: Outcome| match o {
        Outcome::Drawn(d) => (d.seed, d.mix),
        other => panic!("expected a drawing, got {other:?}"),
    };
    assert_eq!(drawn(app.on_event(Event::Press, &mut fb, &mut clock)), (101, 0));
    let before = fb.bytes().to_vec();
    assert_eq!(app.on_event(Event::LongPress, &mut fb, &mut clock), Outcome::Unchanged, "no classes");
    assert_eq!(drawn(app.on_event(Event::Sensor(SENSOR_MAX / 2), &mut fb, &mut clock)), (101, 128));
    assert_ne!(fb.bytes(), &before[..], "a walk changes the image");
    assert_eq!(app.on_event(Event::Sensor(SENSOR_MAX / 2 + 3), &mut fb, &mut clock), Outcome::Unchanged);
    assert_eq!(drawn(app.on_event(Event::Sensor(SENSOR_MAX), &mut fb, &mut clock)), (101, 256));
    // The end of the walk is exactly the next seed's image.
    let mut walked = [0u8; 512];
    fb.crop(0, 0, 64, 64, &mut walked).unwrap();
    assert_eq!(drawn(app.on_event(Event::Press, &mut fb, &mut clock)), (102, 0));
    let mut pressed = [0u8; 512];
    fb.crop(0, 0, 64, 64, &mut pressed).unwrap();
    assert_eq!(walked, pressed);
}

#[test]
fn a_corrupt_model_shows_the_error_and_keeps_going() {
    let mut file = MODEL_FILE.to_vec();
    file[40] ^= 0x5a; // inside the payload: the checksum no longer matches
    let mut buffers = Box::new(Buffers::new());
    let mut app = App::new(&file, &mut buffers, 1);
    assert!(matches!(app.model(), Err(AppError::Model(ModelError::ChecksumMismatch { .. }))));
    let mut bytes = [0u8; 1024];
    let mut fb = MonoFramebuffer::new(&mut bytes, 128, 64).unwrap();
    let mut clock = Steps(0);
    for event in [Event::Press, Event::LongPress, Event::Sensor(0)] {
        assert!(matches!(app.on_event(event, &mut fb, &mut clock), Outcome::Failed(AppError::Model(_))));
        assert!(lit(&fb, 0, 0, 128, 10) > 30, "title drawn");
        assert!(lit(&fb, 0, 10, 128, 54) > 100, "message drawn");
    }
    // The screen says what it is.
    let mut title = [0u8; 1024];
    let mut reference = MonoFramebuffer::new(&mut title, 128, 64).unwrap();
    embedded_graphics::text::Text::with_baseline(
        "MODEL ERROR",
        Point::zero(),
        embedded_graphics::mono_font::MonoTextStyle::new(&embedded_graphics::mono_font::ascii::FONT_6X10, BinaryColor::On),
        embedded_graphics::text::Baseline::Top,
    )
    .draw(&mut reference)
    .unwrap();
    assert_eq!(fb.bytes()[..16 * 10], reference.bytes()[..16 * 10]);
}

#[test]
fn buffers_too_small_are_refused_with_numbers() {
    let mut scratch = vec![0i8; 100];
    let mut latents = vec![0i8; 96];
    let app = App::with_buffers(MODEL_FILE, &mut scratch, &mut latents, 0);
    let Err(e) = app.model() else { panic!("must refuse") };
    let text = e.to_string();
    let needed = pocketgan_shared::Model::parse(MODEL_FILE).unwrap().scratch_len();
    assert!(text.contains(&format!("{needed} B of scratch")) && text.contains("reserved 100 B"), "{text}");
}
