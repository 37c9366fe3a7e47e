//! The async driver: the async generator type [`AsyncGen`] that `#[generator]` makes of an
//! `async fn`. It runs the same lowered body as [`Gen`], with the executor's real waker,
//! and a poll that is not a suspension is a step in progress instead of an error.
//!
//! How a foreign `Pending` and a yield are told apart: a yield point writes its value into
//! this step's exchange area before it returns `Pending`; any other future that returns
//! `Pending` (a channel, a timer, a socket) writes nothing there. So after each poll of the
//! body, a filled exchange area means "yielded" and an empty one means "waiting": the
//! generator keeps its step in progress and returns `Pending` to the executor, whose waker
//! the foreign future has registered (the bridge hands out clones of the real waker).

use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::ptr;
use core::task::{Context, Poll, Waker};

use futures_core::{FusedStream, Stream};

use super::driver::{Body, CLOSED, CloseOnUnwind, Gen, Head, Outcome, run_parked};
use super::exchange::Io;
use super::yield_point::{Awaiting, Co};
use crate::async_generator::running_misuse;
use crate::generator::Sealed;
use crate::state::misuse;
use crate::{AsyncGenerator, GeneratorState, Status};

/// Make the async generator whose body `make_body` makes from its capability: the lowered
/// `async` block, which yields `Y`, is sent `S`, and may `.await` anything. As
/// [`generator`](super::driver::generator), safe to call with anything.
#[cfg_attr(not(debug_assertions), inline(always))]
pub fn async_generator<Y, S, const DELEGATES: bool, R, M, F>(
    make_body: M,
) -> AsyncGen<F, Y, S, DELEGATES>
where
    M: FnOnce(Co<Y, S, Awaiting>) -> F,
    F: Future<Output = R>,
{
    AsyncGen {
        generator: Gen::make(make_body),
        returned: None,
    }
}

/// The state machine `#[generator]` makes of an `async fn`: a [`Gen`] driven with the
/// executor's waker, and the return value a `Stream` poll completed with.
pub struct AsyncGen<F: Future, Y, S, const DELEGATES: bool = false> {
    generator: Gen<F, Y, S, DELEGATES>,
    /// Kept when the generator completes under `Stream::poll_next`, which has no place
    /// for it: [`AsyncGenerator::take_return`].
    returned: Option<F::Output>,
}

// The return value is never pinned; the generator is `!Unpin` through `Gen`'s body.
impl<F: Future, Y, S, const D: bool> AsyncGen<F, Y, S, D> {
    /// The generator and the return slot, the generator still pinned.
    #[cfg_attr(not(debug_assertions), inline(always))]
    fn project(self: Pin<&mut Self>) -> (&mut Gen<F, Y, S, D>, &mut Option<F::Output>) {
        // SAFETY: `generator` is structurally pinned (never moved out, dropped in place by
        // its own `Drop`), and the callers only use the `&mut Gen` the way `Gen`'s own
        // pinned methods do; `returned` is not structurally pinned.
        let this = unsafe { self.get_unchecked_mut() };
        (&mut this.generator, &mut this.returned)
    }

    /// One poll of a step ([`poll_step`] with this generator's body).
    ///
    /// # Safety
    /// `generator` is pinned (the one `project` gives of a pinned `AsyncGen`) and not
    /// closed.
    #[cfg_attr(not(debug_assertions), inline(always))]
    unsafe fn poll_step(
        generator: &mut Gen<F, Y, S, D>,
        waker: &Waker,
        sent: Option<S>,
    ) -> Poll<GeneratorState<Y, F::Output>> {
        let (head, body) = generator.split();
        // SAFETY: `split` gives the body with its head; the generator is pinned and not
        // closed (the caller's promise).
        unsafe { poll_step::<Y, S, F::Output, D>(head, &body, waker, sent) }
    }
}

/// One poll of a step: `sent` is for the suspended yield (`None` to start, or to go on
/// with a step in progress). The caller has checked that the status allows it. Of the
/// head and the body, not `AsyncGen<F, ..>`: see [`Head`].
///
/// # Safety
/// `body` is the body of the generator whose head `head` is, which is pinned and not
/// closed.
#[cfg_attr(not(debug_assertions), inline(always))]
unsafe fn poll_step<Y, S, R, const D: bool>(
    head: &mut Head<Y, S>,
    body: &Body<R>,
    waker: &Waker,
    sent: Option<S>,
) -> Poll<GeneratorState<Y, R>> {
    let mut io = Io::new(sent);
    let raw = ptr::from_mut(head);
    // SAFETY: `raw` is this head, `body` its generator's (the caller's promise); the guard
    // is forgotten unless the poll unwinds.
    let guard = unsafe { CloseOnUnwind::<Y, S, D>::new(raw, body.place()) };
    // SAFETY: derived from `raw`, which the guard only uses when this access is over.
    let this = unsafe { &mut *raw };
    if D && let Some(parked) = this.parked
        // SAFETY: `parked` is this generator's, which the caller holds.
        && unsafe { run_parked(&mut this.parked, parked, &mut io, waker) }.is_pending()
    {
        core::mem::forget(guard);
        return if io.has_suspended() {
            this.state.set(Status::Suspended);
            Poll::Ready(GeneratorState::Yielded(io.take_yielded()))
        } else {
            // Its innermost generator waits; the parked trampoline goes on next time.
            this.state.set_running();
            Poll::Pending
        };
    }
    // SAFETY: the caller's promise.
    let outcome = unsafe { this.poll_body::<R, D>(body, &mut io, waker) };
    core::mem::forget(guard);
    if D && let Some(parked) = io.take_parked() {
        // Marked parked by `Io::park`: alive, pinned in the body (see `Gen::step`).
        this.parked = Some(parked);
    }
    match outcome {
        Outcome::Complete(value) => Poll::Ready(GeneratorState::Complete(value)),
        Outcome::Suspended => Poll::Ready(GeneratorState::Yielded(io.take_yielded())),
        Outcome::Awaiting => {
            this.state.set_running();
            Poll::Pending
        }
    }
}

impl<F: Future, Y, S, const D: bool> AsyncGenerator<S> for AsyncGen<F, Y, S, D> {
    type Yield = Y;
    type Return = F::Output;

    #[cfg_attr(not(debug_assertions), inline(always))]
    fn poll_resume(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        arg: &mut Option<S>,
    ) -> Poll<GeneratorState<Y, F::Output>> {
        let (generator, _) = self.project();
        let state = generator.head.state;
        let sent = match (state.status(), arg.is_some()) {
            (Status::Created, false) => None,
            (Status::Suspended, false) if state.is_running() => None,
            (Status::Suspended, true) if !state.is_running() => arg.take(),
            (Status::Suspended, true) => running_misuse(),
            (status, false) => misuse("start", status),
            (status, true) => misuse("resume", status),
        };
        // SAFETY: projected from the pinned `self`; the match above refused a closed one.
        unsafe { Self::poll_step(generator, cx.waker(), sent) }
    }

    #[inline]
    fn status(&self) -> Status {
        self.generator.head.state.status()
    }

    #[inline]
    fn is_running(&self) -> bool {
        self.generator.head.state.is_running()
    }

    fn close(self: Pin<&mut Self>) {
        self.project().0.drop_body();
    }

    fn take_return(self: Pin<&mut Self>) -> Option<F::Output> {
        self.project().1.take()
    }

    #[cfg_attr(not(debug_assertions), inline(always))]
    fn __cogen_poll(
        self: Pin<&mut Self>,
        io: &mut Io<Y, S>,
        waker: &Waker,
        _: Sealed,
    ) -> Poll<F::Output> {
        let (generator, _) = self.project();
        let (head, body) = generator.split();
        // SAFETY: `split` gives the body with its head; the generator is pinned (projected
        // from a pinned `AsyncGen`).
        match unsafe { head.poll_as_delegate::<_, D>(&body, io, waker) } {
            Outcome::Complete(value) => Poll::Ready(value),
            Outcome::Suspended => Poll::Pending,
            Outcome::Awaiting => {
                head.state.set_running();
                Poll::Pending
            }
        }
    }
}

/// An async generator with `send = ()` is a `Stream` of its yields. When it completes, its
/// return value is kept for [`AsyncGenerator::take_return`].
impl<F: Future, Y, const D: bool> Stream for AsyncGen<F, Y, (), D> {
    type Item = Y;

    #[cfg_attr(not(debug_assertions), inline(always))]
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Y>> {
        let (generator, returned) = self.project();
        // The status bits tested directly, the hot case (suspended: 1) first; a match on
        // `status()` was a jump table of 8 instructions an item (PROFILING.md, W6).
        let low = generator.head.state.low_bits();
        if low == CLOSED {
            return Poll::Ready(None);
        }
        // Created (0) and running (3) go on without a value; suspended (1) resumes.
        let sent = (low == 1).then_some(());
        // SAFETY: projected from the pinned `self`; a closed one returned above.
        match unsafe { Self::poll_step(generator, cx.waker(), sent) } {
            Poll::Ready(GeneratorState::Yielded(value)) => Poll::Ready(Some(value)),
            Poll::Ready(GeneratorState::Complete(value)) => {
                *returned = Some(value);
                Poll::Ready(None)
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<F: Future, Y, const D: bool> FusedStream for AsyncGen<F, Y, (), D> {
    fn is_terminated(&self) -> bool {
        self.generator.head.state.status() == Status::Closed
    }
}

impl<F: Future, Y, S, const D: bool> fmt::Debug for AsyncGen<F, Y, S, D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncGenerator")
            .field("status", &self.generator.head.state.status())
            .field("running", &self.generator.head.state.is_running())
            .finish_non_exhaustive()
    }
}
