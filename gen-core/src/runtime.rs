//! What `#[generator]` expands to: the body token [`Co`], the generator type [`Gen`], and
//! the yield future. Reached from generated code through `cogen::__private` only.
//!
//! Everything here is reached only through the hidden `__private` module.
#![allow(missing_docs)]

use core::cell::UnsafeCell;
use core::fmt;
use core::future::Future;
use core::marker::PhantomData;
use core::mem::MaybeUninit;
use core::pin::Pin;
use core::ptr::{self, NonNull};
use core::task::{Context, Poll, Waker};

use crate::bridge::{bridged, with_bridge};
use crate::delegate::{Frame, Stack, run_trampoline};
use crate::{Generator, GeneratorState, Status};

/// The exchange area of one poll: the value sent in, the value yielded out.
///
/// It lives on the stack of whoever drives the outermost generator and is shared, by
/// pointer, by every generator of a delegation chain during that poll.
pub struct Io<Y, S> {
    sent: Option<S>,
    yielded: Option<Y>,
    /// A trampoline is running this poll: a boxed `yield_from!` hands its generator up.
    trampoline: bool,
    /// The boxed generator a `yield_from!` handed up to the running trampoline.
    handed_off: Option<Frame<Y, S>>,
    /// A trampoline that suspended (yielded) in this poll, for the outermost generator to
    /// resume directly next time (see `Gen::parked`).
    parked: Option<NonNull<Stack<Y, S>>>,
}

impl<Y, S> Io<Y, S> {
    #[inline(always)]
    pub(crate) fn new(sent: Option<S>) -> Self {
        Io {
            sent,
            yielded: None,
            trampoline: false,
            handed_off: None,
            parked: None,
        }
    }

    /// The value yielded in this step.
    #[inline(always)]
    fn take_yielded(&mut self) -> Y {
        match self.yielded.take() {
            Some(value) => value,
            None => unreachable!("cogen: a generator suspended without yielding"),
        }
    }

    /// Offer a suspended trampoline to the outermost generator.
    #[inline(always)]
    pub(crate) fn park(&mut self, stack: NonNull<Stack<Y, S>>) {
        self.parked = Some(stack);
    }

    #[inline(always)]
    fn take_parked(&mut self) -> Option<NonNull<Stack<Y, S>>> {
        self.parked.take()
    }

    #[inline(always)]
    pub(crate) fn in_trampoline(&self) -> bool {
        self.trampoline
    }

    /// Mark a trampoline as running; returns the previous mark for `leave_trampoline`.
    #[inline(always)]
    pub(crate) fn enter_trampoline(&mut self) -> bool {
        core::mem::replace(&mut self.trampoline, true)
    }

    #[inline(always)]
    pub(crate) fn leave_trampoline(&mut self, outer: bool) {
        self.trampoline = outer;
    }

    /// Run `poll` with no trampoline visible (for a generator the caller does not own).
    #[inline(always)]
    pub(crate) fn without_trampoline<T>(&mut self, poll: impl FnOnce(&mut Self) -> T) -> T {
        let outer = core::mem::replace(&mut self.trampoline, false);
        let result = poll(self);
        self.trampoline = outer;
        // Nor may its trampoline be parked in a generator that does not own it.
        self.parked = None;
        result
    }

    pub(crate) fn hand_off(&mut self, frame: Frame<Y, S>) {
        debug_assert!(self.handed_off.is_none());
        self.handed_off = Some(frame);
    }

    #[inline(always)]
    pub(crate) fn take_hand_off(&mut self) -> Option<Frame<Y, S>> {
        self.handed_off.take()
    }

    /// The value sent in by this poll's `resume`, if not taken yet.
    #[inline(always)]
    pub fn take_sent(&mut self) -> Option<S> {
        self.sent.take()
    }

    /// Hand `value` out as this poll's yielded value.
    #[inline(always)]
    pub fn put_yielded(&mut self, value: Y) {
        debug_assert!(self.yielded.is_none(), "two values yielded in one step");
        self.yielded = Some(value);
    }

    #[inline(always)]
    fn has_suspended(&self) -> bool {
        self.yielded.is_some() || self.handed_off.is_some()
    }
}

/// The body's capability to yield `Y` and receive `S`: a zero-sized token that fixes both
/// types, lifetimes included (it is invariant in them), for the body's yield points.
pub struct Co<Y, S> {
    _types: Invariant<Y, S>,
}

/// Invariant in `Y` and `S` (lifetimes included), and `Send + Sync` whatever they are.
type Invariant<Y, S> = PhantomData<fn(Y, S) -> (Y, S)>;

impl<Y, S> Clone for Co<Y, S> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<Y, S> Copy for Co<Y, S> {}

impl<Y, S> Co<Y, S> {
    /// A token for a new generator body.
    #[inline(always)]
    #[allow(clippy::new_without_default)]
    pub const fn new() -> Self {
        Co {
            _types: PhantomData,
        }
    }

    /// Make the generator that runs `body`, the lowered `async` block. `R` is the fn's
    /// return type, named so that `return` and `?` in the body are checked against it.
    /// `DELEGATES`: the body contains `yield_from!`, so it may park a trampoline (see
    /// `Gen::parked`); a generator that cannot pays nothing for it.
    #[inline(always)]
    pub fn generator<const DELEGATES: bool, R, F: Future<Output = R>>(
        self,
        body: F,
    ) -> Gen<F, Y, S, DELEGATES> {
        Gen {
            status: Status::Created,
            parked: None,
            body: UnsafeCell::new(MaybeUninit::new(body)),
            _co: self,
        }
    }

    /// The future `yield_!(value)` lowers to: hands `value` out, evaluates to the sent value.
    #[inline(always)]
    pub fn yield_(self, value: Y) -> YieldNow<Y, S> {
        YieldNow {
            value: Some(value),
            _co: self,
        }
    }
}

/// `yield_!(v)`: on its first poll it puts `v` in the exchange area and suspends; on the
/// next it takes the value that `resume` sent.
pub struct YieldNow<Y, S> {
    value: Option<Y>,
    _co: Co<Y, S>,
}

impl<Y, S> Unpin for YieldNow<Y, S> {}

impl<Y, S> Future for YieldNow<Y, S> {
    type Output = S;

    #[inline(always)]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<S> {
        // SAFETY: a `YieldNow<Y, S>` is only made by `Co<Y, S>::yield_` in the body of the
        // generator whose type carries that `Co<Y, S>`, and only that generator polls it.
        let (io, _) = unsafe { bridged::<Y, S>(cx) };
        match self.value.take() {
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

/// The state machine `#[generator]` makes: the lowered body and where it is.
///
/// The body sits in an `UnsafeCell` because it may hold references into itself (a local
/// borrowed across a yield): a shared `&Gen` (from `status`) must not claim its bytes as
/// read-only, which would invalidate those references. Nothing reads the body through a
/// shared reference.
///
/// Invariant: `body` is initialized unless `status` is `Closed`. `body` is structurally
/// pinned: it is never moved while initialized, and it is dropped in place.
pub struct Gen<F, Y, S, const DELEGATES: bool = false> {
    status: Status,
    /// The trampoline of the `yield_from!` the body is suspended in, if it runs one: `step`
    /// resumes its innermost generator directly instead of re-entering the body (and every
    /// statically nested generator in between) for each item. Points into `body`.
    parked: Option<NonNull<Stack<Y, S>>>,
    body: UnsafeCell<MaybeUninit<F>>,
    _co: Co<Y, S>,
}

// SAFETY: `parked` points into the generator's own (pinned) body, which moves to another
// thread with it; everything else is `F` or phantom.
unsafe impl<F: Send, Y, S, const D: bool> Send for Gen<F, Y, S, D> {}
// SAFETY: a shared `&Gen` only reads `status`; the body is only reached through
// `Pin<&mut Gen>`. (`UnsafeCell` would otherwise make every generator `!Sync`.)
unsafe impl<F, Y, S, const D: bool> Sync for Gen<F, Y, S, D> {}

impl<F, Y, S, const D: bool> Gen<F, Y, S, D> {
    /// Drop the body in place (if it is still there) and mark the generator closed.
    fn drop_body(&mut self) {
        if self.status != Status::Closed {
            // Closed first: if a destructor panics, the body counts as dropped (drop glue
            // still drops the rest) and is never dropped again.
            self.status = Status::Closed;
            self.parked = None;
            // SAFETY: the status was not `Closed`, so the body is initialized; it is pinned,
            // and dropping in place is what pinning allows.
            unsafe { ptr::drop_in_place(self.body.get_mut().as_mut_ptr()) }
        }
    }
}

/// Closes the generator if what it runs panics, dropping whatever the body holds. Defused
/// with `mem::forget` on the normal path, so it costs nothing there.
struct CloseOnUnwind<F, Y, S, const D: bool>(*mut Gen<F, Y, S, D>);

impl<F, Y, S, const D: bool> Drop for CloseOnUnwind<F, Y, S, D> {
    fn drop(&mut self) {
        // SAFETY: made from the `&mut Gen` the caller derives its own access from; only
        // used while unwinding out of that caller, when that access is over.
        unsafe { (*self.0).drop_body() }
    }
}

impl<F: Future, Y, S, const DELEGATES: bool> Gen<F, Y, S, DELEGATES> {
    /// Poll the body once with `io` as the exchange area. `Ready` means it completed;
    /// `Pending` means it suspended (yielded, or handed a delegate up). The caller holds
    /// a `CloseOnUnwind` guard.
    #[inline(always)]
    fn poll_body(&mut self, io: &mut Io<Y, S>, waker: &Waker) -> Poll<F::Output> {
        debug_assert!(self.status != Status::Closed);
        // SAFETY: initialized (status is not `Closed`); `body` is structurally pinned: it
        // is only re-pinned here and dropped in place, never moved.
        let body = unsafe { Pin::new_unchecked(self.body.get_mut().assume_init_mut()) };
        match with_bridge(io, waker, |cx| body.poll(cx)) {
            Poll::Ready(value) => {
                self.drop_body();
                Poll::Ready(value)
            }
            Poll::Pending if io.has_suspended() => {
                self.status = Status::Suspended;
                Poll::Pending
            }
            Poll::Pending => {
                self.drop_body();
                panic!(
                    "a #[generator] body awaited a future that is not ready; `.await` is not \
                     supported in generator bodies (delegate with `yield_from!` instead); \
                     the generator is now closed"
                )
            }
        }
    }

    /// Resume the parked trampoline's innermost generator directly. `Ready` means the
    /// delegation is over: the body must be polled to take its return value. Out of line,
    /// so that generators that never park one keep a small, inlinable `step`.
    #[inline(never)]
    fn run_parked(&mut self, io: &mut Io<Y, S>, waker: &Waker) -> Poll<()> {
        let Some(mut stack) = self.parked else {
            return Poll::Ready(());
        };
        // SAFETY: `parked` is only set while the body is suspended in the `yield_from!`
        // whose (pinned) trampoline stack it points to, and cleared before the body is
        // polled or dropped; the body cannot run meanwhile: we hold it.
        let poll = run_trampoline(unsafe { stack.as_mut() }, io, waker);
        if poll.is_ready() {
            self.parked = None;
        }
        poll
    }

    /// One step driven from outside (`start`, `resume`, iteration): the only entry that
    /// uses and records a parked trampoline.
    #[inline(always)]
    fn step(self: Pin<&mut Self>, sent: Option<S>) -> GeneratorState<Y, F::Output> {
        let mut io = Io::new(sent);
        let waker = Waker::noop();
        // SAFETY: nothing is moved out of the generator (see `poll_body`).
        let raw = ptr::from_mut(unsafe { self.get_unchecked_mut() });
        let guard = CloseOnUnwind(raw);
        // SAFETY: derived from `raw`, which the guard only uses when this access is over.
        let this = unsafe { &mut *raw };
        if DELEGATES && this.parked.is_some() && this.run_parked(&mut io, waker).is_pending() {
            core::mem::forget(guard);
            return GeneratorState::Yielded(io.take_yielded());
        }
        let poll = this.poll_body(&mut io, waker);
        core::mem::forget(guard);
        match poll {
            Poll::Ready(value) => GeneratorState::Complete(value),
            Poll::Pending => {
                if DELEGATES {
                    this.parked = io.take_parked();
                }
                GeneratorState::Yielded(io.take_yielded())
            }
        }
    }
}

#[cold]
#[track_caller]
pub(crate) fn misuse(what: &str, status: Status) -> ! {
    match status {
        Status::Created if what == "resume" => panic!(
            "cannot resume a generator that has not started: call `start()` first \
             (Python: can't send non-None value to a just-started generator)"
        ),
        Status::Created => {
            panic!("cannot {what} a generator that has not started: call `start()` first")
        }
        Status::Suspended => panic!(
            "cannot {what} a generator that has already started: use `resume(value)` to \
             continue it"
        ),
        Status::Closed => panic!(
            "cannot {what} a generator that is closed (it completed, was closed, or \
             panicked); make a new one"
        ),
    }
}

impl<F: Future, Y, S, const D: bool> Generator<S> for Gen<F, Y, S, D> {
    type Yield = Y;
    type Return = F::Output;

    #[inline]
    #[track_caller]
    fn start(self: Pin<&mut Self>) -> GeneratorState<Y, F::Output> {
        if self.status != Status::Created {
            misuse("start", self.status);
        }
        self.step(None)
    }

    #[inline]
    #[track_caller]
    fn resume(self: Pin<&mut Self>, arg: S) -> GeneratorState<Y, F::Output> {
        if self.status != Status::Suspended {
            misuse("resume", self.status);
        }
        self.step(Some(arg))
    }

    fn close(self: Pin<&mut Self>) {
        // SAFETY: dropping in place does not move the body.
        unsafe { self.get_unchecked_mut() }.drop_body();
    }

    #[inline]
    fn status(&self) -> Status {
        self.status
    }

    #[inline]
    fn __cogen_poll(self: Pin<&mut Self>, io: &mut Io<Y, S>, waker: &Waker) -> Poll<F::Output> {
        match self.status {
            // `yield_from!` checks that the generator is fresh before its first poll, and
            // never polls it again once it completed.
            Status::Created if io.sent.is_some() => {
                unreachable!("cogen: a value was sent to a delegate that has not started")
            }
            Status::Closed => unreachable!("cogen: a closed delegate was polled"),
            _ => {
                // SAFETY: nothing is moved out of the generator (see `poll_body`).
                let raw = ptr::from_mut(unsafe { self.get_unchecked_mut() });
                let guard = CloseOnUnwind(raw);
                // SAFETY: derived from `raw`, which the guard only uses on unwinding.
                let poll = unsafe { &mut *raw }.poll_body(io, waker);
                core::mem::forget(guard);
                poll
            }
        }
    }

    #[inline]
    fn __cogen_step(self: Pin<&mut Self>, sent: Option<S>) -> GeneratorState<Y, F::Output> {
        match (self.status, &sent) {
            (Status::Created, None) | (Status::Suspended, Some(_)) => self.step(sent),
            (status, None) => misuse("start", status),
            (status, Some(_)) => misuse("resume", status),
        }
    }
}

impl<F, Y, S, const D: bool> Drop for Gen<F, Y, S, D> {
    fn drop(&mut self) {
        self.drop_body();
    }
}

impl<F, Y, S, const D: bool> fmt::Debug for Gen<F, Y, S, D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Generator")
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

impl<F: Future<Output = ()>, Y, const D: bool> IntoIterator for Gen<F, Y, (), D> {
    type Item = Y;
    type IntoIter = crate::IntoIter<Self>;

    fn into_iter(self) -> Self::IntoIter {
        crate::IntoIter::new(self)
    }
}
