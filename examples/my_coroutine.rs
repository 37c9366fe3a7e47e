//! Note 002 (`002_9b6ee2d239c5b881.txt`), "코루틴에 값 보내기": `my_coroutine`, an endless
//! loop of `num = yield; print(num)`, started with `next(co)` and sent 1, 2, 3.
//!
//! `#[generator(send = i32)]` declares what `yield_!()` evaluates to; `start()` is the first
//! `next(co)`, running the body up to the first `yield_!`, and `resume(v)` is `co.send(v)`.
//!
//! Run it with `cargo run --example my_coroutine`. Output:
//!
//! ```text
//! 1
//! 2
//! 3
//! ```

use std::pin::pin;

use cogen::{Generator, generator, yield_};

/// `def my_coroutine(): while 1: num = yield; print(num)`
#[generator(send = i32)]
fn my_coroutine() {
    loop {
        let num = yield_!();
        println!("{num}");
    }
}

fn main() {
    let mut co = pin!(my_coroutine()); // co = my_coroutine(): nothing runs yet
    let _ = co.as_mut().start(); // next(co): run up to the first yield
    for num in 1..=3 {
        let _ = co.as_mut().resume(num); // co.send(num)
    }
}
