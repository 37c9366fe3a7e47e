use cogen::{generator, yield_, yield_from};

#[generator(yield = u32, send = u32)]
async fn relay() {
    let _first = yield_!(0);
    yield_from!(futures::stream::iter([1, 2, 3]));
}

fn main() {
    let _ = relay();
}
