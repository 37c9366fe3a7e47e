use cogen::{generator, yield_};

#[generator(yield = &'a str)]
fn words<'a>(s: &'a str) {
    yield_!(s);
    let local = String::from("x");
    yield_!(&local);
}

fn main() {
    let _ = words("a");
}
