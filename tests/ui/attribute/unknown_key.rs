use cogen::{generator, yield_};

#[generator(yeild = u32)]
fn counter() {
    yield_!(1);
}

fn main() {
    let _ = counter();
}
