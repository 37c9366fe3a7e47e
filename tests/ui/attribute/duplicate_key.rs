use cogen::{generator, yield_};

#[generator(yield = u32, yield = u64)]
fn counter() {
    yield_!(1);
}

fn main() {
    let _ = counter();
}
