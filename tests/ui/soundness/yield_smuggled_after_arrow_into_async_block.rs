// The argument is not a comma-separated expression list, so the token scanner finds the
// yield point; it is lowered just the same.
use cogen::{generator, yield_};

macro_rules! arrow {
    (=> $e:expr) => {
        async move { $e }
    };
}

#[generator(yield = u32)]
fn counter() {
    let _f = arrow!(=> yield_!(1));
}

fn main() {
    let _ = counter();
}
