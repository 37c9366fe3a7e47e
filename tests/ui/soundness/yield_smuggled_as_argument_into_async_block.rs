// Twin of async-stream#106: the user writes `yield_!` in the body itself, as the argument
// of a macro whose expansion puts it inside an `async` block.
use cogen::{generator, yield_};

macro_rules! in_async {
    ($e:expr) => {
        async move { $e }
    };
}

#[generator(yield = u32)]
fn counter() {
    let _fut = in_async!(yield_!(1));
}

fn main() {
    let _ = counter();
}
