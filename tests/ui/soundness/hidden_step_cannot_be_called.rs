// The hidden one-step entry cannot be called from outside cogen.
use cogen::{generator, yield_, Generator};

#[generator(yield = u8)]
fn one() {
    yield_!(1);
}

fn main() {
    let mut g = std::pin::pin!(one());
    let _ = g.as_mut().__cogen_step(None);
}
