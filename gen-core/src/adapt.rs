//! Generators seen by async code: as a `futures::Stream` of their yields, and as a
//! `std::future::Future` that gives the executor a turn at each `yield_!()`.

use core::fmt;
use core::future::Future;
use core::ops::DerefMut;
use core::pin::Pin;
use core::task::{Context, Poll};

use futures_core::{FusedStream, Stream};

use crate::{Generator, GeneratorState, Status};

/// A generator with `send = ()` as a `futures::Stream` of the values it yields, always
/// ready: each poll runs it to its next yield. Its return value is kept
/// ([`take_return`](GeneratorStream::take_return)).
///
/// For a stream whose items wait for something (a channel, a timer, I/O), write an async
/// generator instead (`#[generator]` on an `async fn`): it is a `Stream` itself and its
/// body can `.await`. `GeneratorStream` is for a synchronous generator you already have,
/// or one you also drive as a `Generator` or an iterator.
///
/// It owns any pinned pointer to the generator: `Box::pin(gen())`, or `pin!(gen())`.
///
/// ```
/// use cogen::{generator, yield_, GeneratorStream};
/// use futures::StreamExt;
///
/// #[generator(yield = u32)]
/// fn squares(n: u32) -> &'static str {
///     for i in 1..=n {
///         yield_!(i * i);
///     }
///     "done"
/// }
///
/// let mut stream = GeneratorStream::new(Box::pin(squares(3)));
/// let all: Vec<u32> = futures::executor::block_on(stream.by_ref().collect());
/// assert_eq!(all, [1, 4, 9]);
/// assert_eq!(stream.take_return(), Some("done"));
/// ```
#[must_use = "a stream does nothing unless polled"]
pub struct GeneratorStream<P>
where
    P: DerefMut,
    P::Target: Generator<()>,
{
    generator: Pin<P>,
    returned: Option<<P::Target as Generator<()>>::Return>,
}

// The generator is pinned by `Pin<P>`, which may move freely; the kept return value is
// never pinned.
impl<P> Unpin for GeneratorStream<P>
where
    P: DerefMut,
    P::Target: Generator<()>,
{
}

impl<P> GeneratorStream<P>
where
    P: DerefMut,
    P::Target: Generator<()>,
{
    /// Adapt the pinned generator.
    ///
    /// ```
    /// use cogen::{generator, yield_, GeneratorStream};
    /// use futures::StreamExt;
    ///
    /// #[generator(yield = u8)]
    /// fn two() { yield_!(1); yield_!(2); }
    ///
    /// let stream = GeneratorStream::new(Box::pin(two()));
    /// assert_eq!(futures::executor::block_on(stream.collect::<Vec<_>>()), [1, 2]);
    /// ```
    pub fn new(generator: Pin<P>) -> Self {
        GeneratorStream {
            generator,
            returned: None,
        }
    }

    /// The generator's return value once the stream has ended; `None` before that, or once
    /// taken.
    ///
    /// ```
    /// use cogen::{generator, yield_, GeneratorStream};
    /// use futures::StreamExt;
    ///
    /// #[generator(yield = u8)]
    /// fn one() -> &'static str { yield_!(1); "done" }
    ///
    /// let mut stream = GeneratorStream::new(Box::pin(one()));
    /// assert_eq!(stream.take_return(), None);
    /// futures::executor::block_on(stream.by_ref().count());
    /// assert_eq!(stream.take_return(), Some("done"));
    /// ```
    pub fn take_return(&mut self) -> Option<<P::Target as Generator<()>>::Return> {
        self.returned.take()
    }
}

impl<P> Stream for GeneratorStream<P>
where
    P: DerefMut,
    P::Target: Generator<()>,
{
    type Item = <P::Target as Generator<()>>::Yield;

    // Always, as `Iter::next`: the generator's whole step is inlined here, and once a
    // generator has a few call sites in a crate the optimizer stops inlining an unmarked
    // `poll_next` (BENCHMARKS.md, W8: 129 instructions an item instead of 5).
    #[cfg_attr(not(debug_assertions), inline(always))]
    fn poll_next(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        Poll::Ready(this.generator.as_mut().__cogen_next(
            (),
            &mut this.returned,
            crate::generator::Sealed::new(),
        ))
    }
}

impl<P> FusedStream for GeneratorStream<P>
where
    P: DerefMut,
    P::Target: Generator<()>,
{
    fn is_terminated(&self) -> bool {
        self.generator.status() == Status::Closed
    }
}

impl<P> fmt::Debug for GeneratorStream<P>
where
    P: DerefMut,
    P::Target: Generator<()>,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GeneratorStream")
            .field("status", &self.generator.status())
            .finish()
    }
}

/// A generator that yields `()` as a `std::future::Future` of its return value, for any
/// executor (tokio, `futures`' `LocalPool`, ...): each `yield_!()` hands the executor a turn
/// (it wakes the task and returns `Pending`, as tokio's `yield_now` does), and completing
/// makes the future ready. This is the bare `yield` of a generator-based coroutine, which
/// asyncio reads as `sleep(0)`.
///
/// Its body can only give the executor a turn, not wait for anything. To await real
/// futures between yields, write an async generator (`#[generator]` on an `async fn`) and
/// poll it as a `Stream` or with `start`/`resume`.
///
/// It owns any pinned pointer to the generator: `Box::pin(gen())`, or `pin!(gen())` to
/// stay on the stack.
///
/// ```
/// use std::{cell::RefCell, rc::Rc};
/// use cogen::{generator, yield_, GeneratorFuture};
/// use futures::executor::LocalPool;
/// use futures::task::LocalSpawnExt;
///
/// #[generator]
/// fn worker(name: char, log: Rc<RefCell<String>>) -> usize {
///     for _ in 0..2 {
///         log.borrow_mut().push(name);
///         yield_!(); // let the other task run
///     }
///     log.borrow().len()
/// }
///
/// let log = Rc::new(RefCell::new(String::new()));
/// let mut pool = LocalPool::new();
/// let a = pool.spawner().spawn_local_with_handle(GeneratorFuture::new(Box::pin(worker('a', log.clone())))).unwrap();
/// let b = pool.spawner().spawn_local_with_handle(GeneratorFuture::new(Box::pin(worker('b', log.clone())))).unwrap();
/// pool.run();
/// assert_eq!(*log.borrow(), "abab");
/// assert_eq!(futures::executor::block_on(async { (a.await, b.await) }), (4, 4));
/// ```
#[must_use = "a future does nothing unless polled"]
pub struct GeneratorFuture<P> {
    generator: Pin<P>,
}

// The generator is pinned by `Pin<P>`, which may move freely.
impl<P> Unpin for GeneratorFuture<P> {}

/// The generators a [`GeneratorFuture`] drives: `send = ()` and `yield = ()` (every
/// `Generator<(), Yield = ()>` is one). It exists to say what to do when a generator is
/// not one, such as an asyncio coroutine.
///
/// ```
/// use cogen::{generator, yield_, UnitGenerator};
///
/// #[generator]
/// fn turns() {
///     yield_!();
/// }
///
/// fn takes_turns(_: impl UnitGenerator) {}
/// takes_turns(turns());
/// ```
#[diagnostic::on_unimplemented(
    message = "`GeneratorFuture` drives generators with `send = ()` and `yield = ()`; `{Self}` is not one",
    label = "not a `Generator<(), Yield = ()>`",
    note = "an asyncio coroutine (`yield = Suspend, send = Resume`) runs on cogen's event loop: \
            `asyncio::run(coro)`, `EventLoop::run_until_complete(coro)` or `asyncio::create_task`",
    note = "to await std futures between yields on any executor, make it an async generator \
            (`#[generator]` on an `async fn`)"
)]
pub trait UnitGenerator: Generator<(), Yield = ()> {}

impl<G: Generator<(), Yield = ()> + ?Sized> UnitGenerator for G {}

impl<P> GeneratorFuture<P>
where
    P: DerefMut,
    P::Target: UnitGenerator,
{
    /// Adapt the pinned generator.
    ///
    /// ```
    /// use cogen::{generator, yield_, GeneratorFuture};
    ///
    /// #[generator]
    /// fn patient() -> u32 { yield_!(); yield_!(); 42 }
    ///
    /// assert_eq!(futures::executor::block_on(GeneratorFuture::new(Box::pin(patient()))), 42);
    /// ```
    pub fn new(generator: Pin<P>) -> Self {
        GeneratorFuture { generator }
    }

    /// The generator back, e.g. to read its status.
    ///
    /// ```
    /// use cogen::{generator, yield_, Generator, GeneratorFuture, Status};
    ///
    /// #[generator]
    /// fn patient() { yield_!(); }
    ///
    /// let future = GeneratorFuture::new(Box::pin(patient()));
    /// assert_eq!(future.into_inner().status(), Status::Created);
    /// ```
    pub fn into_inner(self) -> Pin<P> {
        self.generator
    }
}

impl<P> Future for GeneratorFuture<P>
where
    P: DerefMut,
    P::Target: UnitGenerator,
{
    type Output = <P::Target as Generator<()>>::Return;

    /// # Panics
    /// If polled again after it completed (the generator is closed).
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let generator = self.get_mut().generator.as_mut();
        let sent = match generator.status() {
            Status::Created => None,
            Status::Suspended => Some(()),
            Status::Closed => {
                panic!("a GeneratorFuture was polled after it completed: its generator is closed")
            }
        };
        match generator.__cogen_step(sent, crate::generator::Sealed::new()) {
            GeneratorState::Yielded(()) => {
                cx.waker().wake_by_ref();
                Poll::Pending
            }
            GeneratorState::Complete(value) => Poll::Ready(value),
        }
    }
}

impl<P> fmt::Debug for GeneratorFuture<P>
where
    P: DerefMut,
    P::Target: Generator<(), Yield = ()>,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GeneratorFuture")
            .field("status", &self.generator.status())
            .finish()
    }
}
