//! The clock of the examples that time the notes' asyncio programs: Python's `time.time()`,
//! `time.sleep(s)` and `asyncio.run(main())`, with the notes' seconds scaled down.
//!
//! One second of a note lasts [`NOTE_SECOND`] (10 ms) here, so the programs keep their
//! ratios (sync delivery about 10 s, async about 4 s) and finish in a blink; times are
//! given and printed in the note's seconds.
//!
//! By default the clock is real: [`sleep`] blocks the thread and [`run`] runs the coroutine
//! with `asyncio::run`, on a loop that sleeps until its next timer. With `--virtual-clock`
//! on the command line ([`init`]), time is virtual: [`sleep`] moves it forward, and [`run`]
//! uses a loop made by `EventLoop::with_virtual_clock`, which jumps to its next timer instead
//! of waiting. Every wait then lasts exactly what it asks for and the printed times are
//! exact (`4.00`), which is what the trace tests compare; the order of events is the same on
//! both clocks.
//!
//! Shared by several examples through `#[path = "support/note_clock.rs"] mod note_clock;`;
//! not an example itself (cargo only builds `examples/*.rs` and `examples/*/main.rs`).
#![allow(dead_code)] // each example uses only some of the functions

use std::cell::Cell;
use std::time::{Duration, Instant};

use cogen::Generator;
use cogen::asyncio::{self, AsyncError, EventLoop, Resume, Suspend};

/// How long one second of a note lasts here.
pub const NOTE_SECOND: Duration = Duration::from_millis(10);

/// The command-line flag that selects the virtual clock.
pub const VIRTUAL_CLOCK_FLAG: &str = "--virtual-clock";

enum Clock {
    Real(Instant),
    /// The virtual time spent outside the loops [`run`] made; a running loop adds its own.
    Virtual(Cell<Duration>),
}

std::thread_local! {
    static CLOCK: Clock = if std::env::args().skip(1).any(|arg| arg == VIRTUAL_CLOCK_FLAG) {
        Clock::Virtual(Cell::new(Duration::ZERO))
    } else {
        Clock::Real(Instant::now())
    };
}

/// Read the command line (`--virtual-clock` or nothing) and start the clock; on any other
/// argument, print a usage line and exit with status 2.
pub fn init() {
    if let Some(arg) = std::env::args()
        .skip(1)
        .find(|arg| arg != VIRTUAL_CLOCK_FLAG)
    {
        eprintln!(
            "usage: {} [{VIRTUAL_CLOCK_FLAG}] (unknown argument {arg:?})",
            program()
        );
        std::process::exit(2);
    }
    CLOCK.with(|_| ());
}

fn program() -> String {
    std::env::args()
        .next()
        .and_then(|path| {
            std::path::Path::new(&path)
                .file_stem()
                .map(|stem| stem.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "example".to_owned())
}

/// `secs` seconds of a note, scaled: what to pass to `asyncio::sleep`.
pub fn seconds(secs: f64) -> Duration {
    NOTE_SECOND.mul_f64(secs)
}

/// Python's `time.time()`: the time in the note's seconds (since the program started, not
/// since 1970: only differences are printed). Inside a coroutine run by [`run`] on the
/// virtual clock, it includes the running loop's virtual time.
pub fn time() -> f64 {
    let now = CLOCK.with(|clock| match clock {
        Clock::Real(start) => start.elapsed(),
        Clock::Virtual(outside) => {
            outside.get() + asyncio::get_running_loop().map_or(Duration::ZERO, |lp| lp.time())
        }
    });
    now.as_secs_f64() / NOTE_SECOND.as_secs_f64()
}

/// Python's `time.sleep(secs)`: block the thread (or move the virtual clock) for `secs`
/// seconds of the note.
pub fn sleep(secs: f64) {
    let delay = seconds(secs);
    CLOCK.with(|clock| match clock {
        Clock::Real(_) => std::thread::sleep(delay),
        Clock::Virtual(outside) => outside.set(outside.get() + delay),
    });
}

/// Python's `asyncio.run(main())`: run the coroutine on a new loop, real or virtual.
pub fn run<G, T, E>(main: G) -> Result<T, E>
where
    G: Generator<Resume, Yield = Suspend, Return = Result<T, E>> + 'static,
    T: Clone + 'static,
    E: AsyncError + Clone + 'static,
{
    let virtual_clock = CLOCK.with(|clock| matches!(clock, Clock::Virtual(_)));
    if !virtual_clock {
        return asyncio::run(main);
    }
    let event_loop = EventLoop::with_virtual_clock();
    let result = event_loop.run_until_complete(main);
    CLOCK.with(|clock| {
        if let Clock::Virtual(outside) = clock {
            outside.set(outside.get() + event_loop.time());
        }
    });
    result
}
