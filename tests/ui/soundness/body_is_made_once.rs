// A `crate = path` stand-in for `generator` cannot make two bodies from one (two copies of a
// body in one generator could hand a delegate up from one and adopt it in the other): the
// closure the expansion passes moves a token in, so it is only `FnOnce`.
#![forbid(unsafe_code)]
use cogen::{yield_, Generator};

mod evil {
    pub use cogen::*;
    pub mod __private {
        pub use cogen::__private::{Co, Gen, TypedYield};
        use std::future::Future;

        pub fn generator<Y, S, const D: bool, R, M, F>(make: M) -> Gen<F, Y, S, D>
        where
            M: Fn(Co<Y, S>) -> F,
            F: Future<Output = R>,
        {
            cogen::__private::generator::<Y, S, D, R, _, _>(move |co| {
                let _first = make(co);
                make(co)
            })
        }
    }
}

#[cogen::generator(crate = evil, yield = u32)]
fn twice() {
    yield_!(1);
}

fn main() {
    let _ = std::pin::pin!(twice()).start();
}
