//! pocketgan on a WeAct STM32F411 "Black Pill".
//!
//! | part | pin |
//! |---|---|
//! | SSD1306 128×64 OLED, I2C | SCL → PB6, SDA → PB7, VCC → 3V3, GND |
//! | button | the board's KEY (PA0 to ground) |
//! | potentiometer / light sensor | wiper → PA1 (ADC1 channel 1), ends → 3V3 and GND |
//! | talk button (push-to-talk) | PB12 to GND |
//! | electret microphone module (MAX9814 or MAX4466) | OUT → PA2 (ADC1 channel 2), VCC → 3V3, GND; MAX9814: GAIN unconnected (60 dB) |
//!
//! A sound model listens while the talk button is held (at most 1.5 s):
//! TIM3 triggers ADC1 at 8 kHz and DMA moves the samples (see
//! [`microphone`]).
//! Core clock 100 MHz from the 25 MHz crystal. Log: defmt over RTT (up
//! channel 0). A text model's prompts are typed into the terminal `cargo
//! embed` opens (RTT down channel 0, "Terminal"): a line is a prompt; a
//! long press cycles the presets.
#![no_std]
#![no_main]

mod microphone;

use embassy_executor::Spawner;
use embassy_stm32::adc::Adc;
use embassy_stm32::exti::ExtiInput;
use embassy_stm32::gpio::Pull;
use embassy_stm32::i2c::{self, I2c};
use embassy_stm32::time::Hertz;
use embassy_time::{Delay, Instant};
use panic_probe as _;
use pocketgan_board_common::{EmbassyClock, OledScreen};
use core::cell::RefCell;
use embassy_stm32::timer::low_level::Timer;
use pocketgan_firmware::{App, Buffers, ButtonAndSensor, DcBlocker, MODEL_FILE, PushToTalk, WithSerialLine, run};
use static_cell::ConstStaticCell;

/// RAM left for the app after the display buffer, stack and executor.
const APP_RAM_BUDGET: usize = 96 * 1024;
const _: () = assert!(
    Buffers::ram_bytes() <= APP_RAM_BUDGET,
    "the model needs more RAM than the STM32F411 can give it: check it with `pocketgan fit MODEL --board stm32f411-blackpill`"
);

static BUFFERS: ConstStaticCell<Buffers> = ConstStaticCell::new(Buffers::new());

fn clocks() -> embassy_stm32::Config {
    use embassy_stm32::rcc::*;
    let mut config = embassy_stm32::Config::default();
    config.rcc.hse = Some(Hse { freq: Hertz(25_000_000), mode: HseMode::Oscillator });
    config.rcc.pll_src = PllSource::HSE;
    // 25 MHz / 25 × 200 / 2 = 100 MHz; the Q output at 50 MHz is unused.
    config.rcc.pll = Some(Pll {
        prediv: PllPreDiv::DIV25,
        mul: PllMul::MUL200,
        divp: Some(PllPDiv::DIV2),
        divq: Some(PllQDiv::DIV4),
        divr: None,
    });
    config.rcc.sys = Sysclk::PLL1_P;
    config.rcc.ahb_pre = AHBPrescaler::DIV1;
    config.rcc.apb1_pre = APBPrescaler::DIV2;
    config.rcc.apb2_pre = APBPrescaler::DIV1;
    config
}

#[embassy_executor::main]
async fn main(_spawner: Spawner) {
    // defmt on up channel 0 (what `cargo embed` decodes), prompts typed on down channel 0.
    let channels = rtt_target::rtt_init! {
        up: { 0: { size: 1024, name: "defmt" } }
        down: { 0: { size: 64, name: "Terminal" } }
    };
    rtt_target::set_defmt_channel(channels.up.0);
    let mut terminal = channels.down.0;
    let p = embassy_stm32::init(clocks());
    defmt::info!("pocketgan on STM32F411 Black Pill: model file {=usize} B, app buffers {=usize} B", MODEL_FILE.len(), Buffers::ram_bytes());

    let mut i2c_config = i2c::Config::default();
    i2c_config.frequency = Hertz(400_000);
    let i2c = I2c::new_blocking(p.I2C1, p.PB6, p.PB7, i2c_config);
    let mut screen = OledScreen::i2c(i2c, "SCL=PB6, SDA=PB7, 3V3");

    let mut adc = Adc::new(p.ADC1);
    let mut pot = p.PA1;
    // The low bits of a floating or noisy analog input, and the boot time,
    // are enough to start each power-up on a different seed.
    let mut seed = Instant::now().as_ticks() as u32;
    for _ in 0..32 {
        seed = seed.rotate_left(5) ^ adc.blocking_read(&mut pot) as u32;
    }
    let adc = RefCell::new(adc);
    let button = ExtiInput::new(p.PA0, p.EXTI0, Pull::Up);
    let buttons = ButtonAndSensor::new(button, Delay, || adc.try_borrow_mut().ok().map(|mut a| a.blocking_read(&mut pot)));
    let typed = WithSerialLine::new(buttons, Delay, move |bytes: &mut [u8]| terminal.read(bytes));
    let microphone = microphone::TimerAdcMicrophone { adc: &adc, pin: p.PA2, timer: Timer::new(p.TIM3), dma: p.DMA2_CH0, dc: DcBlocker::new() };
    let mut input = PushToTalk::new(typed, ExtiInput::new(p.PB12, p.EXTI12, Pull::Up), microphone);

    let mut app = App::new(MODEL_FILE, BUFFERS.take(), seed);
    run(&mut app, &mut input, &mut screen, &mut EmbassyClock).await;
}
