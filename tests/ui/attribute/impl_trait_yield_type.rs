use cogen::{generator, yield_};

#[generator(yield = impl std::fmt::Display)]
fn shown() {
    yield_!(1);
}

fn main() {
    let _ = shown();
}
