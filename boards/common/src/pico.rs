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
//! | talk button (push-to-talk) | GP14 (pin 19) to GND |
//! | electret microphone module (MAX9814 or MAX4466) | OUT → GP27 / ADC1 (pin 32), VCC → 3V3 (pin 36), GND → AGND (pin 33); MAX9814: GAIN unconnected (60 dB), A/R to GND |
//! | USB | the board's micro-USB / USB-C: a CDC-ACM serial port for a text model's prompts |
//!
//! A text model's prompts are typed into the USB serial port (`picocom
//! /dev/ttyACM0`, or any terminal): a line is a prompt, echoed back; a long
//! press cycles the presets. A sound model listens while the talk button
//! is held (at most 1.5 s): the ADC samples the microphone at 8 kHz, paced
//! by its clock divider, into DMA blocks of 16 ms, and each block is heard
//! while the next is sampled.

use crate::{EmbassyClock, OledScreen};
use core::cell::RefCell;
use embassy_futures::join::{join, join3};
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
use embassy_rp::Peri;
use embassy_rp::peripherals::DMA_CH0;
use pocketgan_firmware::{App, Buffers, ButtonAndSensor, DcBlocker, MIC_BLOCK, MODEL_FILE, Microphone, PushToTalk, WithSerialLine, run};
use pocketgan_shared::hearing::{Hearing, MAX_RECORDING};
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

/// The ADC's clock divider for 8 kHz: 48 MHz / (5999 + 1).
const DIV_8KHZ: u16 = 5999;

/// The microphone on ADC1, sharing the ADC with the potentiometer (the
/// two are never read at once: the sensor is read between events, the
/// microphone while a recording is taken).
struct AdcMicrophone<'a> {
    adc: &'a RefCell<Adc<'static, adc::Async>>,
    channel: Channel<'static>,
    dma: Peri<'static, DMA_CH0>,
    dc: DcBlocker,
}

impl Microphone for AdcMicrophone<'_> {
    async fn record(&mut self, hearing: &mut Hearing, held: &mut dyn FnMut() -> bool) -> usize {
        let Ok(mut adc) = self.adc.try_borrow_mut() else { return 0 };
        let mut blocks = [[0u16; MIC_BLOCK]; 2];
        let mut samples = [0i16; MIC_BLOCK];
        if adc.read_many(&mut self.channel, &mut blocks[0], DIV_8KHZ, self.dma.reborrow()).await.is_err() {
            defmt::warn!("the microphone (GP27 / ADC1) cannot be read");
            return 0;
        }
        let mut taken = MIC_BLOCK;
        let mut done = 0;
        while held() && taken < MAX_RECORDING {
            let (first, second) = blocks.split_at_mut(1);
            let (heard, next) = if done == 0 { (&first[0], &mut second[0]) } else { (&second[0], &mut first[0]) };
            let dc = &mut self.dc;
            // The DMA fills the next block while this one is heard.
            let hear = async {
                dc.convert(heard, &mut samples);
                hearing.push(&samples);
            };
            let (read, ()) = join(adc.read_many(&mut self.channel, next, DIV_8KHZ, self.dma.reborrow()), hear).await;
            if read.is_err() {
                break;
            }
            taken += MIC_BLOCK;
            done ^= 1;
        }
        self.dc.convert(&blocks[done], &mut samples);
        hearing.push(&samples);
        taken
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

    let adc = RefCell::new(Adc::new(p.ADC, Irqs, adc::Config::default()));
    let mut pot = Channel::new_pin(p.PIN_26, Pull::None);
    // The ring oscillator's jitter: a different first seed each power-up.
    let seed = RoscRng.next_u32();
    let button = Input::new(p.PIN_15, Pull::Up);
    let buttons = ButtonAndSensor::new(button, Delay, || adc.try_borrow_mut().ok().and_then(|mut a| a.blocking_read(&mut pot).ok()));
    let typed = WithSerialLine::new(buttons, Delay, |bytes: &mut [u8]| TYPED.try_read(bytes).unwrap_or(0));
    let microphone = AdcMicrophone { adc: &adc, channel: Channel::new_pin(p.PIN_27, Pull::None), dma: p.DMA_CH0, dc: DcBlocker::new() };
    let mut input = PushToTalk::new(typed, Input::new(p.PIN_14, Pull::Up), microphone);
    let (mut device, mut class) = usb_serial(p.USB);

    let mut app = App::new(MODEL_FILE, buffers, seed);
    join3(device.run(), forward_typed(&mut class), run(&mut app, &mut input, &mut screen, &mut EmbassyClock)).await;
}
