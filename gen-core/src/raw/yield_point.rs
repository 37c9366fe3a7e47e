//! The body's capability to yield, and the future `yield_!(v)` awaits.

use core::future::Future;
use core::marker::PhantomData;
use core::pin::Pin;
use core::task::{Context, Poll};

use super::bridge::{Owner, exchange};
use super::exchange::Io;

/// The body's capability to yield `Y` and receive `S`: it fixes both types, lifetimes
/// included (it is invariant in them), and names the generator it belongs to, which every
/// yield point made from it checks before it touches the exchange area.
///
/// Only [`generator`](super::driver::generator) makes one, with the types and the identity
/// of the generator it makes, and hands it to the body. Holding one is harmless: a yield
/// point made from it works only in that generator's body, with its types. The futures
/// that keep pointers past a poll (delegation) are `unsafe` to make.
///
/// `B` is the kind of body: [`Blocking`] for a generator, [`Awaiting`] for an async
/// generator (whose body may `.await`). It only decides what `yield_from!` may delegate to:
/// an async generator or a `Stream` only from a body that can wait for it.
pub struct Co<Y, S, B = Blocking> {
    owner: Owner,
    _types: Invariant<Y, S>,
    _body: PhantomData<B>,
}

/// The body of a (synchronous) generator: it never waits for anything but its caller.
pub struct Blocking;
/// The body of an async generator: it may also wait in an `.await`.
pub struct Awaiting;

/// Invariant in `Y` and `S` (lifetimes included), and `Send + Sync` whatever they are.
pub(crate) type Invariant<Y, S> = PhantomData<fn(Y, S) -> (Y, S)>;

impl<Y, S, B> Clone for Co<Y, S, B> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<Y, S, B> Copy for Co<Y, S, B> {}

impl<Y, S, B> Co<Y, S, B> {
    /// The capability of the generator `owner`, made by [`generator`](super::driver::generator)
    /// with that generator's own types.
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(crate) fn new(owner: Owner) -> Self {
        Co {
            owner,
            _types: PhantomData,
            _body: PhantomData,
        }
    }

    /// The same capability, without the body kind (which only `yield_from!`'s choice of
    /// form needs).
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(crate) fn erase(self) -> Co<Y, S> {
        Co::new(self.owner)
    }

    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(crate) fn owner(self) -> Owner {
        self.owner
    }

    /// The future `yield_!(value)` lowers to: hands `value` out, evaluates to the sent
    /// value. The `()` is the user's own `yield_!` path, invoked with no tokens of the
    /// body, so that importing it counts as used.
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub fn yield_(self, value: Y, _used: ()) -> YieldNow<Y, S> {
        YieldNow {
            value: Some(value),
            co: self.erase(),
        }
    }
}

/// The type check of a yield point's value, a struct literal and not a call (nothing to
/// compile per yield point): `#[generator]` writes `PhantomData::<fn(Y) -> Y>` of the declared yield
/// type at the top of the body, where that type means what it means in the signature
/// (whatever the body declares or imports under the same names), and each `yield_!(v)`
/// builds `TypedYield { declared, value: v }` and takes `value` out: a value of another type
/// is reported at the value, as the declared type's. Invariant in `Y` (`fn(Y) -> Y`), so
/// that a declared lifetime is held as declared (a borrow too short for `yield = &'a T` is
/// reported here, naming `'a`); an elided one stays free (`fn(&T) -> &T` is for all).
pub struct TypedYield<Y> {
    pub declared: PhantomData<fn(Y) -> Y>,
    pub value: Y,
}

/// `yield_!(v)`: on its first poll it puts `v` in the exchange area and suspends; on the
/// next it takes the value that `resume` sent.
pub struct YieldNow<Y, S> {
    value: Option<Y>,
    co: Co<Y, S>,
}

impl<Y, S> Unpin for YieldNow<Y, S> {}

impl<Y, S> Future for YieldNow<Y, S> {
    type Output = S;

    #[cfg_attr(not(debug_assertions), inline(always))]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<S> {
        let this = self.get_mut();
        let (io, _) = exchange(cx, this.co, None);
        match this.value.take() {
            Some(value) => {
                io.put_yielded(value);
                Poll::Pending
            }
            None => resumed(io),
        }
    }
}

/// The second poll of a yield point, in the step that resumes it: the value sent.
#[cfg_attr(not(debug_assertions), inline(always))]
fn resumed<Y, S>(io: &mut Io<Y, S>) -> Poll<S> {
    match io.take_sent() {
        Some(sent) => Poll::Ready(sent),
        // Resumed in a step that sent nothing: it yielded, was cancelled by the macro
        // around it, and is polled again later (see `exchange::stale_yield`).
        None => super::exchange::stale_yield(),
    }
}

/// A yield point whose value is made when it yields (by `make`, a zero-sized closure in
/// practice), not stored in the future until then: `yield_from!(asyncio::yield_now())`
/// lowers to one (see `RescheduleKind`), so that a task switch moves one flag through the
/// body, not the value.
#[cfg(feature = "std")]
pub struct YieldMade<Y, S, M> {
    make: M,
    yielded: bool,
    co: Co<Y, S>,
}

#[cfg(feature = "std")]
impl<Y, S, M: Fn() -> Y> YieldMade<Y, S, M> {
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(crate) fn new<B>(co: Co<Y, S, B>, make: M) -> Self {
        YieldMade {
            make,
            yielded: false,
            co: co.erase(),
        }
    }
}

#[cfg(feature = "std")]
impl<Y, S, M> Unpin for YieldMade<Y, S, M> {}

#[cfg(feature = "std")]
impl<Y, S, M: Fn() -> Y> Future for YieldMade<Y, S, M> {
    type Output = S;

    #[cfg_attr(not(debug_assertions), inline(always))]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<S> {
        let this = self.get_mut();
        let (io, _) = exchange(cx, this.co, None);
        if this.yielded {
            resumed(io)
        } else {
            this.yielded = true;
            io.put_yielded((this.make)());
            Poll::Pending
        }
    }
}
