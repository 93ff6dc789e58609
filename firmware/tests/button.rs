//! `ButtonAndSensor` against a simulated button and sensor in virtual time:
//! every poll of the input is one millisecond, so the button and the delays
//! race as they do on a board.

use core::cell::Cell;
use core::convert::Infallible;
use core::future::poll_fn;
use core::pin::pin;
use core::task::{Context, Poll, Waker};
use embedded_hal::digital::{ErrorType, InputPin};
use embedded_hal_async::delay::DelayNs;
use embedded_hal_async::digital::Wait;
use pocketgan_firmware::{ButtonAndSensor, Event, Input, WithSerialLine};

/// Milliseconds since start, and when the button is held down.
struct World {
    now: Cell<u64>,
    held: Vec<(u64, u64)>,
}

impl World {
    fn low(&self) -> bool {
        let t = self.now.get();
        self.held.iter().any(|&(down, up)| t >= down && t < up)
    }
}

struct Button<'w>(&'w World);
impl ErrorType for Button<'_> {
    type Error = Infallible;
}
impl InputPin for Button<'_> {
    fn is_high(&mut self) -> Result<bool, Infallible> {
        Ok(!self.0.low())
    }
    fn is_low(&mut self) -> Result<bool, Infallible> {
        Ok(self.0.low())
    }
}
impl Wait for Button<'_> {
    async fn wait_for_high(&mut self) -> Result<(), Infallible> {
        poll_fn(|_| if self.0.low() { Poll::Pending } else { Poll::Ready(Ok(())) }).await
    }
    async fn wait_for_low(&mut self) -> Result<(), Infallible> {
        poll_fn(|_| if self.0.low() { Poll::Ready(Ok(())) } else { Poll::Pending }).await
    }
    async fn wait_for_rising_edge(&mut self) -> Result<(), Infallible> {
        unimplemented!("not used by ButtonAndSensor")
    }
    async fn wait_for_falling_edge(&mut self) -> Result<(), Infallible> {
        unimplemented!("not used by ButtonAndSensor")
    }
    async fn wait_for_any_edge(&mut self) -> Result<(), Infallible> {
        unimplemented!("not used by ButtonAndSensor")
    }
}

struct Delay<'w>(&'w World);
impl DelayNs for Delay<'_> {
    async fn delay_ns(&mut self, ns: u32) {
        let until = self.0.now.get() + ns.div_ceil(1_000_000) as u64;
        poll_fn(|_| if self.0.now.get() >= until { Poll::Ready(()) } else { Poll::Pending }).await
    }
}

/// Polls `future` to completion, one virtual millisecond per poll.
fn run<F: Future>(world: &World, future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
        world.now.set(world.now.get() + 1);
        assert!(world.now.get() < 20_000, "no event for too long");
    }
}

#[test]
fn presses_long_presses_glitches_and_sensor_moves() {
    let world = World {
        now: Cell::new(0),
        // A 120 ms press, a 900 ms hold, a 5 ms glitch, another press.
        held: vec![(100, 220), (1000, 1900), (2500, 2505), (4000, 4100)],
    };
    let sensor = |t: u64| match t {
        0..3000 => 1000 + (t % 7) as u16 * 5, // noise of 30 counts
        3000..4500 => 2000,
        4500..4800 => 2030, // a change below the threshold
        _ => 3000,
    };
    let mut input = ButtonAndSensor::new(Button(&world), Delay(&world), || Some(sensor(world.now.get())));
    let mut events = Vec::new();
    for _ in 0..5 {
        let e = run(&world, input.next_event()).unwrap();
        events.push((e, world.now.get()));
        assert!(world.now.get() < 10_000, "no event: {events:?}");
    }
    let kinds: Vec<Event> = events.iter().map(|&(e, _)| e).collect();
    assert_eq!(kinds, [Event::Press, Event::LongPress, Event::Sensor(2000), Event::Press, Event::Sensor(3000)], "{events:?}");
    // The press is reported at release, the long press once released too,
    // the sensor change within one 50 ms period.
    assert!((220..260).contains(&events[0].1), "{events:?}");
    assert!((1900..1950).contains(&events[1].1), "{events:?}");
    assert!((3000..3060).contains(&events[2].1), "{events:?}");
}

#[test]
fn lines_typed_on_a_serial_line_become_prompts_between_presses() {
    let world = World { now: Cell::new(0), held: vec![(100, 220), (2000, 2100)] };
    // Bytes arrive at given times, a few at a time, as from a terminal:
    // a line, a line with a bad byte split over reads, a CRLF line.
    let arrivals: Vec<(u64, &[u8])> = vec![(500, b"thick "), (560, b"seven\r\nwide "), (900, b"\xffzero\r"), (950, b"\n"), (3000, b"x\n")];
    let next = Cell::new(0usize);
    let read = |buf: &mut [u8]| {
        let k = next.get();
        match arrivals.get(k) {
            Some(&(at, bytes)) if world.now.get() >= at => {
                next.set(k + 1);
                buf[..bytes.len()].copy_from_slice(bytes);
                bytes.len()
            }
            _ => 0,
        }
    };
    let button = ButtonAndSensor::new(Button(&world), Delay(&world), || None);
    let mut input = WithSerialLine::new(button, Delay(&world), read);
    let mut seen = Vec::new();
    for _ in 0..5 {
        let e = run(&world, input.next_event()).unwrap();
        let prompt = if e == Event::Prompt { input.read_prompt().map(|p| p.as_str().to_string()) } else { None };
        seen.push((e, prompt));
    }
    let prompt = |s: &str| (Event::Prompt, Some(s.to_string()));
    assert_eq!(seen, [(Event::Press, None), prompt("thick seven"), prompt("wide zero"), (Event::Press, None), prompt("x")]);
    assert_eq!(input.read_prompt(), None, "each prompt is read once");
}
