// With `send = Result<T, E>`, a `yield_!(v);` or `yield_from!(g);` statement drops what
// it evaluates to: a thrown error, or a `Result` return value. The `unused_must_use`
// warning (denied here) must land on each statement's own macro, one per statement.
#![deny(unused_must_use)]

use cogen::{generator, yield_, yield_from};

#[generator(yield = u32, send = Result<(), String>)]
fn inner() -> Result<(), String> {
    yield_!(10)
}

#[generator(yield = u32, send = Result<(), String>)]
fn ignores_thrown_errors() {
    yield_!(1);
    let _ = yield_!(2);
    yield_!(3);
    yield_from!(inner());
    yield_! {4}
    yield_!(5);
}

fn main() {
    let _ = ignores_thrown_errors();
}
