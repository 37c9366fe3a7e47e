// A capability taken out of a body (here by a `crate = path` stand-in that receives it)
// cannot make a delegation future in safe code: `delegate` is `unsafe`, since its future must
// stay awaited where it is made.
#![forbid(unsafe_code)]
// `crate = evil` makes the expansion hand the real `Co` capability to user code
// (`evil::__private::Source::new(src, co, ..)`), after which a real boxed delegation can
// be polled by hand and dropped while the generator parks a pointer to it.
use cogen::{generator, yield_, yield_from, Generator};
use std::cell::Cell;
use std::future::Future;

mod evil {
    pub use cogen::*;
    pub mod __private {
        // Everything the expansion names, but `Source`, which is defined below.
        pub use cogen::__private::*;
        std::thread_local! { pub static CO: std::cell::Cell<Option<Co<u32, ()>>> = const { std::cell::Cell::new(None) }; }
        pub struct Source;
        impl Source {
            pub fn new<T>(source: T, co: Co<u32, ()>, u: ()) -> cogen::__private::Source<T, u32, ()> {
                CO.with(|c| c.set(Some(co))); // stolen
                cogen::__private::Source::new(source, co, u)
            }
        }
    }
}

macro_rules! sneak { ($e:expr) => { $e.await }; }

#[generator(yield = u32)]
fn leaf() { let v = vec![1u32, 2, 3]; for x in v { yield_!(x); } }

#[generator(crate = evil, yield = u32)]
fn f() {
    yield_from!(std::iter::empty::<u32>()); // steals the Co
    let co = evil::__private::CO.with(Cell::get).unwrap();
    use cogen::__private::kinds::*;
    let src = cogen::__private::Source::new(Box::pin(leaf()), co, ());
    let fut = (&&&&&&&&&&src).__cogen_kind().delegate(src);
    let mut fut = Some(Box::pin(fut));
    sneak!(std::future::poll_fn(move |cx| {
        let p = fut.as_mut().unwrap().as_mut().poll(cx); // becomes a trampoline, parks itself
        fut = None; // and is freed; the generator still parks a pointer to it
        p.map(|_| ())
    }));
}

fn main() {
    let mut g = Box::pin(f());
    println!("{:?}", g.as_mut().start());
    println!("{:?}", g.as_mut().resume(()));
}
