use cogen::generator_block;

fn main() {
    let _g = generator_block!(yield = u32);
}
