//! Note 002 (`002_9b6ee2d239c5b881.txt`), "`yield from`의 pseudo code": what
//! `RESULT = yield from EXPR` does, spelled out (the note's simplified PEP 380 expansion:
//! prime the subgenerator with `next`, then pass each yielded value out and each sent value
//! in, until its `StopIteration` carries the result), run side by side with `yield_from!`.
//!
//! The note's pseudo-code is not a runnable program; its twin is this Python program, whose
//! output this example prints:
//!
//! ```python
//! def by_hand(EXPR):               # RESULT = yield from EXPR, simplified PEP 380
//!     _i = iter(EXPR)
//!     try:
//!         _y = next(_i)
//!     except StopIteration as _e:
//!         _r = _e.value
//!     else:
//!         while 1:
//!             _s = yield _y
//!             try:
//!                 _y = _i.send(_s) if _s is not None else next(_i)
//!             except StopIteration as _e:
//!                 _r = _e.value
//!                 break
//!     return _r
//!
//! def accumulate():                # sums what is sent in; None returns the total
//!     total = 0
//!     try:
//!         while True:
//!             x = yield total
//!             if x is None:
//!                 return total
//!             total += x
//!     finally:
//!         print('accumulate: finally')
//!
//! def delegate_by_hand():          # and `delegate`, the same with `yield from accumulate()`
//!     try:
//!         result = yield from by_hand(accumulate())
//!         print('delegator got', result)
//!     finally:
//!         print('delegator: finally')
//! ```
//!
//! driven by `list(by_hand("QWE"))`, then for each delegator: `next`, `send` 1, 2, 3, `None`;
//! and `next`, `send(1)`, `close()`. Python's `finally` is a drop guard here; closing the
//! delegator closes the subgenerator first, then the delegator's own locals, as PEP 380's
//! full expansion (the note's second listing) does. Each run is preceded by a `--` header.
//!
//! Run it with `cargo run --example yield_from_expansion`. Output:
//!
//! ```text
//! -- RESULT = yield from "QWE", by hand --
//! ['Q', 'W', 'E']
//! -- send 1, 2, 3, None (by hand) --
//! 0
//! 1
//! 3
//! 6
//! accumulate: finally
//! delegator got 6
//! delegator: finally
//! StopIteration
//! -- send 1, then close (by hand) --
//! 0
//! 1
//! accumulate: finally
//! delegator: finally
//! ```
//!
//! and the same two runs again for `yield from`.

use std::pin::pin;

use cogen::{Generator, GeneratorState, generator, yield_, yield_from};

/// `by_hand` for an iterable (a generator that is never sent anything): `for` is `iter`,
/// then `next` until `StopIteration`.
#[generator(yield = I::Item)]
fn by_hand_iter<I: IntoIterator>(expr: I) {
    for y in expr {
        yield_!(y);
    }
}

/// `by_hand` for a generator: prime it, then relay values out and sends in until it
/// completes; its return value is the result.
#[generator(yield = G::Yield, send = S)]
fn by_hand<S, G: Generator<S>>(expr: G) -> G::Return {
    let mut i = pin!(expr);
    match i.as_mut().start() {
        GeneratorState::Complete(r) => r,
        GeneratorState::Yielded(mut y) => loop {
            let s = yield_!(y);
            match i.as_mut().resume(s) {
                GeneratorState::Yielded(next) => y = next,
                GeneratorState::Complete(r) => break r,
            }
        },
    }
}

/// Python's `finally: print(f'{name}: finally')`.
struct Finally(&'static str);

impl Drop for Finally {
    fn drop(&mut self) {
        println!("{}: finally", self.0);
    }
}

#[generator(yield = i64, send = Option<i64>)]
fn accumulate() -> i64 {
    let _finally = Finally("accumulate");
    let mut total = 0;
    loop {
        let Some(x) = yield_!(total) else {
            return total;
        };
        total += x;
    }
}

/// `result = yield from by_hand(accumulate())`
#[generator(yield = i64, send = Option<i64>)]
fn delegate_by_hand() {
    let _finally = Finally("delegator");
    let result = yield_from!(by_hand(accumulate()));
    println!("delegator got {result}");
}

/// `result = yield from accumulate()`
#[generator(yield = i64, send = Option<i64>)]
fn delegate() {
    let _finally = Finally("delegator");
    let result = yield_from!(accumulate());
    println!("delegator got {result}");
}

/// Print a step's yielded value, or `StopIteration` when the delegator finishes.
fn print_step(step: GeneratorState<i64, ()>) {
    match step {
        GeneratorState::Yielded(value) => println!("{value}"),
        GeneratorState::Complete(()) => println!("StopIteration"),
    }
}

/// The two runs of one delegator.
fn drive<G: Generator<Option<i64>, Yield = i64, Return = ()>>(name: &str, make: fn() -> G) {
    println!("-- send 1, 2, 3, None ({name}) --");
    let mut co = pin!(make());
    print_step(co.as_mut().start());
    for value in [1, 2, 3] {
        print_step(co.as_mut().resume(Some(value)));
    }
    print_step(co.as_mut().resume(None));

    println!("-- send 1, then close ({name}) --");
    let mut co = pin!(make());
    print_step(co.as_mut().start());
    print_step(co.as_mut().resume(Some(1)));
    co.as_mut().close();
}

fn main() {
    println!("-- RESULT = yield from \"QWE\", by hand --");
    println!(
        "{:?}",
        by_hand_iter("QWE".chars()).into_iter().collect::<Vec<_>>()
    );
    drive("by hand", delegate_by_hand);
    drive("yield from", delegate);
}
