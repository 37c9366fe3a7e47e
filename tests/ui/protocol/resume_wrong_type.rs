use cogen::{generator, yield_, Generator};

#[generator(yield = u32, send = u32)]
fn counter() {
    let _sent = yield_!(1);
}

fn main() {
    let mut g = std::pin::pin!(counter());
    let _ = g.as_mut().start();
    let _ = g.as_mut().resume("two");
}
