use cogen::{generator, yield_from};

#[generator(yield = u32)]
fn counter() {
    yield_from!(42);
}

fn main() {
    let _ = counter();
}
