//! Note 002 (`002_9b6ee2d239c5b881.txt`), "코루틴 사용 예시": `taxi_sim.py`, the taxi fleet
//! discrete-event simulation (from Fluent Python). Each taxi is a coroutine,
//! `taxi_process`, that yields an `Event` at every change of state and is sent the time of
//! its next event; the `Simulator` keeps the pending events in a priority queue, always
//! takes the earliest, prints it, and sends the taxi that made it the time of its next
//! event, until the end time or until no events are left.
//!
//! Run it with `cargo run --example taxi_sim -- [-e END_TIME] [-t TAXIS] [-s SEED]`
//! (defaults: end time 180, 3 taxis, an unseeded run), e.g.
//! `cargo run --example taxi_sim -- -s 3`. The command line is read with `lexopt` and
//! answers as the Python program's `argparse` parser does (CPython 3.11): the same `-h`
//! text, and the same usage line and error message, with exit status 2, for a bad argument.
//!
//! Each taxi is a `#[generator(yield = Event, send = u64)]` fn, pinned in a `Box` and kept
//! in a `BTreeMap` (Python's dict, iterated sorted); the queue is a `BinaryHeap` of
//! `Reverse<Event>`, ordered as Python orders the `Event` tuples (time, then taxi, then
//! action). A taxi going home completes its generator (Python's `StopIteration`) and is
//! removed.
//!
//! The trip durations are `int(random.expovariate(1 / interval)) + 1`, drawn with
//! `support/py_random.rs`, CPython's `random.seed(int)`, `random.random()` and
//! `expovariate` on the reference Mersenne Twister (`rand_mt`): with the same `-s SEED` this twin prints exactly the
//! trace `taxi_sim.py` prints (e.g. `-s 3` ends with taxi 1 going home at time 110, then
//! `*** end of event ***`). Without `-s`, Python seeds from the OS and this twin from the
//! clock, so unseeded runs differ, but their shape is the same. The one deliberate change:
//! the note's "event pendding" is spelled "events pending".

#[path = "support/py_random.rs"]
mod py_random;

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};
use std::ffi::{OsStr, OsString};
use std::fmt;
use std::path::Path;
use std::pin::Pin;
use std::process;
use std::time::{SystemTime, UNIX_EPOCH};

use cogen::{Generator, GeneratorState, generator, yield_};
use py_random::PyRandom;

const DEFAULT_NUMBER_OF_TAXIS: i64 = 3;
const DEFAULT_END_TIME: i64 = 180;
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
    fn run(&mut self, end_time: i64) {
        // Prime each taxi's coroutine and queue its first event (leave garage).
        for proc in self.procs.values_mut() {
            match proc.as_mut().start() {
                GeneratorState::Yielded(first_event) => self.events.push(Reverse(first_event)),
                GeneratorState::Complete(()) => unreachable!("a taxi yields at least once"),
            }
        }

        // The main loop of the simulation.
        let mut sim_time = 0;
        while i64::try_from(sim_time).is_ok_and(|sim_time| sim_time < end_time) {
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
fn simulate(end_time: i64, num_taxis: i64, seed: Option<PyInt>) {
    let rng = match seed {
        // random.seed(n) seeds with abs(n).
        Some(seed) => PyRandom::from_magnitude(&seed.magnitude),
        None => {
            // Python seeds from the OS when no seed is given; the clock will do here.
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default();
            PyRandom::new(now.as_nanos() as u64)
        }
    };
    // {i: taxi_process(i, (i + 1) * 2, i * DEPARTURE_INTERVAL) for i in range(num_taxis)}
    let num_taxis = usize::try_from(num_taxis).unwrap_or(0);
    let taxis: BTreeMap<_, _> = (0..num_taxis)
        .map(|i| {
            let start_time = i as u64 * DEPARTURE_INTERVAL;
            (i, Box::pin(taxi_process(i, (i + 1) * 2, start_time)))
        })
        .collect();
    Simulator::new(taxis, rng).run(end_time);
}

// The command line: `taxi_sim.py`'s parser,
//
//     parser = argparse.ArgumentParser(description='Taxi fleet simulator.')
//     parser.add_argument('-e', '--end-time', type=int, default=DEFAULT_END_TIME,
//                         help='simulation end time; default=%s' % DEFAULT_END_TIME)
//     parser.add_argument('-t', '--taxis', type=int, default=DEFAULT_NUMBER_OF_TAXIS,
//                         help='number of taxis running; default = %s' % DEFAULT_NUMBER_OF_TAXIS)
//     parser.add_argument('-s', '--seed', type=int, default=None,
//                         help='random generator seed (for testing)')
//
// read with `lexopt`, and answering as CPython 3.11's argparse does: the same help on
// standard output, the same usage line and error on standard error with exit status 2, the
// same arguments accepted (`-e 5`, `-e5`, `-e=5`, `--end-time 5`, `--end-time=5`, a unique
// prefix such as `--end`, a negative number as a value, `-hs3`-style clusters) and the same
// values (`type=int` is Python's `int()`: surrounding whitespace, a sign, `1_000`, any size).

/// An option of the parser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flag {
    Help,
    EndTime,
    Taxis,
    Seed,
}

impl Flag {
    const ALL: [Flag; 4] = [Flag::Help, Flag::EndTime, Flag::Taxis, Flag::Seed];

    fn short(self) -> char {
        match self {
            Flag::Help => 'h',
            Flag::EndTime => 'e',
            Flag::Taxis => 't',
            Flag::Seed => 's',
        }
    }

    fn long(self) -> &'static str {
        match self {
            Flag::Help => "help",
            Flag::EndTime => "end-time",
            Flag::Taxis => "taxis",
            Flag::Seed => "seed",
        }
    }

    fn from_short(c: char) -> Option<Flag> {
        Flag::ALL.into_iter().find(|flag| flag.short() == c)
    }

    /// `--name`: a long option or, as argparse allows, a prefix of exactly one.
    fn from_long(name: &str) -> Option<Flag> {
        let mut matches = Flag::ALL
            .into_iter()
            .filter(|flag| flag.long().starts_with(name));
        match (matches.next(), matches.next()) {
            (Some(flag), None) => Some(flag),
            // No two long options share a prefix, so only the empty name is ambiguous, as
            // in `--=5`: `parse_args` reports it first, as argparse does.
            _ => None,
        }
    }

    /// The name in error messages: `-e/--end-time`.
    fn display(self) -> String {
        format!("-{}/--{}", self.short(), self.long())
    }
}

/// The parsed options, argparse's `Namespace`.
struct Options {
    end_time: i64,
    taxis: i64,
    seed: Option<PyInt>,
}

/// What the command line asks for.
enum Command {
    Run(Options),
    Help,
}

/// An integer as Python's `int(text)` reads it: a sign and the 32-bit words of the
/// magnitude, least significant first.
struct PyInt {
    negative: bool,
    magnitude: Vec<u32>,
}

impl PyInt {
    /// `int(text)`: decimal digits, single underscores between them, an optional sign, and
    /// whitespace around. (Python also reads non-ASCII decimal digits; this does not.)
    fn parse(text: &str) -> Option<PyInt> {
        let text = text.trim();
        let (negative, digits) = match text.strip_prefix('-') {
            Some(digits) => (true, digits),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        if digits.is_empty()
            || digits.starts_with('_')
            || digits.ends_with('_')
            || digits.contains("__")
        {
            return None;
        }
        let mut magnitude: Vec<u32> = Vec::new();
        for c in digits.chars().filter(|&c| c != '_') {
            // magnitude = magnitude * 10 + digit
            let mut carry = u64::from(c.to_digit(10)?);
            for word in &mut magnitude {
                let wide = u64::from(*word) * 10 + carry;
                *word = wide as u32;
                carry = wide >> 32;
            }
            if carry != 0 {
                magnitude.push(carry as u32);
            }
        }
        Some(PyInt {
            negative,
            magnitude,
        })
    }

    /// The value, saturated to the `i64` range (which no simulation gets near).
    fn saturating_i64(&self) -> i64 {
        let magnitude = match self.magnitude[..] {
            [] => 0,
            [low] => u64::from(low),
            [low, high] => u64::from(high) << 32 | u64::from(low),
            _ => u64::MAX,
        };
        if self.negative {
            0i64.saturating_sub_unsigned(magnitude)
        } else {
            i64::try_from(magnitude).unwrap_or(i64::MAX)
        }
    }
}

/// Python's `repr` of a string, as argparse quotes a rejected value: single quotes, or
/// double quotes when the text has a single quote and no double quote.
fn py_repr(text: &str) -> String {
    let quote = if text.contains('\'') && !text.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut repr = String::from(quote);
    for c in text.chars() {
        match c {
            '\\' => repr.push_str("\\\\"),
            '\t' => repr.push_str("\\t"),
            '\n' => repr.push_str("\\n"),
            '\r' => repr.push_str("\\r"),
            c if c == quote => {
                repr.push('\\');
                repr.push(c);
            }
            c if c.is_control() => repr.push_str(&format!("\\x{:02x}", u32::from(c))),
            c => repr.push(c),
        }
    }
    repr.push(quote);
    repr
}

/// Whether argparse takes `arg` for an option (and so not for the value of the option
/// before it): it starts with `-`, and is not `-` alone, nor a negative number, nor (unless
/// it starts with a known option) has a space in it.
fn looks_like_option(arg: &str) -> bool {
    if !arg.starts_with('-') || arg == "-" {
        return false;
    }
    let name = arg.split_once('=').map_or(arg, |(name, _)| name);
    let known = match name.strip_prefix("--") {
        Some(long) => Flag::from_long(long).is_some(),
        None => arg[1..].chars().next().and_then(Flag::from_short).is_some(),
    };
    if known {
        return true;
    }
    let number = &arg[1..];
    let is_negative_number = match number.split_once('.') {
        None => number.bytes().all(|b| b.is_ascii_digit()),
        Some((int, frac)) => {
            int.bytes().all(|b| b.is_ascii_digit())
                && !frac.is_empty()
                && frac.bytes().all(|b| b.is_ascii_digit())
        }
    };
    !is_negative_number && !arg.contains(' ')
}

fn lossy(arg: OsString) -> String {
    arg.to_string_lossy().into_owned()
}

/// Parse the command line; `Err` is the message of argparse's `error: ...` line.
fn parse_args(parser: &mut lexopt::Parser) -> Result<Command, String> {
    let mut options = Options {
        end_time: DEFAULT_END_TIME,
        taxis: DEFAULT_NUMBER_OF_TAXIS,
        seed: None,
    };
    // argparse collects what it does not recognize and reports it all after the rest.
    let mut unrecognized: Vec<String> = Vec::new();
    // A `-h` seen in the current argument, and whether it began the argument: argparse acts
    // on it (prints the help and exits) once the whole argument is read, as in `-hs3`.
    let mut help: Option<bool> = None;
    // argparse drops the `=` of `-e=5`, but not of `-he=5` (a value of `=5`).
    parser.set_short_equals(false);
    // argparse sorts every argument into options and values before it reads any, and stops
    // at an ambiguous prefix of long options: here only the empty one, `--=...`.
    if let Some(raw) = parser.try_raw_args() {
        let args = raw.as_slice().iter().map(|arg| arg.to_string_lossy());
        for arg in args.take_while(|arg| arg != "--") {
            if arg.starts_with("--=") {
                let all: Vec<String> = Flag::ALL
                    .iter()
                    .map(|f| format!("--{}", f.long()))
                    .collect();
                return Err(format!(
                    "ambiguous option: {arg} could match {}",
                    all.join(", ")
                ));
            }
        }
    }
    loop {
        // At the start of an argument (not inside a cluster such as `-hs3`)?
        let at_start = match parser.try_raw_args() {
            Some(raw) => {
                if help.is_some() {
                    return Ok(Command::Help);
                }
                // With no positional arguments, Python 3.11's argparse reports `--` and
                // all that follows it as unrecognized.
                if raw.peek() == Some(OsStr::new("--")) {
                    unrecognized.extend(raw.map(lossy));
                    break;
                }
                true
            }
            None => false,
        };
        let Some(arg) = parser.next().map_err(|e| e.to_string())? else {
            break;
        };
        match arg {
            lexopt::Arg::Short(c) => match Flag::from_short(c) {
                Some(Flag::Help) => help = Some(at_start),
                Some(flag) => {
                    let value = match parser.optional_value() {
                        Some(value) => {
                            let value = lossy(value);
                            match value.strip_prefix('=') {
                                Some(stripped) if at_start => stripped.to_owned(),
                                _ => value,
                            }
                        }
                        None => next_value(parser, flag)?,
                    };
                    // After a `-h` in the same argument (`-hs3`), argparse prints the help
                    // before it converts the value.
                    if help.is_none() {
                        set(&mut options, flag, &value)?;
                    }
                }
                None => {
                    let rest = parser.optional_value().map(lossy).unwrap_or_default();
                    match help {
                        // `-hx`: argparse reads the `x` as a value given to `-h`.
                        Some(began_argument) => {
                            let value = format!("{c}{rest}");
                            let value = match value.strip_prefix('=') {
                                Some(stripped) if began_argument => stripped,
                                _ => &value,
                            };
                            return Err(format!(
                                "argument {}: ignored explicit argument {}",
                                Flag::Help.display(),
                                py_repr(value)
                            ));
                        }
                        None => unrecognized.push(format!("-{c}{rest}")),
                    }
                }
            },
            lexopt::Arg::Long(name) => {
                let name = name.to_owned();
                match Flag::from_long(&name) {
                    Some(Flag::Help) => match parser.optional_value() {
                        Some(value) => {
                            return Err(format!(
                                "argument {}: ignored explicit argument {}",
                                Flag::Help.display(),
                                py_repr(&lossy(value))
                            ));
                        }
                        None => return Ok(Command::Help),
                    },
                    Some(flag) => {
                        let value = match parser.optional_value() {
                            Some(value) => lossy(value),
                            None => next_value(parser, flag)?,
                        };
                        set(&mut options, flag, &value)?;
                    }
                    None => unrecognized.push(match parser.optional_value() {
                        Some(value) => format!("--{name}={}", lossy(value)),
                        None => format!("--{name}"),
                    }),
                }
            }
            lexopt::Arg::Value(value) => unrecognized.push(lossy(value)),
        }
    }
    if help.is_some() {
        return Ok(Command::Help);
    }
    if !unrecognized.is_empty() {
        return Err(format!(
            "unrecognized arguments: {}",
            unrecognized.join(" ")
        ));
    }
    Ok(Command::Run(options))
}

/// The value of `flag` given as the next argument, which must not look like an option.
fn next_value(parser: &mut lexopt::Parser, flag: Flag) -> Result<String, String> {
    parser
        .try_raw_args()
        .and_then(|mut raw| raw.next_if(|arg| !looks_like_option(&arg.to_string_lossy())))
        .map(lossy)
        .ok_or_else(|| format!("argument {}: expected one argument", flag.display()))
}

/// `type=int`: store the value of `flag`, or say why it is not an int.
fn set(options: &mut Options, flag: Flag, value: &str) -> Result<(), String> {
    let int = PyInt::parse(value).ok_or_else(|| {
        format!(
            "argument {}: invalid int value: {}",
            flag.display(),
            py_repr(value)
        )
    })?;
    match flag {
        Flag::EndTime => options.end_time = int.saturating_i64(),
        Flag::Taxis => options.taxis = int.saturating_i64(),
        Flag::Seed => options.seed = Some(int),
        Flag::Help => unreachable!("-h takes no value"),
    }
    Ok(())
}

/// argparse's `format_usage()`.
fn usage(prog: &str) -> String {
    format!("usage: {prog} [-h] [-e END_TIME] [-t TAXIS] [-s SEED]\n")
}

/// argparse's `format_help()` (as Python 3.11 lays it out, 80 columns).
fn help(prog: &str) -> String {
    format!(
        "{usage}\n\
         Taxi fleet simulator.\n\
         \n\
         options:\n  \
         -h, --help            show this help message and exit\n  \
         -e END_TIME, --end-time END_TIME\n                        \
         simulation end time; default={DEFAULT_END_TIME}\n  \
         -t TAXIS, --taxis TAXIS\n                        \
         number of taxis running; default = {DEFAULT_NUMBER_OF_TAXIS}\n  \
         -s SEED, --seed SEED  random generator seed (for testing)\n",
        usage = usage(prog)
    )
}

fn main() {
    let mut parser = lexopt::Parser::from_env();
    // argparse's `prog`: the file name the program was run as.
    let prog = parser
        .bin_name()
        .and_then(|name| Path::new(name).file_name())
        .map_or_else(|| "taxi_sim".into(), |name| name.to_string_lossy());
    let prog = prog.into_owned();
    match parse_args(&mut parser) {
        Ok(Command::Run(options)) => simulate(options.end_time, options.taxis, options.seed),
        Ok(Command::Help) => print!("{}", help(&prog)),
        Err(message) => {
            eprintln!("{}{prog}: error: {message}", usage(&prog));
            process::exit(2);
        }
    }
}
