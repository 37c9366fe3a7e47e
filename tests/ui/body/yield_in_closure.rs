use cogen::{generator, yield_};

#[generator(yield = u32)]
fn each(xs: Vec<u32>) {
    xs.into_iter().for_each(|x| yield_!(x));
}

fn main() {
    let _ = each(vec![1, 2]);
}
