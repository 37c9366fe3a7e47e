//! Note 002 (`002_9b6ee2d239c5b881.txt`), "제너레이터 / `yield`" and "제너레이터 만들기": the
//! `number_generator` programs: prints interleaved with yields (`Hello!` 0 `Good` 1
//! `Morning!` 2); `next(ng)` past the last yield raising `StopIteration`; a `return` ending
//! the generator early; and `number_generator(end)`, a generator that works like `range`.
//!
//! Calling a `#[generator]` fn runs nothing: the body runs up to the next `yield_!` each
//! time the generator is advanced, so the prints interleave with the loop's. Python's
//! `StopIteration` is `None` from an iterator, or `GeneratorState::Complete` from
//! `start`/`resume`. (The note's `print(dir(...))` has no Rust counterpart: that a generator
//! is an iterator is checked by the compiler.) Each snippet's output is preceded by a `--`
//! header line.
//!
//! Run it with `cargo run --example number_generator`. Output:
//!
//! ```text
//! -- for i in number_generator() --
//! Hello!
//! 0
//! Good
//! 1
//! Morning!
//! 2
//! -- next(ng) x3 --
//! 0
//! 1
//! StopIteration
//! -- yield 0; return --
//! 0
//! StopIteration
//! -- for i in number_generator(3) --
//! 0
//! 1
//! 2
//! ```

use std::pin::pin;

use cogen::{Generator, GeneratorState, generator, yield_};

/// The first `number_generator`: prints between its yields.
#[generator(yield = u32)]
fn number_generator() {
    println!("Hello!");
    yield_!(0);
    println!("Good");
    yield_!(1);
    println!("Morning!");
    yield_!(2);
}

/// `def number_generator(): yield 0; yield 1`
#[generator(yield = u32)]
fn zero_one() {
    yield_!(0);
    yield_!(1);
}

/// `def number_generator(): yield 0; return`
#[generator(yield = u32)]
fn zero_then_return() {
    yield_!(0);
    #[allow(clippy::needless_return)] // mirrors the note's explicit `return`
    return;
}

/// `def number_generator(end)`: 0, 1, ..., end - 1, like `range(end)`.
#[generator(yield = u32)]
fn number_generator_to(end: u32) {
    let mut n = 0;
    while n < end {
        yield_!(n);
        n += 1;
    }
}

/// Print one `next(ng)`: the value, or `StopIteration` when the generator is done.
fn print_step(step: GeneratorState<u32, ()>) {
    match step {
        GeneratorState::Yielded(value) => println!("{value}"),
        GeneratorState::Complete(()) => println!("StopIteration"),
    }
}

fn main() {
    println!("-- for i in number_generator() --");
    for i in number_generator() {
        println!("{i}");
    }

    println!("-- next(ng) x3 --");
    let mut ng = pin!(zero_one());
    let mut it = ng.as_mut().iter(); // an Iterator over the pinned generator, in place
    for _ in 0..3 {
        match it.next() {
            Some(value) => println!("{value}"),
            None => println!("StopIteration"),
        }
    }

    println!("-- yield 0; return --");
    let mut ng = pin!(zero_then_return());
    print_step(ng.as_mut().start()); // the first next() starts the generator
    print_step(ng.as_mut().resume(())); // later ones resume it

    println!("-- for i in number_generator(3) --");
    for i in number_generator_to(3) {
        println!("{i}");
    }
}
