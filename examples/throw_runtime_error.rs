//! Note 002 (`002_9b6ee2d239c5b881.txt`), "코루틴 안에서 예외 발생시키기": `sum_coroutine`
//! adds the numbers sent in (0..4); `co.throw(RuntimeError, '코루틴 종료')` raises the error
//! at its `yield`; the coroutine catches it, prints it, and yields its total, 10, which
//! becomes the value of `throw`.
//!
//! A generator that can receive an error declares `send = Result<T, E>`; then
//! [`Generator::throw`]`(e)` delivers `Err(e)` as the value of `yield_!`, and a `match`
//! catches it (`yield_!(..)?` would propagate it instead). The yield type is `Option<i64>`
//! because the coroutine yields Python's `None` while summing and the total at the end.
//!
//! Run it with `cargo run --example throw_runtime_error`. Output:
//!
//! ```text
//! coroutine terminated
//! 10
//! ```

use std::fmt;
use std::pin::pin;

use cogen::{Generator, GeneratorState, generator, yield_};

/// Python's `RuntimeError` with its message.
#[derive(Debug)]
struct RuntimeError(&'static str);

impl fmt::Display for RuntimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// ```python
/// def sum_coroutine():
///     total = 0
///     try:
///         while True:
///             x = (yield)
///             total += x
///     except RuntimeError as e:
///         print(e)
///         yield total
/// ```
#[generator(yield = Option<i64>, send = Result<i64, RuntimeError>)]
fn sum_coroutine() {
    let mut total = 0;
    loop {
        match yield_!(None) {
            Ok(x) => total += x,
            Err(e) => {
                println!("{e}");
                // Hand the total out; whatever is sent or thrown in afterwards ends it.
                let _ = yield_!(Some(total));
                return;
            }
        }
    }
}

fn main() {
    let mut co = pin!(sum_coroutine());
    let _ = co.as_mut().start(); // next(co)
    for i in 0..5 {
        let _ = co.as_mut().resume(Ok(i)); // co.send(i)
    }
    // print(co.throw(RuntimeError, '코루틴 종료'))
    match co.as_mut().throw(RuntimeError("coroutine terminated")) {
        GeneratorState::Yielded(Some(total)) => println!("{total}"),
        other => unreachable!("the coroutine yields its total, not {other:?}"),
    }
}
