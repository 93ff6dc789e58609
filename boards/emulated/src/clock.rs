//! SysTick as an instruction counter.

use portable_atomic::{AtomicU32, Ordering};
use cortex_m::peripheral::SYST;
use cortex_m::peripheral::syst::SystClkSource;
use cortex_m_rt::exception;
use pocketgan_firmware::Clock;

const RELOAD: u32 = 0x00ff_ffff;
/// Under `-icount shift=0` QEMU advances 1 ns per instruction and the
/// mps2-an386 SysTick counts at 25 MHz: one tick per 40 instructions.
#[cfg(not(an505))]
const INSTRUCTIONS_PER_TICK: u64 = 40;
/// The mps2-an505's SysTick counts at its 20 MHz system clock: one tick per
/// 50 instructions.
#[cfg(an505)]
const INSTRUCTIONS_PER_TICK: u64 = 50;

static WRAPS: AtomicU32 = AtomicU32::new(0);

#[exception]
fn SysTick() {
    WRAPS.fetch_add(1, Ordering::Relaxed);
}

/// Counts executed instructions (to within one tick) when QEMU runs with
/// `-icount shift=0`; reads 0 without it.
pub struct InstructionClock {
    syst: SYST,
}

impl InstructionClock {
    /// Starts SysTick free-running, with an interrupt on each wrap.
    pub fn start(mut syst: SYST) -> Self {
        syst.set_clock_source(SystClkSource::Core);
        syst.set_reload(RELOAD);
        syst.clear_current();
        syst.enable_interrupt();
        syst.enable_counter();
        InstructionClock { syst }
    }
}

impl Clock for InstructionClock {
    /// Ticks are instructions; a millisecond is 100 000 of them — the
    /// STM32F411 at 100 MHz, assuming about one instruction per cycle (an
    /// estimate, not a cycle count).
    const TICKS_PER_MS: u64 = 100_000;

    fn ticks(&mut self) -> u64 {
        let _ = &self.syst;
        loop {
            let wraps = WRAPS.load(Ordering::Relaxed);
            let current = SYST::get_current();
            if WRAPS.load(Ordering::Relaxed) == wraps {
                let counted = (RELOAD - current) as u64 + wraps as u64 * (RELOAD as u64 + 1);
                return counted * INSTRUCTIONS_PER_TICK;
            }
        }
    }
}
