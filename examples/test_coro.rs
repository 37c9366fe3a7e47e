//! Note 002 (`002_9b6ee2d239c5b881.txt`), "기동(primming)": the `@coroutine` decorator that
//! primes a coroutine when it is made (`gen = func(); next(gen); return gen`), applied to
//! `test_coro`, which counts `cnt` from -10 and prints each value sent in; the main routine
//! sends 0..9 and prints what each send yields.
//!
//! The decorator is the generic fn [`primed`]: it boxes and pins any generator and starts
//! it, so the caller can `resume` (send) right away. On the tenth send `cnt` reaches 0 and
//! the coroutine returns: in Python `co.send(9)` then raises `StopIteration` (the note's
//! program ends with that traceback); here `resume` returns `GeneratorState::Complete`, and
//! the twin prints `StopIteration` in its place.
//!
//! Run it with `cargo run --example test_coro`. Output: 0, -9, 1, -8, ..., 8, -1, 9, one per
//! line, then `StopIteration`.

use std::pin::Pin;

use cogen::{Generator, GeneratorState, generator, yield_};

/// The `@coroutine` decorator: make, pin and prime a generator (the value of its first
/// yield is dropped, as `next(gen)` in the decorator drops it).
fn primed<S, G: Generator<S>>(generator: G) -> Pin<Box<G>> {
    let mut generator = Box::pin(generator);
    let _ = generator.as_mut().start();
    generator
}

/// `def test_coro(): cnt = -10; while cnt < 0: x = yield cnt; cnt += 1; print(x)`
#[generator(yield = i32, send = i32)]
fn test_coro() {
    let mut cnt = -10;
    while cnt < 0 {
        let x = yield_!(cnt);
        cnt += 1;
        println!("{x}");
    }
}

fn main() {
    let mut coro = primed(test_coro());
    for i in 0..10 {
        match coro.as_mut().resume(i) {
            GeneratorState::Yielded(cnt) => println!("{cnt}"), // print(coro.send(i))
            GeneratorState::Complete(()) => {
                println!("StopIteration");
                break;
            }
        }
    }
}
