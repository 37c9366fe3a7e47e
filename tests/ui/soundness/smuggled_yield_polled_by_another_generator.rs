// UNSOUND in safe code today: `host` (yield = String) polls a yield future made by
// `smuggler` (yield = u64), which writes a u64 where host's exchange area holds a String.
use std::future::Future;

use cogen::{generator, yield_, Generator, GeneratorState};

macro_rules! in_async {
    ($e:expr) => {
        async move { $e }
    };
}

macro_rules! aw {
    ($e:expr) => {
        $e.await
    };
}

#[generator(yield = String)]
fn host<F: Future<Output = ()>>(f: F) {
    aw!(f);
}

#[generator(yield = u64)]
fn smuggler() {
    let f = in_async!(yield_!(0x4141_4141_4141_4141));
    let mut h = std::pin::pin!(host(f));
    if let GeneratorState::Yielded(s) = h.as_mut().start() {
        println!("a String of length {}", s.len());
    }
}

fn main() {
    let mut g = std::pin::pin!(smuggler());
    let _ = g.as_mut().start();
}
