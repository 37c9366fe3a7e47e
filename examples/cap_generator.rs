//! Note 002 (`002_9b6ee2d239c5b881.txt`), "제너레이터 만들기 / yield에서 함수 호출하기":
//! `cap_generator(animals)`, which yields `animal.upper()` for each animal, printed on one
//! line with `end=" "`; and the generator expression `(i for i in range(10))`, which is
//! lazy: printing it shows an object, not numbers.
//!
//! The generator borrows the list it walks (`&[&str]`), and the yielded `String`s are made
//! one at a time, when the `for` loop asks for the next one. The lazy expression is an
//! iterator adapter; its `Debug` shows the unevaluated range, as Python shows
//! `<generator object <genexpr> at 0x...>`.
//!
//! Run it with `cargo run --example cap_generator`. Output:
//!
//! ```text
//! DOG CAT TIGER LION
//! Map { iter: 0..10 }
//! ```
//!
//! (the first line ends with a space, as `print(i, end=" ")` leaves it).

use cogen::{generator, yield_};

/// `def cap_generator(animals): for animal in animals: yield animal.upper()`
#[generator(yield = String)]
fn cap_generator<'a>(animals: &'a [&'a str]) {
    for animal in animals {
        yield_!(animal.to_uppercase());
    }
}

fn main() {
    let animals = ["dog", "cat", "tiger", "lion"];
    for i in cap_generator(&animals) {
        print!("{i} ");
    }
    println!();

    // print((i for i in range(10))): nothing is computed until someone iterates.
    #[allow(clippy::map_identity)] // a literal twin of `(i for i in range(10))`
    let lazy = (0..10).map(|i| i);
    println!("{lazy:?}");
}
