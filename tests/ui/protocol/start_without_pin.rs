use cogen::{generator, yield_, Generator};

#[generator(yield = u32)]
fn counter() {
    yield_!(1);
}

fn main() {
    let mut g = counter();
    let _ = g.start();
}
