use cogen::{generator_block, yield_};

fn main() {
    let _g = generator_block!(boxed, yield = u32, move {
        yield_!(1);
    });
}
