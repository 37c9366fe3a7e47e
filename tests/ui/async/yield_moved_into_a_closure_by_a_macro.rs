// A macro that puts its argument in a closure: the yield point cannot suspend from there,
// and the error points at the user's `yield_!`.
use cogen::{generator, yield_};

macro_rules! later {
    ($e:expr) => {
        || $e
    };
}

#[generator(yield = u32)]
async fn numbers() {
    let _f = later!(yield_!(1));
}

fn main() {
    let _ = numbers();
}
