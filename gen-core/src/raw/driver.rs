//! The driver: the generator type [`Gen`] that `#[generator]` makes, which runs the lowered
//! body one step at a time.

use core::cell::UnsafeCell;
use core::fmt;
use core::future::Future;
use core::marker::PhantomData;
use core::mem::MaybeUninit;
use core::pin::Pin;
use core::ptr::{self, NonNull};
use core::task::{Poll, Waker};

use super::bridge::{Bridge, Extent, Owner};
use super::exchange::Io;
use super::trampoline::{self, Trampoline};
use super::yield_point::{Co, Invariant};
use crate::generator::Sealed;
use crate::state::misuse;
use crate::{Generator, GeneratorState, Status};

/// Make the generator whose body `make_body` makes from the generator's capability: the
/// lowered `async` block, which yields `Y` and is sent `S`. `R` is the fn's return type,
/// named so that `return` and `?` in the body are checked against it. `DELEGATES`: the
/// body contains `yield_from!`, so it may park a trampoline (see `Gen::parked`); a
/// generator that cannot pays nothing for it.
///
/// Safe to call with anything: the capability is made here, with this generator's types
/// and identity, so a body can only yield this generator's values.
#[cfg_attr(not(debug_assertions), inline(always))]
pub fn generator<Y, S, const DELEGATES: bool, R, M, F>(make_body: M) -> Gen<F, Y, S, DELEGATES>
where
    M: FnOnce(Co<Y, S>) -> F,
    F: Future<Output = R>,
{
    Gen::make(make_body)
}

/// The state machine `#[generator]` makes: the lowered body and where it is.
///
/// The body sits in an `UnsafeCell` because it may hold references into itself (a local
/// borrowed across a yield): a shared `&Gen` (from `status`) must not claim its bytes as
/// read-only, which would invalidate those references. Nothing reads the body through a
/// shared reference.
///
/// Invariant: `body` is initialized unless the status is `Closed`. `body` is structurally
/// pinned: it is never moved while initialized, and it is dropped in place. `state` holds
/// the status and the identity the body's yield points check.
pub struct Gen<F, Y, S, const DELEGATES: bool = false> {
    pub(super) state: State,
    /// The trampoline of the `yield_from!` the body is suspended in, if it runs one: `step`
    /// resumes its innermost generator directly instead of re-entering the body (and every
    /// statically nested generator in between) for each item. It lives inside `body`;
    /// it is cleared (`unpark`) before the body is polled or dropped.
    pub(super) parked: Option<NonNull<Trampoline<Y, S>>>,
    body: UnsafeCell<MaybeUninit<F>>,
    _types: Invariant<Y, S>,
}

// SAFETY: `parked` points into the generator's own (pinned) body, which moves to another
// thread with it; everything else is `F` or phantom.
unsafe impl<F: Send, Y, S, const D: bool> Send for Gen<F, Y, S, D> {}
// SAFETY: a shared `&Gen` only reads `status`; the body is only reached through
// `Pin<&mut Gen>`. (`UnsafeCell` would otherwise make every generator `!Sync`.)
unsafe impl<F, Y, S, const D: bool> Sync for Gen<F, Y, S, D> {}

impl<F, Y, S, const D: bool> Gen<F, Y, S, D> {
    /// A new generator, its body made from a fresh identity's capability.
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(super) fn make<B>(make_body: impl FnOnce(Co<Y, S, B>) -> F) -> Self {
        let owner = Owner::fresh();
        Gen {
            state: State::new(owner),
            parked: None,
            body: UnsafeCell::new(MaybeUninit::new(make_body(Co::new(owner)))),
            _types: PhantomData,
        }
    }

    /// Drop the body in place (if it is still there) and mark the generator closed.
    pub(super) fn drop_body(&mut self) {
        if self.state.status() != Status::Closed {
            // Closed first: if a destructor panics, the body counts as dropped (drop glue
            // still drops the rest) and is never dropped again.
            self.state.set(Status::Closed);
            unpark::<Y, S, D>(&mut self.parked);
            // SAFETY: the status was not `Closed`, so the body is initialized; it is pinned,
            // and dropping in place is what pinning allows.
            unsafe { ptr::drop_in_place(self.body.get_mut().as_mut_ptr()) }
        }
    }
}

/// A generator's status and identity in one word: the `Owner` in the high bits, the
/// status in the two low bits (a generator is then no larger for having an identity).
///
/// The fourth value, *running*, is only an async generator's: a step is in progress, the
/// body waiting in an `.await`. It counts as [`Status::Suspended`] from outside.
#[derive(Clone, Copy)]
pub(super) struct State(u64);

const RUNNING: u64 = 3;
/// The status bits of a closed generator.
pub(super) const CLOSED: u64 = 2;

impl State {
    #[cfg_attr(not(debug_assertions), inline(always))]
    fn new(owner: Owner) -> State {
        State(owner.with_low_bits(0))
    }

    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(super) fn status(self) -> Status {
        match self.0 & 3 {
            0 => Status::Created,
            1 | RUNNING => Status::Suspended,
            _ => Status::Closed,
        }
    }

    #[cfg_attr(not(debug_assertions), inline(always))]
    fn is_closed(self) -> bool {
        self.0 & 3 == CLOSED
    }

    #[cfg_attr(not(debug_assertions), inline(always))]
    fn is_created(self) -> bool {
        self.0 & 3 == 0
    }

    /// The two status bits as they are: 0 created, 1 suspended, 2 closed, 3 running.
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(super) fn low_bits(self) -> u64 {
        self.0 & 3
    }

    /// [`Status::Suspended`], running included: the low bit (1 and `RUNNING`, 3).
    #[cfg_attr(not(debug_assertions), inline(always))]
    fn is_suspended(self) -> bool {
        self.0 & 1 == 1
    }

    /// A step is in progress: the body is waiting in an `.await` (async generators only).
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(super) fn is_running(self) -> bool {
        self.0 & 3 == RUNNING
    }

    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(super) fn set(&mut self, status: Status) {
        let low = match status {
            Status::Created => 0,
            Status::Suspended => 1,
            Status::Closed => CLOSED,
        };
        self.0 = self.owner().with_low_bits(low);
    }

    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(super) fn set_running(&mut self) {
        self.0 = self.owner().with_low_bits(RUNNING);
    }

    #[cfg_attr(not(debug_assertions), inline(always))]
    fn owner(self) -> Owner {
        Owner::in_word(self.0)
    }
}

// What follows does not depend on the body's type: free functions of the yield and send
// types (and the return type), not methods of `Gen`. A debug build compiles each method of
// `Gen` once per generator; these once per set of types, which the generators of a crate
// mostly share (BENCHMARKS.md, "Compile time"). The optimized build inlines them all.

/// Forget the parked trampoline in `slot` (a generator's `parked`), if any.
#[cfg_attr(not(debug_assertions), inline(always))]
fn unpark<Y, S, const D: bool>(slot: &mut Option<NonNull<Trampoline<Y, S>>>) {
    // Tested before it is taken: no store on the common path, where nothing is parked.
    if D && slot.is_some()
        && let Some(parked) = slot.take()
    {
        // SAFETY: a generator's `parked` is only set while its body is suspended in the
        // `yield_from!` whose pinned trampoline it points to, and this is called before the
        // body is polled or dropped, so that trampoline is alive.
        unsafe { Trampoline::unpark(parked) }
    }
}

/// Resume the parked trampoline's innermost generator directly (`parked` is the one in
/// `slot`, a generator's `parked`). `Ready` means the delegation is over: the body must be
/// polled to take its return value. Inline: out of line, its call and the trampoline
/// loop's register saves cost W3 31 of 184 instructions per item; generators that cannot
/// delegate (`DELEGATES = false`) do not contain it at all.
#[cfg_attr(not(debug_assertions), inline(always))]
pub(super) fn run_parked<Y, S>(
    slot: &mut Option<NonNull<Trampoline<Y, S>>>,
    parked: NonNull<Trampoline<Y, S>>,
    io: &mut Io<Y, S>,
    waker: &Waker,
) -> Poll<()> {
    // SAFETY: `parked` is only set while the body is suspended in the `yield_from!`
    // whose (pinned) trampoline it points to, and cleared before the body is polled or
    // dropped; the body cannot run meanwhile: the caller holds its generator.
    let trampoline = unsafe { &mut *parked.as_ptr() };
    // `io` is the step's own, fresh exchange area (`step`, `AsyncGen::poll_step`):
    // marked here, unmarked before the body may be polled with it. A panic abandons
    // it, so no guard is needed to restore the mark.
    debug_assert!(!io.in_trampoline());
    io.set_trampoline_mark(true);
    let poll = trampoline::run_marked(trampoline, io, waker);
    io.set_trampoline_mark(false);
    if poll.is_ready() {
        unpark::<Y, S, true>(slot);
    }
    poll
}

/// The end of a step whose body was polled and did not wait (`step`): what it came to,
/// recording in `slot` (the generator's `parked`) a trampoline that parked in it.
///
/// # Safety
/// As [`Io::drop_in_place`]: `io` must be forgotten right after.
#[cfg_attr(not(debug_assertions), inline(always))]
unsafe fn end_step<Y, S, R, const D: bool>(
    slot: &mut Option<NonNull<Trampoline<Y, S>>>,
    io: &mut Io<Y, S>,
    outcome: Outcome<R>,
) -> GeneratorState<Y, R> {
    let state = match outcome {
        Outcome::Complete(value) => GeneratorState::Complete(value),
        Outcome::Awaiting => unreachable!("cogen: handled by the caller"),
        Outcome::Suspended => {
            if D && io.has_parked()
                && let Some(parked) = io.take_parked()
            {
                // Marked parked by `Io::park`: a trampoline dropped before now would have
                // aborted, so this one is alive, pinned in the body.
                *slot = Some(parked);
            }
            GeneratorState::Yielded(io.take_yielded())
        }
    };
    // SAFETY: the caller forgets `io` right after.
    unsafe { io.drop_in_place() };
    state
}

/// What a step that suspended yielded.
///
/// # Safety
/// As [`Io::drop_in_place`]: `io` must be forgotten right after.
#[cfg_attr(not(debug_assertions), inline(always))]
unsafe fn end_with_yield<Y, S>(io: &mut Io<Y, S>) -> Y {
    let yielded = io.take_yielded();
    // SAFETY: the caller forgets `io` right after.
    unsafe { io.drop_in_place() };
    yielded
}

/// Let go of what a poll of a body that must not stand left in `io`: a sent value, a
/// trampoline it parked (see `Gen::close_in`).
#[cfg_attr(not(debug_assertions), inline(always))]
fn abandon<Y, S>(io: &mut Io<Y, S>) {
    drop(io.take_sent());
    if let Some(parked) = io.take_parked() {
        // SAFETY: it parked in this poll of the body, which is still alive.
        unsafe { Trampoline::unpark(parked) };
    }
}

/// `poll_as_delegate`'s checks, before the body is polled for a delegating generator.
#[cfg_attr(not(debug_assertions), inline(always))]
fn check_delegate_poll<Y, S>(state: State, io: &Io<Y, S>) {
    // Two bit tests, not a match on the status: this runs for every item a delegate
    // yields (a jump table here cost W3 a few instructions per item).
    // `yield_from!` checks that the generator is fresh (or, with `send = ()`, sends it
    // `()` at its first poll) before its first poll, and never polls it again once it
    // completed.
    if state.is_closed() {
        unreachable!("cogen: a closed delegate was polled")
    }
    // Only a yield point dropped after it yielded leaves a value for a delegate that
    // has not started (see `exchange::stale_yield`).
    if state.is_created() && io.sent.is_some() {
        super::exchange::stale_yield()
    }
}

/// What one poll of a body came to.
pub(super) enum Outcome<R> {
    /// It completed with this value (the body is dropped).
    Complete(R),
    /// It suspended at a yield point (or handed a delegate up to the trampoline).
    Suspended,
    /// It is waiting in an `.await` for something other than its caller.
    Awaiting,
}

/// The panic of a `__cogen_step` whose `sent` does not fit the status, out of line so the
/// step's hot path is one compare and a jump.
#[cold]
#[inline(never)]
#[track_caller]
fn misuse_step(status: Status, resuming: bool) -> ! {
    misuse(if resuming { "resume" } else { "start" }, status)
}

#[cold]
#[inline(never)]
fn awaited_in_sync_body() -> ! {
    panic!(
        "a #[generator] body awaited a future that is not ready; a generator suspends only at \
         `yield_!` (make it an `async fn` to await in it, or delegate with `yield_from!`); the \
         generator is now closed"
    )
}

/// Closes the generator if what it runs panics, dropping whatever the body holds. Defused
/// with `mem::forget` on the normal path, so it costs nothing there.
pub(super) struct CloseOnUnwind<F, Y, S, const D: bool>(pub(super) *mut Gen<F, Y, S, D>);

impl<F, Y, S, const D: bool> Drop for CloseOnUnwind<F, Y, S, D> {
    fn drop(&mut self) {
        // SAFETY: made from the `&mut Gen` the caller derives its own access from; only
        // used while unwinding out of that caller, when that access is over.
        unsafe { (*self.0).drop_body() }
    }
}

impl<F: Future, Y, S, const DELEGATES: bool> Gen<F, Y, S, DELEGATES> {
    /// Poll the body once with `io` as the exchange area: the only place that polls it.
    /// A suspension sets the status; waiting in an `.await` leaves it to the caller (an
    /// error for a generator, a step in progress for an async generator). The caller holds
    /// a `CloseOnUnwind` guard.
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(super) fn poll_body(&mut self, io: &mut Io<Y, S>, waker: &Waker) -> Outcome<F::Output> {
        debug_assert!(self.state.status() != Status::Closed);
        // The body is about to move on from wherever its trampoline was parked.
        unpark::<Y, S, DELEGATES>(&mut self.parked);
        let owner = self.state.owner();
        // Only a delegating body has delegations to check; taking the body's address in any
        // other keeps its state out of registers (W1 2.5x). Without it, every delegation
        // fails the check: a body built with `DELEGATES = false` cannot delegate at all.
        let extent = if DELEGATES {
            Extent::of(self.body.get())
        } else {
            Extent::NONE
        };
        // SAFETY: initialized (status is not `Closed`); `body` is structurally pinned: it
        // is only re-pinned here and dropped in place, never moved.
        let body = unsafe { Pin::new_unchecked(self.body.get_mut().assume_init_mut()) };
        // The bridge made here and not in a function that takes the poll as a closure: that
        // function was one more copy per generator in a debug build.
        let bridge = Bridge::new(io, waker, owner, extent);
        let poll = body.poll(&mut bridge.waker().context());
        if io.sent.is_some() {
            // The body was resumed with a value and did not take it: the yield point it was
            // for was dropped after it yielded (see `exchange::stale_yield`). Close it and
            // say so, rather than drop the value unseen.
            self.close_in(io);
            super::exchange::stale_yield();
        }
        match poll {
            Poll::Ready(value) => {
                self.drop_body();
                Outcome::Complete(value)
            }
            Poll::Pending if io.has_suspended() => {
                self.state.set(Status::Suspended);
                Outcome::Suspended
            }
            Poll::Pending => Outcome::Awaiting,
        }
    }

    /// Close the generator at the end of a poll of its body that must not stand: let go of
    /// what the poll left in `io` (a sent value, a trampoline it parked), then drop the
    /// body. Inline, and never given `self` out of line: a body whose address escapes stays
    /// in memory instead of registers (W1 10x slower).
    #[cfg_attr(not(debug_assertions), inline(always))]
    fn close_in(&mut self, io: &mut Io<Y, S>) {
        abandon(io);
        self.drop_body();
    }

    /// Poll the body on behalf of a delegating generator, with its exchange area: the one
    /// step `__cogen_poll` makes, for generators and async generators alike.
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(super) fn poll_as_delegate(
        &mut self,
        io: &mut Io<Y, S>,
        waker: &Waker,
    ) -> Outcome<F::Output> {
        check_delegate_poll(self.state, io);
        let raw = ptr::from_mut(self);
        let guard = CloseOnUnwind(raw);
        // SAFETY: derived from `raw`, which the guard only uses on unwinding.
        let outcome = unsafe { &mut *raw }.poll_body(io, waker);
        core::mem::forget(guard);
        outcome
    }

    /// One step driven from outside (`start`, `resume`, iteration): the only entry that
    /// uses and records a parked trampoline.
    #[cfg_attr(not(debug_assertions), inline(always))]
    fn step(self: Pin<&mut Self>, sent: Option<S>) -> GeneratorState<Y, F::Output> {
        let mut io = Io::new(sent);
        // SAFETY: nothing is moved out of the generator (see `poll_body`).
        let raw = ptr::from_mut(unsafe { self.get_unchecked_mut() });
        let guard = CloseOnUnwind(raw);
        // SAFETY: derived from `raw`, which the guard only uses when this access is over.
        let this = unsafe { &mut *raw };
        if DELEGATES
            && let Some(parked) = this.parked
            && run_parked(&mut this.parked, parked, &mut io, Waker::noop()).is_pending()
        {
            core::mem::forget(guard);
            // SAFETY: forgotten right after.
            let yielded = unsafe { end_with_yield(&mut io) };
            core::mem::forget(io);
            return GeneratorState::Yielded(yielded);
        }
        // The outcome matched here, not converted to a `Poll` first: the conversion cost
        // W5 seven instructions per task switch.
        let outcome = this.poll_body(&mut io, Waker::noop());
        if let Outcome::Awaiting = outcome {
            this.close_in(&mut io);
            awaited_in_sync_body()
        }
        core::mem::forget(guard);
        // SAFETY: forgotten right after.
        let state =
            unsafe { end_step::<Y, S, F::Output, DELEGATES>(&mut this.parked, &mut io, outcome) };
        core::mem::forget(io);
        state
    }
}

impl<F: Future, Y, S, const D: bool> Generator<S> for Gen<F, Y, S, D> {
    type Yield = Y;
    type Return = F::Output;

    #[inline]
    #[track_caller]
    fn start(self: Pin<&mut Self>) -> GeneratorState<Y, F::Output> {
        if self.state.status() != Status::Created {
            misuse("start", self.state.status());
        }
        self.step(None)
    }

    #[inline]
    #[track_caller]
    fn resume(self: Pin<&mut Self>, arg: S) -> GeneratorState<Y, F::Output> {
        // One bit test: `status() != Suspended` compiled to a jump table on the status (7
        // instructions of every task switch in W5).
        if !self.state.is_suspended() {
            misuse("resume", self.state.status());
        }
        self.step(Some(arg))
    }

    fn close(self: Pin<&mut Self>) {
        // SAFETY: dropping in place does not move the body.
        unsafe { self.get_unchecked_mut() }.drop_body();
    }

    #[inline]
    fn status(&self) -> Status {
        self.state.status()
    }

    #[cfg_attr(not(debug_assertions), inline(always))]
    fn __cogen_poll(
        self: Pin<&mut Self>,
        io: &mut Io<Y, S>,
        waker: &Waker,
        _: Sealed,
    ) -> Poll<F::Output> {
        // SAFETY: nothing is moved out of the generator (see `poll_body`).
        let this = unsafe { self.get_unchecked_mut() };
        match this.poll_as_delegate(io, waker) {
            Outcome::Complete(value) => Poll::Ready(value),
            Outcome::Suspended => Poll::Pending,
            Outcome::Awaiting => {
                this.close_in(io);
                awaited_in_sync_body()
            }
        }
    }

    #[cfg_attr(not(debug_assertions), inline(always))]
    fn __cogen_step(
        self: Pin<&mut Self>,
        sent: Option<S>,
        _: Sealed,
    ) -> GeneratorState<Y, F::Output> {
        // One compare: the low bits are 0 (created) for a start and 1 (suspended) for a
        // resume. `RUNNING` (3) never reaches here: only `AsyncGen` sets it, and it never
        // steps its inner `Gen` through `Generator`. The status match this replaces cost
        // the `into_iter()` loop 85 of its 183 instructions per item (PROFILING.md W7).
        if self.state.low_bits() != u64::from(sent.is_some()) {
            misuse_step(self.state.status(), sent.is_some());
        }
        self.step(sent)
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
            .field("status", &self.state.status())
            .finish_non_exhaustive()
    }
}

#[cfg(feature = "alloc")]
#[cfg_attr(docsrs, doc(cfg(feature = "alloc")))]
impl<F: Future<Output = ()>, Y, const D: bool> IntoIterator for Gen<F, Y, (), D> {
    type Item = Y;
    type IntoIter = crate::IntoIter<Self>;

    fn into_iter(self) -> Self::IntoIter {
        crate::IntoIter::new(self)
    }
}
