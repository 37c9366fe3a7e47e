use cogen::{generator, yield_, yield_from};

#[generator(yield = u32)]
fn numbers() {
    yield_!(1);
}

#[generator(yield = u32, send = u32)]
fn counter() {
    yield_from!(numbers());
}

fn main() {
    let _ = counter();
}
