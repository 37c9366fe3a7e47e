//! The async generator protocol: PEP 525's asynchronous generator object as a trait.

#[cfg(feature = "alloc")]
use alloc::boxed::Box;
use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};

use crate::generator::Sealed;
use crate::raw::exchange::Io;
use crate::state::misuse;
use crate::{GeneratorState, Status, Throwable};

/// A generator whose body may also wait: it `.await`s any `std::future::Future` between
/// its yields, yields values of type [`Yield`](AsyncGenerator::Yield), receives values of
/// type `S` at each yield, and finally returns a [`Return`](AsyncGenerator::Return).
///
/// `#[generator]` on an `async fn` makes one. This is Python's asynchronous generator
/// (PEP 525): [`start`](AsyncGenerator::start) is `__anext__` on a fresh generator,
/// [`resume`](AsyncGenerator::resume) is `asend(v)`, [`throw`](AsyncGenerator::throw) is
/// `athrow(e)`, [`close`](AsyncGenerator::close) is `aclose()` (drop, innermost first), and
/// [`status`](AsyncGenerator::status) with [`is_running`](AsyncGenerator::is_running) is
/// `inspect.getasyncgenstate`. Each of `start`, `resume` and `throw` is a future that
/// evaluates to a [`GeneratorState`]. With `send = ()` the generator is also a
/// `futures::Stream` of its yields (and a `FusedStream`).
///
/// ```
/// use cogen::{generator, yield_, AsyncGenerator, GeneratorState::*};
/// use futures::executor::block_on;
///
/// #[generator(yield = u32, send = u32)]
/// async fn running_total(ready: futures::channel::oneshot::Receiver<u32>) -> u32 {
///     let mut total = ready.await.unwrap_or(0); // waits for the channel, with the real waker
///     loop {
///         let x = yield_!(total);
///         if x == 0 {
///             return total;
///         }
///         total += x;
///     }
/// }
///
/// block_on(async {
///     let (tx, rx) = futures::channel::oneshot::channel();
///     let mut g = std::pin::pin!(running_total(rx));
///     tx.send(100).unwrap();
///     assert_eq!(g.as_mut().start().await, Yielded(100));
///     assert_eq!(g.as_mut().resume(5).await, Yielded(105));
///     assert_eq!(g.as_mut().resume(0).await, Complete(105));
/// });
/// ```
///
/// # A step in progress
/// A step (`start`, `resume`, `throw`, or a stream's `poll_next`) can span many polls:
/// while the body waits in an `.await`, the step is *in progress*
/// ([`is_running`](AsyncGenerator::is_running); the status is still `Suspended`). The
/// value a step sends is handed to the body at the step's first poll, so it is never lost:
/// if the future of a `resume(v)` is dropped while the body waits (a `select!` took another
/// branch, a timeout expired), the body has `v` and the step stays in progress, neither
/// undone nor cancelled. The next `start()` or `poll_next` goes on with it and returns what
/// it yields; a `resume`/`throw` then would have no yield to deliver its value to, and
/// panics (Python: "asynchronous generator is already running").
///
/// # Misuse
/// As for [`Generator`](crate::Generator): resuming a generator that has not started,
/// starting one that is suspended at a yield, and any step of a closed one panic with a
/// message that says what to call instead, at the caller's line, before anything is touched.
#[must_use = "an async generator does nothing until polled (`start().await`, or as a Stream)"]
pub trait AsyncGenerator<S = ()> {
    /// The type of the values handed out by `yield_!` (`#[generator(yield = Y)]`); see the
    /// trait's example.
    type Yield;
    /// The type of the value the generator completes with: the `async fn`'s written return
    /// type; see the trait's example.
    type Return;

    /// Poll the current step: the poll-level protocol under `start`, `resume` and `throw`.
    ///
    /// `arg` is the value for the suspended `yield_!`: `None` to start a fresh generator or
    /// to go on with a step in progress, `Some(v)` to resume one suspended at a yield. It is
    /// taken (left `None`) at the poll that hands it to the body. `Ready` ends the step with
    /// a yielded value or the return value; `Pending` means the body waits in an `.await`,
    /// and `cx`'s waker will be woken when it can go on.
    ///
    /// A hand-written driver polls it directly (this is what the `Resume` futures do):
    ///
    /// ```
    /// use core::task::{Context, Poll, Waker};
    /// use cogen::{generator, yield_, AsyncGenerator, GeneratorState};
    ///
    /// #[generator(yield = u32, send = u32)]
    /// async fn doubler() {
    ///     let mut x = 1;
    ///     loop {
    ///         x = yield_!(2 * x);
    ///     }
    /// }
    ///
    /// let mut g = std::pin::pin!(doubler());
    /// let mut cx = Context::from_waker(Waker::noop());
    /// let mut arg = None; // start
    /// assert_eq!(g.as_mut().poll_resume(&mut cx, &mut arg), Poll::Ready(GeneratorState::Yielded(2)));
    /// let mut arg = Some(21); // resume(21)
    /// assert_eq!(g.as_mut().poll_resume(&mut cx, &mut arg), Poll::Ready(GeneratorState::Yielded(42)));
    /// assert_eq!(arg, None); // taken by the body
    /// ```
    ///
    /// # Panics
    /// If `arg` does not fit the status (see the trait's docs), or the generator is closed.
    fn poll_resume(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        arg: &mut Option<S>,
    ) -> Poll<GeneratorState<Self::Yield, Self::Return>>;

    /// Where the generator is: created, suspended (at a yield, or waiting in an `.await`
    /// within a step), or closed.
    ///
    /// ```
    /// use cogen::{generator, yield_, AsyncGenerator, Status};
    /// use futures::executor::block_on;
    ///
    /// #[generator(yield = u32)]
    /// async fn one() {
    ///     yield_!(1);
    /// }
    ///
    /// let mut g = std::pin::pin!(one());
    /// assert_eq!(g.status(), Status::Created);
    /// block_on(g.as_mut().start());
    /// assert_eq!(g.status(), Status::Suspended);
    /// block_on(g.as_mut().resume(()));
    /// assert_eq!(g.status(), Status::Closed);
    /// ```
    fn status(&self) -> Status;

    /// Whether a step is in progress: the body waits in an `.await` (Python's
    /// `ag_running`). Only then is a `Suspended` generator not at a yield.
    ///
    /// ```
    /// use core::task::{Context, Waker};
    /// use cogen::{generator, yield_, AsyncGenerator};
    ///
    /// #[generator(yield = u32)]
    /// async fn late(rx: futures::channel::oneshot::Receiver<u32>) {
    ///     yield_!(rx.await.unwrap());
    /// }
    ///
    /// let (tx, rx) = futures::channel::oneshot::channel();
    /// let mut g = std::pin::pin!(late(rx));
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert!(g.as_mut().poll_resume(&mut cx, &mut None).is_pending()); // waits in `rx.await`
    /// assert!(g.is_running());
    /// tx.send(7).unwrap();
    /// assert!(g.as_mut().poll_resume(&mut cx, &mut None).is_ready()); // yielded 7
    /// assert!(!g.is_running());
    /// ```
    fn is_running(&self) -> bool;

    /// Finish early (Python's `aclose()`): drop the generator's live state in place, its
    /// delegates first, then its own locals innermost first, also while a step is in
    /// progress (the future it waits for is dropped: cancelled). Afterwards the status is
    /// [`Closed`](Status::Closed). A closed generator is left as it is.
    ///
    /// ```
    /// use core::task::{Context, Waker};
    /// use cogen::{generator, yield_, AsyncGenerator, Status};
    ///
    /// #[generator(yield = u32)]
    /// async fn waiting(rx: futures::channel::oneshot::Receiver<u32>) {
    ///     yield_!(rx.await.unwrap_or(0));
    /// }
    ///
    /// let (tx, rx) = futures::channel::oneshot::channel::<u32>();
    /// let mut g = std::pin::pin!(waiting(rx));
    /// let _ = g.as_mut().poll_resume(&mut Context::from_waker(Waker::noop()), &mut None);
    /// g.as_mut().close(); // drops the receiver the body was waiting on
    /// assert_eq!(g.status(), Status::Closed);
    /// assert!(tx.is_canceled());
    /// ```
    fn close(self: Pin<&mut Self>);

    /// The return value of a generator that completed while polled as a `Stream`
    /// (`poll_next` returns `None` and keeps it here); `None` otherwise, or once taken.
    ///
    /// ```
    /// use cogen::{generator, yield_, AsyncGenerator};
    /// use futures::{executor::block_on, StreamExt};
    ///
    /// #[generator(yield = char)]
    /// async fn letters() -> usize {
    ///     yield_!('a');
    ///     yield_!('b');
    ///     2
    /// }
    ///
    /// let mut s = std::pin::pin!(letters());
    /// let items: Vec<char> = block_on(s.as_mut().collect());
    /// assert_eq!(items, ['a', 'b']);
    /// assert_eq!(s.as_mut().take_return(), Some(2));
    /// ```
    fn take_return(self: Pin<&mut Self>) -> Option<Self::Return> {
        None
    }

    /// Run a fresh generator up to its first `yield_!` (Python: `__anext__()` /
    /// `asend(None)` on a new generator); also goes on with a step in progress.
    ///
    /// ```
    /// use cogen::{generator, yield_, AsyncGenerator, GeneratorState};
    /// use futures::executor::block_on;
    ///
    /// #[generator(yield = &'static str)]
    /// async fn hello() {
    ///     yield_!("hello");
    /// }
    ///
    /// let mut g = std::pin::pin!(hello());
    /// assert_eq!(block_on(g.as_mut().start()), GeneratorState::Yielded("hello"));
    /// ```
    ///
    /// # Panics
    /// Here, at the caller's line, if the generator is suspended at a yield (use
    /// [`resume`](AsyncGenerator::resume)) or closed.
    #[track_caller]
    fn start(self: Pin<&mut Self>) -> Resume<'_, Self, S>
    where
        Self: Sized,
    {
        let status = self.status();
        if status == Status::Closed || (status == Status::Suspended && !self.is_running()) {
            misuse("start", status);
        }
        Resume::new(self, None)
    }

    /// Deliver `arg` as the value of the suspended `yield_!` and run to the next one
    /// (Python: `asend(arg)`).
    ///
    /// ```
    /// use cogen::{generator, yield_, AsyncGenerator, GeneratorState};
    /// use futures::executor::block_on;
    ///
    /// #[generator(yield = String, send = &'static str)]
    /// async fn echo() {
    ///     let mut heard = yield_!(String::new());
    ///     loop {
    ///         heard = yield_!(heard.to_uppercase());
    ///     }
    /// }
    ///
    /// let mut g = std::pin::pin!(echo());
    /// block_on(async {
    ///     g.as_mut().start().await;
    ///     assert_eq!(g.as_mut().resume("hi").await, GeneratorState::Yielded("HI".to_string()));
    /// });
    /// ```
    ///
    /// # Panics
    /// Here, at the caller's line, if the generator has not started, is closed, or has a
    /// step in progress.
    #[track_caller]
    fn resume(self: Pin<&mut Self>, arg: S) -> Resume<'_, Self, S>
    where
        Self: Sized,
    {
        check_resumable(self.status(), self.is_running(), "resume");
        Resume::new(self, Some(arg))
    }

    /// Throw an error in at the suspended `yield_!` (Python: `athrow(e)`), for generators
    /// declared with `send = Result<T, E>`: `resume(Err(error))`.
    ///
    /// ```
    /// use cogen::{generator, yield_, AsyncGenerator, GeneratorState};
    /// use futures::executor::block_on;
    ///
    /// #[generator(yield = u32, send = Result<(), String>)]
    /// async fn ticks() -> String {
    ///     let mut n = 0;
    ///     loop {
    ///         if let Err(why) = yield_!(n) {
    ///             return format!("stopped at {n}: {why}");
    ///         }
    ///         n += 1;
    ///     }
    /// }
    ///
    /// let mut g = std::pin::pin!(ticks());
    /// block_on(async {
    ///     g.as_mut().start().await;
    ///     g.as_mut().resume(Ok(())).await;
    ///     let end = g.as_mut().throw("enough".to_string()).await;
    ///     assert_eq!(end, GeneratorState::Complete("stopped at 1: enough".to_string()));
    /// });
    /// ```
    ///
    /// # Panics
    /// As [`resume`](AsyncGenerator::resume).
    #[track_caller]
    fn throw(self: Pin<&mut Self>, error: <S as Throwable>::Error) -> Resume<'_, Self, S>
    where
        Self: Sized,
        S: Throwable,
    {
        check_resumable(self.status(), self.is_running(), "throw into");
        Resume::new(self, Some(S::from_error(error)))
    }

    /// Drive one poll on behalf of a delegating async generator. Not part of the public
    /// API (sealed: it cannot be called or overridden outside cogen): `yield_from!` calls it
    /// so that a chain shares one exchange area, as [`Generator`](crate::Generator)'s does.
    #[doc(hidden)]
    fn __cogen_poll(
        self: Pin<&mut Self>,
        io: &mut Io<Self::Yield, S>,
        waker: &Waker,
        _: Sealed,
    ) -> Poll<Self::Return> {
        let mut arg = io.take_sent();
        match self.poll_resume(&mut Context::from_waker(waker), &mut arg) {
            Poll::Ready(GeneratorState::Yielded(value)) => {
                io.put_yielded(value);
                Poll::Pending
            }
            Poll::Ready(GeneratorState::Complete(value)) => Poll::Ready(value),
            Poll::Pending => Poll::Pending,
        }
    }
}

#[track_caller]
fn check_resumable(status: Status, running: bool, what: &str) {
    match status {
        Status::Suspended if running => running_misuse(),
        Status::Suspended => {}
        other => misuse(what, other),
    }
}

/// A `resume`/`throw` while a step is in progress: there is no yield to deliver to.
#[cold]
#[track_caller]
pub(crate) fn running_misuse() -> ! {
    panic!(
        "cannot resume an async generator whose step is still in progress (the future of an \
         earlier step was dropped while the body waited in `.await`; the body has that step's \
         value): go on with the step first, with `start().await` or the stream's next item \
         (Python: asynchronous generator is already running)"
    )
}

/// The future of one step of an [`AsyncGenerator`]: what [`start`](AsyncGenerator::start),
/// [`resume`](AsyncGenerator::resume) and [`throw`](AsyncGenerator::throw) return. It
/// evaluates to what the step produced; dropping it before the end leaves the step in
/// progress (see [`AsyncGenerator`]).
///
/// ```
/// use cogen::{generator, yield_, AsyncGenerator, GeneratorState::*, Resume};
///
/// #[generator(yield = u8)]
/// async fn one() { yield_!(1); }
///
/// let mut g = std::pin::pin!(one());
/// let step: Resume<'_, _, ()> = g.as_mut().start();
/// assert_eq!(futures::executor::block_on(step), Yielded(1));
/// ```
#[must_use = "a step does nothing unless awaited"]
pub struct Resume<'a, G: AsyncGenerator<S> + ?Sized, S> {
    generator: Pin<&'a mut G>,
    arg: Option<S>,
    done: bool,
}

impl<'a, G: AsyncGenerator<S> + ?Sized, S> Resume<'a, G, S> {
    /// The step that sends `arg` (`None` to start, or to go on with a step in progress):
    /// a future of [`AsyncGenerator::poll_resume`]. Works for `dyn AsyncGenerator` too.
    ///
    /// ```
    /// use cogen::{generator, yield_, AsyncGenerator, Resume};
    /// use std::pin::Pin;
    ///
    /// #[generator(yield = u8)]
    /// async fn one() { yield_!(1); }
    ///
    /// let mut g: Pin<Box<dyn AsyncGenerator<Yield = u8, Return = ()>>> = Box::pin(one());
    /// let first = futures::executor::block_on(Resume::new(g.as_mut(), None));
    /// assert_eq!(first.yielded(), Some(1));
    /// ```
    pub fn new(generator: Pin<&'a mut G>, arg: Option<S>) -> Self {
        Resume {
            generator,
            arg,
            done: false,
        }
    }
}

// Holds a `Pin<&mut G>` and the value to send, which is never pinned.
impl<G: AsyncGenerator<S> + ?Sized, S> Unpin for Resume<'_, G, S> {}

impl<G: AsyncGenerator<S> + ?Sized, S> Future for Resume<'_, G, S> {
    type Output = GeneratorState<G::Yield, G::Return>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if this.done {
            panic!("a cogen `Resume` future was polled after it completed");
        }
        let step = this.generator.as_mut().poll_resume(cx, &mut this.arg);
        this.done = step.is_ready();
        step
    }
}

impl<G: AsyncGenerator<S> + ?Sized, S> fmt::Debug for Resume<'_, G, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Resume")
            .field("status", &self.generator.status())
            .field("sends", &self.arg.is_some())
            .field("done", &self.done)
            .finish()
    }
}

/// The methods a pinned pointer forwards unchanged to the async generator it points to.
macro_rules! forward_to_target {
    () => {
        type Yield = G::Yield;
        type Return = G::Return;

        #[inline]
        fn poll_resume(
            self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            arg: &mut Option<S>,
        ) -> Poll<GeneratorState<Self::Yield, Self::Return>> {
            self.get_mut().as_mut().poll_resume(cx, arg)
        }

        #[inline]
        fn status(&self) -> Status {
            (**self).status()
        }

        #[inline]
        fn is_running(&self) -> bool {
            (**self).is_running()
        }

        #[inline]
        fn close(self: Pin<&mut Self>) {
            self.get_mut().as_mut().close()
        }

        #[inline]
        fn take_return(self: Pin<&mut Self>) -> Option<Self::Return> {
            self.get_mut().as_mut().take_return()
        }
    };
}

/// A borrowed async generator is an async generator: it can be driven, and delegated to
/// with `yield_from!` without giving it up (it stays its owner's, as for
/// [`Generator`](crate::Generator)).
impl<G: AsyncGenerator<S> + ?Sized, S> AsyncGenerator<S> for Pin<&mut G> {
    forward_to_target!();

    #[inline]
    fn __cogen_poll(
        self: Pin<&mut Self>,
        io: &mut Io<Self::Yield, S>,
        waker: &Waker,
        sealed: Sealed,
    ) -> Poll<Self::Return> {
        // Not the delegator's to own: its boxed delegations stay on its own trampoline.
        io.without_trampoline(|io| self.get_mut().as_mut().__cogen_poll(io, waker, sealed))
    }
}

/// A boxed async generator is an async generator, also behind `dyn`:
/// `Pin<Box<dyn AsyncGenerator<S, Yield = Y, Return = R> + Send>>` can be driven (with
/// [`Resume::new`], or its own `start`/`resume` through `Pin::new(&mut boxed)`), delegated
/// to with `yield_from!`, and kept in collections.
#[cfg(feature = "alloc")]
#[cfg_attr(docsrs, doc(cfg(feature = "alloc")))]
impl<G: AsyncGenerator<S> + ?Sized, S> AsyncGenerator<S> for Pin<Box<G>> {
    forward_to_target!();

    #[inline]
    fn __cogen_poll(
        self: Pin<&mut Self>,
        io: &mut Io<Self::Yield, S>,
        waker: &Waker,
        sealed: Sealed,
    ) -> Poll<Self::Return> {
        self.get_mut().as_mut().__cogen_poll(io, waker, sealed)
    }
}
