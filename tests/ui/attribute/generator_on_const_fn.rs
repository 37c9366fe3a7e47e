use cogen::{generator, yield_};

#[generator(yield = u32)]
const fn counter() {
    yield_!(1);
}

fn main() {
    let _ = counter();
}
