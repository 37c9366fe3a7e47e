//! Note 002 (`002_9b6ee2d239c5b881.txt`), "코루틴의 반환값 가져오기": `averager` averages
//! the numbers sent in (1, 2, 3); sending `None` breaks its loop and it `return`s the
//! average, which Python delivers as `StopIteration.value` (the note prints 2.0).
//!
//! A generator's return value is its `Return` type, the fn's return type: the `resume`
//! that finishes it returns `GeneratorState::Complete(average)`, no exception involved.
//! `None` is the sentinel here too: the send type is `Option<f64>`, and the average is
//! `Option<f64>` because, as in Python, it is `None` until a number arrives.
//!
//! Run it with `cargo run --example averager`. Output:
//!
//! ```text
//! 2.0
//! ```

use std::pin::pin;

use cogen::{Generator, GeneratorState, generator, yield_};

/// ```python
/// def averager():
///     total = 0.0
///     cnt = 0
///     average = None
///     while 1:
///         term = yield
///         if term is None:
///             break
///         total += term
///         cnt += 1
///         average = total / cnt
///     return average
/// ```
#[generator(send = Option<f64>)]
fn averager() -> Option<f64> {
    let mut total = 0.0;
    let mut cnt = 0;
    let mut average = None;
    // Until `None` arrives: `term = yield; if term is None: break`.
    while let Some(term) = yield_!() {
        total += term;
        cnt += 1;
        average = Some(total / f64::from(cnt));
    }
    average
}

fn main() {
    let mut coro = pin!(averager());
    let _ = coro.as_mut().start(); // next(coro)
    for i in 1..4 {
        let _ = coro.as_mut().resume(Some(f64::from(i))); // coro.send(i)
    }
    // try: coro.send(None) except StopIteration as e: print(e.value)
    match coro.as_mut().resume(None) {
        GeneratorState::Complete(Some(value)) => println!("{value:?}"), // 2.0, like Python
        GeneratorState::Complete(None) => println!("None"),
        GeneratorState::Yielded(()) => unreachable!("None ends the averager"),
    }
}
