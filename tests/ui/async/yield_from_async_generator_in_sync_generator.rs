use cogen::{generator, yield_, yield_from};

#[generator(yield = u32)]
async fn ticks() {
    std::future::ready(()).await;
    yield_!(1);
}

#[generator(yield = u32)]
fn blocking() {
    yield_from!(ticks());
}

fn main() {
    let _ = blocking();
}
