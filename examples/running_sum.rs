//! Note 001 (`001_e7584936c0140007.txt`), "일반적인 코루틴 / 예시", second program: the
//! running-sum coroutine `x = (yield y); print('코루틴 호출:', x); y += x`, primed with
//! `cor.send(None)` and then sent 1, 2, 3, 4; the main routine prints each yielded sum.
//!
//! The sum `y` lives in the generator between sends, as in Python: 1, 3, 6, 10.
//!
//! Run it with `cargo run --example running_sum`. Output:
//!
//! ```text
//! coroutine called: 1
//! x: 1
//! coroutine called: 2
//! x: 3
//! coroutine called: 3
//! x: 6
//! coroutine called: 4
//! x: 10
//! ```

use std::pin::pin;

use cogen::{Generator, GeneratorState, generator, yield_};

/// `def coroutine(): y = 0; while True: x = (yield y); print(...); y += x`
#[generator(yield = i64, send = i64)]
fn coroutine() {
    let mut y = 0;
    loop {
        let x = yield_!(y);
        println!("coroutine called: {x}");
        y += x;
    }
}

fn main() {
    let mut cor = pin!(coroutine());
    // cor.send(None): prime it; it yields the initial sum 0, which the note ignores.
    let _ = cor.as_mut().start();
    for sent in 1..=4 {
        // x = cor.send(sent); print('x:', x)
        if let GeneratorState::Yielded(x) = cor.as_mut().resume(sent) {
            println!("x: {x}");
        }
    }
}
