//! Without the `alloc` feature there are no boxed generators, so no boxed `yield_from!`
//! and no trampoline: these uninhabited stand-ins for `trampoline.rs`'s `Frame` and
//! `Trampoline` let the exchange area and the driver keep their one code path (their
//! `Option<Frame>` and `Option<NonNull<Trampoline>>` are always `None`, and the code
//! that would use one is unreachable, so it compiles to nothing).

use core::convert::Infallible;
use core::marker::PhantomData;
use core::ptr::NonNull;
use core::task::{Poll, Waker};

use super::exchange::Io;

/// A boxed generator on a trampoline's stack: none can exist without `alloc`.
pub(crate) struct Frame<Y, S>(Infallible, PhantomData<fn(Y, S)>);

/// A trampoline: none can exist without `alloc`.
pub(crate) struct Trampoline<Y, S>(Infallible, PhantomData<fn(Y, S)>);

impl<Y, S> Trampoline<Y, S> {
    /// # Safety
    /// `this` points to a live trampoline (and none can exist).
    pub(crate) unsafe fn unpark(this: NonNull<Self>) {
        // SAFETY: per the contract `this` is valid for reads; as no trampoline can exist,
        // this is never reached.
        match unsafe { this.as_ref() }.0 {}
    }
}

pub(crate) fn run_marked<Y, S>(
    trampoline: &mut Trampoline<Y, S>,
    _: &mut Io<Y, S>,
    _: &Waker,
) -> Poll<()> {
    match trampoline.0 {}
}
