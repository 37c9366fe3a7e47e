// `Delegable` names what `yield_from!` accepts in its error; nothing implements it. An
// impl of the user's would have made `yield_from!(Mine)` compile and then reach
// `unreachable!()` when run.
use cogen::{generator, yield_from};

struct Mine;

impl cogen::__private::Delegable for Mine {}

#[generator(yield = u32)]
fn delegates() {
    yield_from!(Mine);
}

fn main() {
    let _ = delegates();
}
