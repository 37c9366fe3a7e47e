use cogen::{generator, yield_};

#[generator(yield = u32)]
async fn ticks() {
    yield_!(1);
}

fn main() {
    for tick in ticks() {
        let _ = tick;
    }
}
