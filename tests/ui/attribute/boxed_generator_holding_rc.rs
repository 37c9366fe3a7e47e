use std::rc::Rc;
use cogen::{generator, yield_};

// `boxed` promises `Send`; `boxed_local` is the one for `!Send` state.
#[generator(boxed, yield = u32)]
fn counts() {
    let shared = Rc::new(1);
    yield_!(*shared);
}

fn main() {
    let _ = counts();
}
