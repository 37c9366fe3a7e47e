use cogen::{generator, yield_, yield_from};

#[generator(yield = u32)]
fn numbers() {
    yield_!(1);
}

#[generator(yield = u32)]
fn counter() {
    let sub = numbers();
    yield_from!(sub);
    yield_from!(sub);
}

fn main() {
    let _ = counter();
}
