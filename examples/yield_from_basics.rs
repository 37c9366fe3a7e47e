//! `yield from` on iterables and generators:
//!
//! * note 002 (`002_9b6ee2d239c5b881.txt`), "`yield from`": a `for` loop that yields each
//!   element of `[1, 2, 3]`; the same with `yield from x` followed by `print("Hello!")`; and
//!   `three_generator`, which delegates to the generator `number_generator(3)`;
//! * note 003 (`003_2d96de8d44fecc2b.txt`), "코루틴3": `generator1` (two `for` loops over
//!   `'AB'` and `range(1, 4)`) and `generator2` (`yield from 'AB'; yield from range(1, 4)`),
//!   both A B 1 2 3, driven with `next` until `StopIteration` and with `list(...)`; then
//!   `generator2` with `except GeneratorExit: print("Closing coroutine!")`, closed after one
//!   `next`.
//!
//! `yield_from!` takes any `IntoIterator` of the yield type (a `Vec`, a `Range`, `chars()`)
//! or another generator. Python's generators may yield a `str` then an `int`; in Rust the
//! yield type is one enum, [`Item`], whose `Debug` prints like Python's `repr`.
//!
//! Python's `except GeneratorExit` runs only when the generator is closed early. In Rust,
//! closing (or dropping) a suspended generator drops its live locals, so the handler is a
//! drop guard; the guard is defused (`mem::forget`) when the body runs to its end, so that,
//! as in Python, a generator that finishes normally prints nothing (last section).
//!
//! Each snippet's output is preceded by a `--` header line. Run it with
//! `cargo run --example yield_from_basics`. Output:
//!
//! ```text
//! -- for i in x: yield i --
//! 1
//! 2
//! 3
//! -- yield from x --
//! 1
//! 2
//! 3
//! Hello!
//! -- yield from number_generator(3) --
//! 0
//! 1
//! 2
//! -- generator1: next(t1) x6 --
//! A
//! B
//! 1
//! 2
//! 3
//! StopIteration
//! -- list(generator1()) --
//! ['A', 'B', 1, 2, 3]
//! -- generator2: next(t3) x6 --
//! A
//! B
//! 1
//! 2
//! 3
//! StopIteration
//! -- generator2: next(coro); coro.close() --
//! Closing coroutine!
//! -- generator2 run to the end: no message --
//! ['A', 'B', 1, 2, 3]
//! ```

use std::fmt;
use std::pin::pin;

use cogen::{Generator, generator, yield_, yield_from};

/// What `generator1`/`generator2` yield: a one-character string or an int.
#[derive(Clone, Copy, PartialEq)]
enum Item {
    Char(char),
    Int(i32),
}

/// Like Python's `print(x)`.
impl fmt::Display for Item {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Item::Char(c) => write!(f, "{c}"),
            Item::Int(i) => write!(f, "{i}"),
        }
    }
}

/// Like Python's `repr(x)`, as `print(list(...))` shows it.
impl fmt::Debug for Item {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Item::Char(c) => write!(f, "'{c}'"),
            Item::Int(i) => write!(f, "{i}"),
        }
    }
}

/// `x = [1, 2, 3]; for i in x: yield i`
#[generator(yield = i32)]
fn number_generator_loop() {
    let x = vec![1, 2, 3];
    for i in x {
        yield_!(i);
    }
}

/// `x = [1, 2, 3]; yield from x; print("Hello!")`
#[generator(yield = i32)]
fn number_generator_yield_from() {
    let x = vec![1, 2, 3];
    yield_from!(x);
    println!("Hello!");
}

/// `def number_generator(end)`: 0 .. end - 1.
#[generator(yield = i32)]
fn number_generator(end: i32) {
    let mut n = 0;
    while n < end {
        yield_!(n);
        n += 1;
    }
}

/// `def three_generator(): yield from number_generator(3)`
#[generator(yield = i32)]
fn three_generator() {
    yield_from!(number_generator(3));
}

/// `generator1`: two explicit loops.
#[generator(yield = Item)]
fn generator1() {
    for x in "AB".chars() {
        yield_!(Item::Char(x));
    }
    for y in 1..4 {
        yield_!(Item::Int(y));
    }
}

/// `generator2`: the same with `yield from`.
#[generator(yield = Item)]
fn generator2() {
    yield_from!("AB".chars().map(Item::Char));
    yield_from!((1..4).map(Item::Int));
}

/// Python's `except GeneratorExit: print("Closing coroutine!")`: runs when the generator
/// is closed or dropped while suspended.
struct OnClose;

impl Drop for OnClose {
    fn drop(&mut self) {
        println!("Closing coroutine!");
    }
}

/// `generator2` wrapped in `try: ... except GeneratorExit: print("Closing coroutine!")`.
#[generator(yield = Item)]
fn generator2_closing() {
    let on_close = OnClose;
    yield_from!("AB".chars().map(Item::Char));
    yield_from!((1..4).map(Item::Int));
    // Finished normally: no GeneratorExit, so no message.
    std::mem::forget(on_close);
}

/// Call `next` six times on a pinned generator, printing `StopIteration` once it is done.
fn next_six_times<G: Generator<Yield = Item>>(generator: std::pin::Pin<&mut G>) {
    let mut it = generator.iter();
    for _ in 0..6 {
        match it.next() {
            Some(item) => println!("{item}"),
            None => println!("StopIteration"),
        }
    }
}

fn main() {
    println!("-- for i in x: yield i --");
    for i in number_generator_loop() {
        println!("{i}");
    }

    println!("-- yield from x --");
    for i in number_generator_yield_from() {
        println!("{i}");
    }

    println!("-- yield from number_generator(3) --");
    for i in three_generator() {
        println!("{i}");
    }

    println!("-- generator1: next(t1) x6 --");
    next_six_times(pin!(generator1()));

    println!("-- list(generator1()) --");
    println!("{:?}", generator1().into_iter().collect::<Vec<_>>());

    println!("-- generator2: next(t3) x6 --");
    next_six_times(pin!(generator2()));

    println!("-- generator2: next(coro); coro.close() --");
    let mut coro = pin!(generator2_closing());
    let _ = coro.as_mut().start();
    coro.as_mut().close();

    println!("-- generator2 run to the end: no message --");
    println!("{:?}", generator2_closing().into_iter().collect::<Vec<_>>());
}
