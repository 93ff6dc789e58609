//! The microphone on PA2 (ADC1 channel 2), sampled at 8 kHz: TIM3's update
//! event (its TRGO) triggers each ADC1 conversion, and DMA2 stream 0 moves
//! the results into a two-block ring, so sampling never pauses while a
//! block is heard. embassy-stm32 0.4's ADC driver converts on software
//! starts or free-running only, so the trigger is set in ADC1's and TIM3's
//! registers here, and put back after each recording (the potentiometer
//! shares ADC1 and is read with the driver between recordings).

use core::cell::RefCell;
use embassy_stm32::Peri;
use embassy_stm32::adc::{Adc, RxDma as _};
use embassy_stm32::dma::{ReadableRingBuffer, TransferOptions};
use embassy_stm32::pac;
use embassy_stm32::pac::adc::vals::{Dds, Exten};
use embassy_stm32::pac::timer::vals::Mms;
use embassy_stm32::peripherals::{ADC1, DMA2_CH0, PA2, TIM3};
use embassy_stm32::time::Hertz;
use embassy_stm32::timer::low_level::Timer;
use pocketgan_firmware::{DcBlocker, MIC_BLOCK, Microphone};
use pocketgan_shared::hearing::{Hearing, MAX_RECORDING};

/// ADC1's regular-group trigger "TIM3 TRGO" (EXTSEL = 0b1000, RM0383 §11.12.3).
const EXTSEL_TIM3_TRGO: u8 = 0b1000;

/// The microphone: ADC1 (shared with the potentiometer), its pin, the
/// pacing timer and the DMA stream.
pub struct TimerAdcMicrophone<'a> {
    /// ADC1, also read by the potentiometer between recordings.
    pub adc: &'a RefCell<Adc<'static, ADC1>>,
    /// The microphone module's output.
    pub pin: Peri<'static, PA2>,
    /// Paces the conversions.
    pub timer: Timer<'static, TIM3>,
    /// ADC1's DMA stream.
    pub dma: Peri<'static, DMA2_CH0>,
    /// Takes the module's bias out.
    pub dc: DcBlocker,
}

impl Microphone for TimerAdcMicrophone<'_> {
    async fn record(&mut self, hearing: &mut Hearing, held: &mut dyn FnMut() -> bool) -> usize {
        let Ok(mut adc) = self.adc.try_borrow_mut() else { return 0 };
        // One read through the driver: the pin becomes analog, channel 2
        // the first of the regular sequence, with the driver's sample time.
        let _ = adc.blocking_read(&mut self.pin);
        let regs = pac::ADC1;
        regs.cr2().modify(|w| {
            w.set_cont(false);
            w.set_dma(true);
            w.set_dds(Dds::CONTINUOUS);
            w.set_extsel(EXTSEL_TIM3_TRGO);
            w.set_exten(Exten::RISING_EDGE);
        });
        let mut ring = [0u16; 2 * MIC_BLOCK];
        let request = self.dma.request();
        // SAFETY: ADC1's data register is a valid 16-bit peripheral source,
        // and the ring buffer (stopped when dropped below) outlives no borrow.
        let mut readings = unsafe {
            ReadableRingBuffer::new(self.dma.reborrow(), request, regs.dr().as_ptr() as *mut u16, &mut ring, TransferOptions::default())
        };
        readings.start();
        self.timer.set_frequency(Hertz(8_000));
        pac::TIM3.cr2().modify(|w| w.set_mms(Mms::UPDATE));
        self.timer.start();

        let mut block = [0u16; MIC_BLOCK];
        let mut samples = [0i16; MIC_BLOCK];
        let mut taken = 0;
        while taken < MAX_RECORDING {
            if readings.read_exact(&mut block).await.is_err() {
                defmt::warn!("the microphone's DMA overran: the recording stops here");
                break;
            }
            self.dc.convert(&block, &mut samples);
            hearing.push(&samples);
            taken += MIC_BLOCK;
            if !held() {
                break;
            }
        }
        self.timer.stop();
        readings.request_pause();
        drop(readings);
        regs.cr2().modify(|w| {
            w.set_exten(Exten::DISABLED);
            w.set_dma(false);
        });
        taken
    }
}
