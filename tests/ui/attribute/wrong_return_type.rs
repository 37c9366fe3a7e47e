use cogen::{generator, yield_};

#[generator(yield = u32)]
fn counter() -> String {
    yield_!(1);
    5
}

fn main() {
    let _ = counter();
}
