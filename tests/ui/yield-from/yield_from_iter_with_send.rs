use cogen::{generator, yield_from};

#[generator(yield = u32, send = u32)]
fn counter() {
    yield_from!(vec![1, 2, 3]);
}

fn main() {
    let _ = counter();
}
