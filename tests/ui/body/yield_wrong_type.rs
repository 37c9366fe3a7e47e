use cogen::{generator, yield_};

#[generator(yield = u32)]
fn counter() {
    yield_!("not a number");
}

fn main() {
    let _ = counter();
}
