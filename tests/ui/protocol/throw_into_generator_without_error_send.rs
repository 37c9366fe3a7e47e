// `throw` needs a send type that can carry an error: with `send = ()` there is none.
use cogen::{Generator, generator, yield_};

#[generator(yield = u32)]
fn counter() {
    yield_!(1);
}

fn main() {
    let mut g = std::pin::pin!(counter());
    let _ = g.as_mut().start();
    let _ = g.as_mut().throw("stop");
}
