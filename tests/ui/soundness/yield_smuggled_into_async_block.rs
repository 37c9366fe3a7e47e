// Twin of async-stream#106: a user macro wraps a yield point in an `async` block inside
// the generator body, where it would suspend some other future instead of the generator.
use cogen::{generator, yield_};

macro_rules! smuggle {
    ($value:expr) => {
        async { yield_!($value) }
    };
}

#[generator(yield = u32)]
fn counter() {
    let _fut = smuggle!(1);
}

fn main() {
    let _ = counter();
}
