use cogen::{generator, yield_, yield_from};

#[generator(yield = &'static str)]
fn words() {
    yield_!("a");
}

#[generator(yield = u32)]
fn counter() {
    yield_from!(words());
}

fn main() {
    let _ = counter();
}
