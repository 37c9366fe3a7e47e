//! Note 002 (`002_9b6ee2d239c5b881.txt`), "코루틴 사용 예시": `taxi_sim.py`, the taxi fleet
//! discrete-event simulation (from Fluent Python). Each taxi is a coroutine,
//! `taxi_process`, that yields an `Event` at every change of state and is sent the time of
//! its next event; the `Simulator` keeps the pending events in a priority queue, always
//! takes the earliest, prints it, and sends the taxi that made it the time of its next
//! event, until the end time or until no events are left.
//!
//! Run it with `cargo run --example taxi_sim -- [-e END_TIME] [-t TAXIS] [-s SEED]`
//! (defaults: end time 180, 3 taxis, an unseeded run), e.g.
//! `cargo run --example taxi_sim -- -s 3`.
//!
//! Each taxi is a `#[generator(yield = Event, send = u64)]` fn, pinned in a `Box` and kept
//! in a `BTreeMap` (Python's dict, iterated sorted); the queue is a `BinaryHeap` of
//! `Reverse<Event>`, ordered as Python orders the `Event` tuples (time, then taxi, then
//! action). A taxi going home completes its generator (Python's `StopIteration`) and is
//! removed.
//!
//! The trip durations are `int(random.expovariate(1 / interval)) + 1`, drawn with
//! `support/py_random.rs`, a port of CPython's Mersenne Twister, `random.seed(int)`,
//! `random.random()` and `expovariate`: with the same `-s SEED` this twin prints exactly the
//! trace `taxi_sim.py` prints (e.g. `-s 3` ends with taxi 1 going home at time 110, then
//! `*** end of event ***`). Without `-s`, Python seeds from the OS and this twin from the
//! clock, so unseeded runs differ, but their shape is the same. The one deliberate change:
//! the note's "event pendding" is spelled "events pending".

#[path = "support/py_random.rs"]
mod py_random;

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};
use std::fmt;
use std::pin::Pin;
use std::process;
use std::time::{SystemTime, UNIX_EPOCH};

use cogen::{Generator, GeneratorState, generator, yield_};
use py_random::PyRandom;

const DEFAULT_NUMBER_OF_TAXIS: usize = 3;
const DEFAULT_END_TIME: u64 = 180;
const SEARCH_DURATION: u64 = 5;
const TRIP_DURATION: u64 = 20;
const DEPARTURE_INTERVAL: u64 = 5;

/// What a taxi does. The variants are in the alphabetical order of their Python strings, so
/// that events compare as Python's `Event` tuples do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Action {
    DropOffPassenger,
    GoingHome,
    LeaveGarage,
    PickUpPassenger,
}

impl Action {
    fn as_str(self) -> &'static str {
        match self {
            Action::DropOffPassenger => "drop off passenger",
            Action::GoingHome => "going home",
            Action::LeaveGarage => "leave garage",
            Action::PickUpPassenger => "pick up passenger",
        }
    }
}

/// `Event = collections.namedtuple('Event', 'time proc action')`: the fields are compared
/// in this order, as the tuple's are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Event {
    time: u64,
    proc: usize,
    action: Action,
}

/// The namedtuple's `repr`: `Event(time=0, proc=0, action='leave garage')`.
impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Event(time={}, proc={}, action='{}')",
            self.time,
            self.proc,
            self.action.as_str()
        )
    }
}

/// One taxi: leaves the garage at `start_time`, makes `trips` trips, goes home. At each
/// change of state it yields the event and is sent the time of its next one.
#[generator(yield = Event, send = u64)]
fn taxi_process(ident: usize, trips: usize, start_time: u64) {
    let event = |time, action| Event {
        time,
        proc: ident,
        action,
    };
    let mut time = yield_!(event(start_time, Action::LeaveGarage));
    for _ in 0..trips {
        time = yield_!(event(time, Action::PickUpPassenger));
        time = yield_!(event(time, Action::DropOffPassenger));
    }
    yield_!(event(time, Action::GoingHome));
    // The end of the body completes the generator: Python's StopIteration.
}

/// How long the activity after `previous_action` lasts: exponentially distributed around
/// its mean interval, at least 1. (Python's `ValueError` for an unknown action cannot
/// happen: the match is exhaustive.)
fn compute_duration(previous_action: Action, rng: &mut PyRandom) -> u64 {
    let interval = match previous_action {
        // Cruising for a passenger.
        Action::LeaveGarage | Action::DropOffPassenger => SEARCH_DURATION,
        // With a passenger on board.
        Action::PickUpPassenger => TRIP_DURATION,
        Action::GoingHome => 1,
    };
    rng.expovariate(1.0 / interval as f64) as u64 + 1
}

/// The simulation over taxis of type `G`: any coroutine that yields events and is sent
/// times. The taxis are pinned on the heap so that they can move in and out of the map.
struct Simulator<G> {
    /// The pending events, earliest first.
    events: BinaryHeap<Reverse<Event>>,
    /// The taxis still running, by number. (Python copies the caller's dict so as not to
    /// change it; here the simulator simply takes ownership of the taxis.)
    procs: BTreeMap<usize, Pin<Box<G>>>,
    rng: PyRandom,
}

impl<G: Generator<u64, Yield = Event, Return = ()>> Simulator<G> {
    fn new(procs: BTreeMap<usize, Pin<Box<G>>>, rng: PyRandom) -> Self {
        Simulator {
            events: BinaryHeap::new(),
            procs,
            rng,
        }
    }

    /// Schedule and print events until `end_time`, or until no events are left.
    fn run(&mut self, end_time: u64) {
        // Prime each taxi's coroutine and queue its first event (leave garage).
        for proc in self.procs.values_mut() {
            match proc.as_mut().start() {
                GeneratorState::Yielded(first_event) => self.events.push(Reverse(first_event)),
                GeneratorState::Complete(()) => unreachable!("a taxi yields at least once"),
            }
        }

        // The main loop of the simulation.
        let mut sim_time = 0;
        while sim_time < end_time {
            let Some(Reverse(current_event)) = self.events.pop() else {
                println!("*** end of event ***");
                return;
            };
            sim_time = current_event.time;
            let proc_id = current_event.proc;
            println!(
                "taxi: {} {} {}",
                proc_id,
                " ".repeat(proc_id),
                current_event
            );
            let next_time = sim_time + compute_duration(current_event.action, &mut self.rng);
            let active_proc = self
                .procs
                .get_mut(&proc_id)
                .expect("a queued taxi is running");
            // Send the taxi the time of its next event: it yields that event or goes home.
            match active_proc.as_mut().resume(next_time) {
                GeneratorState::Yielded(next_event) => self.events.push(Reverse(next_event)),
                GeneratorState::Complete(()) => {
                    self.procs.remove(&proc_id);
                }
            }
        }
        // Python's `while ... else`: reached only when the time ran out, not on `return`.
        println!(
            "*** end of simulation time: {} events pending ***",
            self.events.len()
        );
    }
}

/// `main(end_time, num_taxis, seed)`: seed the random numbers, make the taxis, run.
fn simulate(end_time: u64, num_taxis: usize, seed: Option<u64>) {
    let seed = seed.unwrap_or_else(|| {
        // Python seeds from the OS when no seed is given; the clock will do here.
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        now.as_nanos() as u64
    });
    // {i: taxi_process(i, (i + 1) * 2, i * DEPARTURE_INTERVAL) for i in range(num_taxis)}
    let taxis: BTreeMap<_, _> = (0..num_taxis)
        .map(|i| {
            let start_time = i as u64 * DEPARTURE_INTERVAL;
            (i, Box::pin(taxi_process(i, (i + 1) * 2, start_time)))
        })
        .collect();
    Simulator::new(taxis, PyRandom::new(seed)).run(end_time);
}

const USAGE: &str = "usage: taxi_sim [-h] [-e END_TIME] [-t TAXIS] [-s SEED]";

fn help() -> String {
    format!(
        "{USAGE}\n\nTaxi fleet simulator.\n\noptions:\n  \
         -h, --help            show this help message and exit\n  \
         -e, --end-time END_TIME\n                        \
         simulation end time; default={DEFAULT_END_TIME}\n  \
         -t, --taxis TAXIS     number of taxis running; default = {DEFAULT_NUMBER_OF_TAXIS}\n  \
         -s, --seed SEED       random generator seed (for testing)"
    )
}

/// Print an argparse-style error and exit with status 2.
fn usage_error(message: &str) -> ! {
    eprintln!("{USAGE}\ntaxi_sim: error: {message}");
    process::exit(2);
}

/// The options, parsed by hand as argparse would: `-e N`, `-eN`, `--end-time N`,
/// `--end-time=N`, and the same for `-t/--taxis` and `-s/--seed`.
struct Options {
    end_time: u64,
    taxis: usize,
    seed: Option<u64>,
}

fn parse_args(args: impl IntoIterator<Item = String>) -> Options {
    let mut options = Options {
        end_time: DEFAULT_END_TIME,
        taxis: DEFAULT_NUMBER_OF_TAXIS,
        seed: None,
    };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        if arg == "-h" || arg == "--help" {
            println!("{}", help());
            process::exit(0);
        }
        let (name, inline_value) = match arg.split_once('=') {
            Some((name, value)) if name.starts_with("--") => (name.to_owned(), Some(value)),
            _ if arg.len() > 2 && !arg.starts_with("--") && arg.starts_with('-') => {
                (arg[..2].to_owned(), Some(&arg[2..]))
            }
            _ => (arg.clone(), None),
        };
        let (key, flag) = match name.as_str() {
            "-e" | "--end-time" => ('e', "-e/--end-time"),
            "-t" | "--taxis" => ('t', "-t/--taxis"),
            "-s" | "--seed" => ('s', "-s/--seed"),
            _ => usage_error(&format!("unrecognized arguments: {arg}")),
        };
        let value = match inline_value {
            Some(value) => value.to_owned(),
            None => args
                .next()
                .unwrap_or_else(|| usage_error(&format!("argument {flag}: expected one argument"))),
        };
        let invalid =
            || -> ! { usage_error(&format!("argument {flag}: invalid int value: '{value}'")) };
        match key {
            'e' => options.end_time = value.parse().unwrap_or_else(|_| invalid()),
            't' => options.taxis = value.parse().unwrap_or_else(|_| invalid()),
            // random.seed(n) uses abs(n), so a negative seed is accepted too.
            _ => {
                let seed: i64 = value.parse().unwrap_or_else(|_| invalid());
                options.seed = Some(seed.unsigned_abs());
            }
        }
    }
    options
}

fn main() {
    let options = parse_args(std::env::args().skip(1));
    simulate(options.end_time, options.taxis, options.seed);
}
