use std::pin::Pin;

use cogen::{generator, yield_, Generator};

#[generator(yield = u32)]
fn counter() {
    yield_!(1);
}

fn main() {
    let mut g = Box::pin(counter());
    let _ = g.as_mut().start();
    let _moved = Pin::into_inner(g);
}
