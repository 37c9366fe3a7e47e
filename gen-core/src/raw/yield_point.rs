//! The body's capability to yield, and the future `yield_!(v)` awaits.

use core::future::Future;
use core::marker::PhantomData;
use core::pin::Pin;
use core::task::{Context, Poll};

use super::bridge::{Owner, exchange, owner_of};

/// The body's capability to yield `Y` and receive `S`: it fixes both types, lifetimes
/// included (it is invariant in them), and names the generator it belongs to, which every
/// yield point made from it checks before it touches the exchange area.
///
/// The only way to get one is the `unsafe` [`Co::bind`].
pub struct Co<Y, S> {
    owner: Owner,
    _types: Invariant<Y, S>,
}

/// Invariant in `Y` and `S` (lifetimes included), and `Send + Sync` whatever they are.
pub(crate) type Invariant<Y, S> = PhantomData<fn(Y, S) -> (Y, S)>;

impl<Y, S> Clone for Co<Y, S> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<Y, S> Copy for Co<Y, S> {}

impl<Y, S> Co<Y, S> {
    /// The capability of the generator whose body awaits this, at its first statement.
    ///
    /// # Safety
    /// The future must be awaited as the first statement of the `async` block passed to
    /// [`generator`](super::driver::generator) with these same `Y` and `S`, and the `Co` it
    /// gives (and every yield point made from it) must only be used by yield points that
    /// this same block awaits where they are written, as `#[generator]` writes them. Then
    /// every yield point is polled by its own generator, with an exchange area of its own
    /// types, and it never outlives the await it is part of: the trampoline relies on a
    /// boxed `yield_from!` staying suspended, pinned in its body, until its delegate
    /// completes or is dropped.
    #[inline(always)]
    pub unsafe fn bind() -> Bind<Y, S> {
        Bind {
            _types: PhantomData,
        }
    }

    #[inline(always)]
    pub(crate) fn owner(self) -> Owner {
        self.owner
    }

    /// The future `yield_!(value)` lowers to: hands `value` out, evaluates to the sent
    /// value. The `()` is the user's own `yield_!` path, invoked with no tokens of the
    /// body, so that importing it counts as used.
    #[inline(always)]
    pub fn yield_(self, value: Y, _used: ()) -> YieldNow<Y, S> {
        YieldNow {
            value: Some(value),
            co: self,
        }
    }
}

/// The future of [`Co::bind`]: ready at once with the capability of the generator that
/// polls it.
pub struct Bind<Y, S> {
    _types: Invariant<Y, S>,
}

impl<Y, S> Future for Bind<Y, S> {
    type Output = Co<Y, S>;

    #[inline(always)]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Co<Y, S>> {
        Poll::Ready(Co {
            owner: owner_of(cx),
            _types: PhantomData,
        })
    }
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

    #[inline(always)]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<S> {
        let this = self.get_mut();
        let (io, _) = exchange(cx, this.co);
        match this.value.take() {
            Some(value) => {
                io.put_yielded(value);
                Poll::Pending
            }
            None => match io.take_sent() {
                Some(sent) => Poll::Ready(sent),
                None => unreachable!("cogen: a generator resumed its body without a value"),
            },
        }
    }
}
