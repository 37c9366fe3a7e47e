#![deny(unused_must_use)]

use cogen::{generator, yield_};

#[generator(yield = u32)]
fn counter() {
    yield_!(1);
}

fn main() {
    counter();
}
