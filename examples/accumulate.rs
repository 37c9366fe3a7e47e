//! Note 002 (`002_9b6ee2d239c5b881.txt`), "`yield from`을 사용하여 코루틴의 반환값
//! 가져오기": `accumulate` sums what is sent in and, when sent `None`, returns the total;
//! `sum_coroutine` loops on `total = yield from accumulate(); print(total)`. The main routine
//! sends 1..10 through `sum_coroutine` straight into `accumulate`, printing each running
//! total (1 3 6 ... 55), then sends `None`: `accumulate` returns 55, `yield from` evaluates
//! to it, and `sum_coroutine` prints 55 and starts a fresh `accumulate`.
//!
//! `yield_from!(accumulate())` is PEP 380's `yield from`: it starts the subgenerator,
//! forwards every value it yields out and every value sent in, and evaluates to its return
//! value. (The note's next program, which ends `accumulate` with
//! `raise StopIteration(total)`, has no separate twin: that is how Python 3.6 and earlier
//! spelled `return total`, and Python 3.7+ turns it into a `RuntimeError`; in Rust the
//! return value is just `return`.)
//!
//! Run it with `cargo run --example accumulate`. Output (`print("\n")` leaves a blank line):
//!
//! ```text
//! 1 3 6 10 15 21 28 36 45 55
//!
//! 55
//! ```

use std::pin::pin;

use cogen::{Generator, generator, yield_, yield_from};

/// ```python
/// def accumulate():
///     total = 0
///     while True:
///         x = (yield total)
///         if x is None:
///             return total
///         total += x
/// ```
#[generator(yield = i64, send = Option<i64>)]
fn accumulate() -> i64 {
    let mut total = 0;
    loop {
        let Some(x) = yield_!(total) else {
            return total;
        };
        total += x;
    }
}

/// `def sum_coroutine(): while True: total = yield from accumulate(); print(total)`
#[generator(yield = i64, send = Option<i64>)]
fn sum_coroutine() {
    loop {
        let total = yield_from!(accumulate());
        println!("{total}");
    }
}

fn main() {
    let mut co = pin!(sum_coroutine());
    let _ = co.as_mut().start(); // next(co)
    for i in 1..=10 {
        // print(co.send(i), end=" ")
        let total = co
            .as_mut()
            .resume(Some(i))
            .yielded()
            .expect("it yields forever");
        print!("{total} ");
    }
    println!("\n"); // print("\n")
    let _ = co.as_mut().resume(None); // co.send(None): sum_coroutine prints 55
}
