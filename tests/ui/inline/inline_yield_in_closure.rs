use cogen::{generator_block, yield_};

fn main() {
    let xs = vec![1u32, 2];
    let _g = generator_block!(yield = u32, move {
        xs.iter().for_each(|x| yield_!(*x));
    });
}
