//! The Raspberry Pi Pico family's wiring, in one place: the Pico (RP2040)
//! and the Pico 2 (RP2350) have the same pinout, and embassy-rp the same
//! API for both, so their binaries differ only in the chip (the embassy-rp
//! feature each board crate enables) and their RAM budget.
//!
//! | part | pin |
//! |---|---|
//! | SSD1306 128×64 OLED, I2C0 | SDA → GP4 (pin 6), SCL → GP5 (pin 7), VCC → 3V3 (pin 36), GND |
//! | button | GP15 (pin 20) to GND |
//! | potentiometer / light sensor | wiper → GP26 / ADC0 (pin 31), ends → 3V3 and AGND (pin 33) |
//! | USB | the board's micro-USB / USB-C: a CDC-ACM serial port for a text model's prompts |
//!
//! A text model's prompts are typed into the USB serial port (`picocom
//! /dev/ttyACM0`, or any terminal): a line is a prompt, echoed back; a long
//! press cycles the presets.

use crate::{EmbassyClock, OledScreen};
use embassy_futures::join::join3;
use embassy_rp::adc::{self, Adc, Channel};
use embassy_rp::bind_interrupts;
use embassy_rp::clocks::RoscRng;
use embassy_rp::gpio::{Input, Pull};
use embassy_rp::i2c::{self, I2c};
use embassy_rp::peripherals::USB;
use embassy_rp::usb;
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::pipe::Pipe;
use embassy_time::Delay;
use embassy_usb::class::cdc_acm::{CdcAcmClass, State};
use pocketgan_firmware::{App, Buffers, ButtonAndSensor, MODEL_FILE, WithSerialLine, run};
use static_cell::{ConstStaticCell, StaticCell};

bind_interrupts!(struct Irqs {
    ADC_IRQ_FIFO => adc::InterruptHandler;
    USBCTRL_IRQ => usb::InterruptHandler<USB>;
});

/// Bytes typed on the USB serial port, from the USB task to the app's input.
static TYPED: Pipe<CriticalSectionRawMutex, 128> = Pipe::new();
static CONFIG_DESCRIPTOR: ConstStaticCell<[u8; 256]> = ConstStaticCell::new([0; 256]);
static BOS_DESCRIPTOR: ConstStaticCell<[u8; 256]> = ConstStaticCell::new([0; 256]);
static CONTROL_BUFFER: ConstStaticCell<[u8; 64]> = ConstStaticCell::new([0; 64]);
static CDC_STATE: StaticCell<State<'static>> = StaticCell::new();

/// The USB serial port: a CDC-ACM device whose received bytes go to
/// [`TYPED`] and are echoed back (terminals do not echo by themselves).
fn usb_serial(usb: embassy_rp::Peri<'static, USB>) -> (embassy_usb::UsbDevice<'static, usb::Driver<'static, USB>>, CdcAcmClass<'static, usb::Driver<'static, USB>>) {
    let driver = usb::Driver::new(usb, Irqs);
    let mut config = embassy_usb::Config::new(0x1209, 0x0001);
    config.manufacturer = Some("pocketgan");
    config.product = Some("pocketgan prompt");
    config.max_power = 100;
    config.max_packet_size_0 = 64;
    let mut builder = embassy_usb::Builder::new(driver, config, CONFIG_DESCRIPTOR.take(), BOS_DESCRIPTOR.take(), &mut [], CONTROL_BUFFER.take());
    let class = CdcAcmClass::new(&mut builder, CDC_STATE.init(State::new()), 64);
    (builder.build(), class)
}

/// Moves bytes from the serial port into [`TYPED`], echoing them, for as
/// long as the board runs (a host that goes away is waited for again).
async fn forward_typed(class: &mut CdcAcmClass<'static, usb::Driver<'static, USB>>) -> ! {
    let mut packet = [0u8; 64];
    loop {
        class.wait_connection().await;
        defmt::info!("USB serial connected: type a prompt and press Enter");
        while let Ok(n) = class.read_packet(&mut packet).await {
            TYPED.write_all(&packet[..n]).await;
            let _ = class.write_packet(&packet[..n]).await;
        }
    }
}

/// Runs the app on a Pico-family board named `board` (for the log), with
/// the model built into the firmware and the app's `buffers`.
pub async fn run_app(p: embassy_rp::Peripherals, buffers: &'static mut Buffers, board: &'static str) {
    defmt::info!("pocketgan on {=str}: model file {=usize} B, app buffers {=usize} B", board, MODEL_FILE.len(), Buffers::ram_bytes());

    let mut i2c_config = i2c::Config::default();
    i2c_config.frequency = 400_000;
    let i2c = I2c::new_blocking(p.I2C0, p.PIN_5, p.PIN_4, i2c_config);
    let mut screen = OledScreen::i2c(i2c, "SDA=GP4, SCL=GP5, 3V3");

    let mut adc = Adc::new(p.ADC, Irqs, adc::Config::default());
    let mut pot = Channel::new_pin(p.PIN_26, Pull::None);
    // The ring oscillator's jitter: a different first seed each power-up.
    let seed = RoscRng.next_u32();
    let button = Input::new(p.PIN_15, Pull::Up);
    let buttons = ButtonAndSensor::new(button, Delay, move || adc.blocking_read(&mut pot).ok());
    let mut input = WithSerialLine::new(buttons, Delay, |bytes: &mut [u8]| TYPED.try_read(bytes).unwrap_or(0));
    let (mut device, mut class) = usb_serial(p.USB);

    let mut app = App::new(MODEL_FILE, buffers, seed);
    join3(device.run(), forward_typed(&mut class), run(&mut app, &mut input, &mut screen, &mut EmbassyClock)).await;
}
