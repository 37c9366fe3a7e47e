//! Note 002 (`002_9b6ee2d239c5b881.txt`), "코루틴 바깥으로 값 내보내기": `sum_coroutine`,
//! whose `num = yield total` both hands the running total out and takes the next number in;
//! `next(co)` prints 0, then `co.send(1)`, `co.send(2)`, `co.send(3)` print 1, 3, 6.
//!
//! `yield_!(total)` is `yield total`: `start()` and `resume(n)` return
//! `GeneratorState::Yielded(total)`, and `yield_!` evaluates to the `n` sent in next.
//!
//! Run it with `cargo run --example sum_coroutine`. Output:
//!
//! ```text
//! 0
//! 1
//! 3
//! 6
//! ```

use std::pin::pin;

use cogen::{Generator, generator, yield_};

/// `def sum_coroutine(): total = 0; while True: num = yield total; total += num`
#[generator(yield = i32, send = i32)]
fn sum_coroutine() {
    let mut total = 0;
    loop {
        let num = yield_!(total);
        total += num;
    }
}

fn main() {
    let mut co = pin!(sum_coroutine());
    let total = co.as_mut().start().yielded().expect("it yields forever"); // next(co)
    println!("{total}");
    for num in 1..=3 {
        let total = co
            .as_mut()
            .resume(num)
            .yielded()
            .expect("it yields forever");
        println!("{total}"); // print(co.send(num))
    }
}
