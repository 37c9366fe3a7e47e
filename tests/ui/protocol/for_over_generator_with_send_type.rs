// A generator with a send type is not an iterator (a `for` loop has no values to send);
// rustc's message is about `Iterator`, which cogen cannot annotate: the docs of
// `Generator::send` show the loop to write instead.
use cogen::{generator, yield_};

#[generator(yield = u32, send = u32)]
fn echo() {
    let mut x = yield_!(0);
    loop {
        x = yield_!(x);
    }
}

fn main() {
    for n in echo() {
        println!("{n}");
    }
}
