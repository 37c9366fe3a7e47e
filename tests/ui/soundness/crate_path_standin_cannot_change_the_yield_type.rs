// A module standing in for cogen under `crate = path` (its `__private::Co` an alias with
// another yield type) cannot make the body write a `u64` where a `Box<u64>` is expected:
// the value is checked against the declared type, and the capability's types come from
// the generator itself, not from any `Co` the stand-in names: a type error either way.
#![forbid(unsafe_code)]
use cogen::{generator, yield_, Generator};

mod evil {
    pub use cogen::*;
    pub trait Swap { type T; }
    impl Swap for Box<u64> { type T = u64; }
    pub mod __private {
        pub use cogen::__private::*;
        // An alias that would swap the yield type, were the expansion to name it.
        pub type Co<Y, S> = cogen::__private::Co<<Y as super::Swap>::T, S>;
    }
}

#[generator(crate = evil, yield = Box<u64>)]
fn f() -> u8 {
    yield_!(0x4141_4141u64); // a u64 written where a Box<u64> is expected
    0
}

fn main() {
    let mut g = Box::pin(f());
    let v = g.as_mut().start();
    if let cogen::GeneratorState::Yielded(b) = v {
        println!("{}", *b); // deref of 0x41414141
    }
}
