// `iter()` needs `send = ()`: the error says so, and how to drive the generator instead.
use cogen::{generator, yield_, Generator};
use std::pin::pin;

#[generator(yield = u32, send = u32)]
fn running_total() {
    let mut total = 0;
    loop {
        total += yield_!(total);
    }
}

fn main() {
    let g = pin!(running_total());
    for total in g.iter() {
        println!("{total}");
    }
}
