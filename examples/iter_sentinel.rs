//! Note 002 (`002_9b6ee2d239c5b881.txt`), "`iter`, `next` 함수 사용하기": the two-argument
//! `iter(callable, sentinel)`, here `iter(lambda: random.randint(0, 5), 2)`, which calls the
//! callable until it returns the sentinel; and `next(iterator, default)`, which returns the
//! default instead of raising `StopIteration`.
//!
//! `iter(callable, sentinel)` is written twice: with std iterators
//! (`repeat_with(..).take_while(..)`), and as a generic generator `iter_until`. `next` with a
//! default is `next().unwrap_or(default)`.
//!
//! The note draws unseeded random numbers; this twin seeds with 10 and draws with
//! `support/py_random.rs` (CPython's `random` on the reference Mersenne Twister), so it
//! prints exactly what the Python program prints after `random.seed(10)`. (The note's
//! comments on `next(my_iter, 10)` say 1, 2, 3, 10; Python prints 0, 1, 2, 10, and so does
//! this twin.)
//!
//! Run it with `cargo run --example iter_sentinel`. Output:
//!
//! ```text
//! -- iter(lambda: random.randint(0, 5), 2) --
//! 4
//! 0
//! 3
//! 3
//! 4
//! 0
//! 1
//! 3
//! 3
//! -- the same, as a generator --
//! 4
//! 0
//! 3
//! 3
//! 4
//! 0
//! 1
//! 3
//! 3
//! -- next(my_iter, 10) --
//! 0
//! 1
//! 2
//! 10
//! ```

#[path = "support/py_random.rs"]
mod py_random;

use cogen::{generator, yield_};
use py_random::PyRandom;

const SEED: u64 = 10;

/// `iter(callable, sentinel)` as a generator: call `f` and hand out what it returns, until it
/// returns `sentinel` (which is not handed out).
#[generator(yield = T)]
fn iter_until<T: PartialEq, F: FnMut() -> T>(mut f: F, sentinel: T) {
    loop {
        let value = f();
        if value == sentinel {
            return;
        }
        yield_!(value);
    }
}

fn main() {
    println!("-- iter(lambda: random.randint(0, 5), 2) --");
    let mut rng = PyRandom::new(SEED);
    let my_iter = std::iter::repeat_with(|| rng.randint(0, 5)).take_while(|&value| value != 2);
    for i in my_iter {
        println!("{i}");
    }

    println!("-- the same, as a generator --");
    let mut rng = PyRandom::new(SEED);
    for i in iter_until(|| rng.randint(0, 5), 2) {
        println!("{i}");
    }

    println!("-- next(my_iter, 10) --");
    let mut my_iter = 0..3;
    for _ in 0..4 {
        println!("{}", my_iter.next().unwrap_or(10));
    }
}
