use cogen::{generator, yield_, yield_from};

#[generator(yield = u32)]
fn inner() -> u32 {
    yield_!(1);
    2
}

#[generator(yield = u32)]
fn outer() {
    println!("{}", yield_from!(inner()));
}

fn main() {
    let _ = outer();
}
