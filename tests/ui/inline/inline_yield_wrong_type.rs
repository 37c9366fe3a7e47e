use cogen::{generator_block, yield_};

fn main() {
    let _g = generator_block!(yield = u32, move {
        yield_!("not a u32");
    });
}
