//! pocketgan's translator on a Raspberry Pi Pico (RP2040) with a 2.8"
//! ILI9341 320×240 TFT and its XPT2046 resistive touch controller (the
//! common red SPI module): draw a sketch with the stylus on the left
//! square, lift, and the board draws the translation on the right square;
//! the button clears the canvas.
//!
//! | part | signal | pin |
//! |---|---|---|
//! | ILI9341 display, SPI0 at 62.5 MHz | SCK → GP18 (pin 24), SDI/MOSI → GP19 (pin 25), CS → GP17 (pin 22), DC → GP20 (pin 26), RESET → GP21 (pin 27), LED → 3V3, VCC → 3V3 (pin 36), GND | |
//! | XPT2046 touch, SPI1 at 2 MHz | T_CLK → GP10 (pin 14), T_DIN → GP11 (pin 15), T_DO → GP12 (pin 16), T_CS → GP13 (pin 17), T_IRQ → GP14 (pin 19) | |
//! | clear button | GP15 (pin 20) to GND | |
//!
//! The display and the touch controller are on separate SPI blocks, so
//! neither waits for the other's clock rate. The panel is unbuffered (a
//! 320×240 RGB565 frame would take 150 KB of the RP2040's 264 KB): pixels go
//! to the panel as the app draws them, in row batches.
//!
//! Touch calibration: [`CALIBRATION`] holds the raw readings at the
//! display's edges for the usual module; with `DEFMT_LOG=debug` the log
//! prints each raw reading, so touching the corners gives a module's own.
//!
//! Core clock 125 MHz. Log: defmt over RTT. The model built in is
//! `models/unet-skeletons.pgan` (this board's `.cargo/config.toml`), or
//! another translator named by `POCKETGAN_MODEL`; a generator would only
//! show its first image, since this board's input is the stylus.
#![no_std]
#![no_main]

mod stylus;

use defmt_rtt as _;
use embassy_executor::Spawner;
use embassy_rp::gpio::{Input, Level, Output, Pull};
use embassy_rp::spi::{self, Spi};
use embassy_time::Delay;
use embedded_hal_bus::spi::ExclusiveDevice;
use mipidsi::interface::SpiInterface;
use mipidsi::models::ILI9341Rgb565;
use mipidsi::options::{ColorOrder, Orientation, Rotation};
use panic_probe as _;
use pocketgan_board_common::EmbassyClock;
use pocketgan_firmware::embedded_graphics::pixelcolor::Rgb565;
use pocketgan_firmware::{App, Buffers, Layout, MODEL_FILE, Screen, StrokeTracker, TouchCalibration, run};
use static_cell::ConstStaticCell;
use tsc2046::Tsc2046;

use stylus::Stylus;

/// RAM left for the app after the stack, the executor and the display
/// driver's transfer buffer.
const APP_RAM_BUDGET: usize = 224 * 1024;
const _: () = assert!(
    Buffers::ram_bytes() <= APP_RAM_BUDGET,
    "the model needs more RAM than the RP2040 can give it: check it with `pocketgan fit MODEL --board rp-pico-touch`"
);

/// The display in landscape.
const DISPLAY: (u16, u16) = (320, 240);

/// Raw XPT2046 readings at the display's edges in landscape, for the usual
/// 2.8" red module (its touch X runs along the display's rows, inverted).
const CALIBRATION: TouchCalibration = TouchCalibration { raw_left: 3870, raw_right: 230, raw_top: 3800, raw_bottom: 300, swap_axes: true };

/// Pressure below which a reading counts as a touch (the driver's scale:
/// lower is firmer).
const TOUCH_THRESHOLD: f32 = 1.2;

static BUFFERS: ConstStaticCell<Buffers> = ConstStaticCell::new(Buffers::new());
/// mipidsi's transfer buffer: one 320-pixel row of RGB565.
static SPI_BUFFER: ConstStaticCell<[u8; 640]> = ConstStaticCell::new([0; 640]);

type Display = mipidsi::Display<
    SpiInterface<'static, ExclusiveDevice<Spi<'static, embassy_rp::peripherals::SPI0, spi::Blocking>, Output<'static>, Delay>, Output<'static>>,
    ILI9341Rgb565,
    Output<'static>,
>;

/// The panel as the app's screen: drawing is showing.
struct Tft(Display);

impl Screen for Tft {
    type Color = Rgb565;
    type Target = Display;
    fn target(&mut self) -> &mut Display {
        &mut self.0
    }
    async fn present(&mut self) {}
}

fn spi_config(frequency: u32) -> spi::Config {
    let mut config = spi::Config::default();
    config.frequency = frequency;
    config
}

#[embassy_executor::main]
async fn main(_spawner: Spawner) {
    let p = embassy_rp::init(Default::default());
    defmt::info!("pocketgan on Raspberry Pi Pico + ILI9341/XPT2046: model file {=usize} B, app buffers {=usize} B", MODEL_FILE.len(), Buffers::ram_bytes());

    let bus = Spi::new_blocking_txonly(p.SPI0, p.PIN_18, p.PIN_19, spi_config(62_500_000));
    let Ok(device) = ExclusiveDevice::new(bus, Output::new(p.PIN_17, Level::High), Delay);
    let interface = SpiInterface::new(device, Output::new(p.PIN_20, Level::Low), SPI_BUFFER.take());
    let display = match mipidsi::Builder::new(ILI9341Rgb565, interface)
        .reset_pin(Output::new(p.PIN_21, Level::High))
        .orientation(Orientation::new().rotate(Rotation::Deg90).flip_horizontal())
        .color_order(ColorOrder::Bgr)
        .init(&mut Delay)
    {
        Ok(display) => display,
        Err(_) => defmt::panic!("the ILI9341 did not initialize (check SCK=GP18, MOSI=GP19, CS=GP17, DC=GP20, RESET=GP21)"),
    };
    let mut screen = Tft(display);

    let bus = Spi::new_blocking(p.SPI1, p.PIN_10, p.PIN_11, p.PIN_12, spi_config(2_000_000));
    let Ok(device) = ExclusiveDevice::new(bus, Output::new(p.PIN_13, Level::High), Delay);
    let touch = match Tsc2046::new(device, true, TOUCH_THRESHOLD) {
        Ok(touch) => touch,
        Err(_) => defmt::panic!("the XPT2046 did not answer (check T_CLK=GP10, T_DIN=GP11, T_DO=GP12, T_CS=GP13)"),
    };

    let buffers = BUFFERS.take();
    let mut app = App::new(MODEL_FILE, buffers, 0).with_live_ink();
    let canvas = app.canvas_mut().map_or((28, 28), |c| c.size());
    let (left, _) = Layout::input_and_output(pocketgan_firmware::embedded_graphics::geometry::Size::new(DISPLAY.0 as u32, DISPLAY.1 as u32));
    let tracker = StrokeTracker::new((left.top_left.x as u16, left.top_left.y as u16), left.size.width as u16, canvas);
    let mut input = Stylus::new(touch, Input::new(p.PIN_14, Pull::Up), Input::new(p.PIN_15, Pull::Up), CALIBRATION, DISPLAY, tracker);
    run(&mut app, &mut input, &mut screen, &mut EmbassyClock).await;
}
