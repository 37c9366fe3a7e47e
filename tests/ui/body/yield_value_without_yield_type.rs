// A generator without `yield = T` yields `()`: a value is reported at the value, against
// the attribute that left the yield type out.
use cogen::{generator, yield_};

#[generator]
fn numbers() {
    yield_!(5);
}

fn main() {
    let _ = numbers();
}
