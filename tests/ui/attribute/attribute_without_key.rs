use cogen::{generator, yield_};

#[generator(u32)]
fn counter() {
    yield_!(1);
}

fn main() {
    let _ = counter();
}
