use std::rc::Rc;

use cogen::{generator, yield_};

#[generator(yield = u32)]
fn counter() {
    let shared = Rc::new(1);
    yield_!(*shared);
    drop(shared);
}

fn require_send<T: Send>(_: T) {}

fn main() {
    require_send(counter());
}
