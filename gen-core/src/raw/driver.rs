//! The driver: the generator type [`Gen`] that `#[generator]` makes, which runs the lowered
//! body one step at a time.

use core::cell::UnsafeCell;
use core::fmt;
use core::future::Future;
use core::marker::PhantomData;
use core::mem::MaybeUninit;
use core::pin::Pin;
use core::ptr::{self, NonNull};
use core::task::{Context, Poll, Waker};

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
    // `Gen::make`'s two lines, not a call of it: one function less per generator in a
    // debug build (`make` stays for `async_generator`, whose capability is of another kind).
    let (head, co) = Head::fresh();
    Gen {
        head,
        body: UnsafeCell::new(MaybeUninit::new(make_body(co))),
        _types: PhantomData,
    }
}

/// The state machine `#[generator]` makes: the lowered body and where it is.
///
/// The body sits in an `UnsafeCell` because it may hold references into itself (a local
/// borrowed across a yield): a shared `&Gen` (from `status`) must not claim its bytes as
/// read-only, which would invalidate those references. Nothing reads the body through a
/// shared reference.
///
/// Invariant: `body` is initialized unless the head's status is `Closed`. `body` is
/// structurally pinned: it is never moved while initialized, and it is dropped in place.
pub struct Gen<F, Y, S, const DELEGATES: bool = false> {
    pub(super) head: Head<Y, S>,
    body: UnsafeCell<MaybeUninit<F>>,
    _types: Invariant<Y, S>,
}

/// Everything of a generator but its body: what the step works on, with the body by
/// address ([`Body`]). The step is written against these two and not `Gen<F, ..>`, so that
/// a debug build compiles it once per set of yield, send and return types, which the
/// generators of a crate mostly share, instead of once per generator (BENCHMARKS.md,
/// "Compile time"); the optimized build inlines it, and the body's `poll` with it.
pub(super) struct Head<Y, S> {
    /// The status and the identity the body's yield points check.
    pub(super) state: State,
    /// The trampoline of the `yield_from!` the body is suspended in, if it runs one: `step`
    /// resumes its innermost generator directly instead of re-entering the body (and every
    /// statically nested generator in between) for each item. It lives inside the body;
    /// it is cleared (`unpark`) before the body is polled or dropped.
    pub(super) parked: Option<NonNull<Trampoline<Y, S>>>,
}

/// Where a generator's body is, and how to drop it: all that closing needs.
///
/// Made only by `Place::at`, for [`Gen::split`], [`Gen::drop_body`] and `Gen`'s `Drop`:
/// `ptr` is the address of that generator's body, and `drop` drops that body's type in
/// place. What uses it (the `unsafe fn`s of [`Head`]) requires it to be used with that
/// generator's head (and, to poll it, the generator pinned).
#[derive(Clone, Copy)]
pub(super) struct Place {
    ptr: NonNull<()>,
    drop: unsafe fn(NonNull<()>),
}

/// A generator's body as the step sees it: its place, its size (for a delegating body's
/// check of where its delegations are), and its `poll`. Same invariant as [`Place`]:
/// `poll` polls the body's type.
pub(super) struct Body<R> {
    place: Place,
    size: usize,
    poll: unsafe fn(NonNull<()>, &mut Context<'_>) -> Poll<R>,
}

impl Place {
    /// The place of the body at `ptr` (the address of a `Gen`'s `body` field, derived
    /// without a reference to it, so that a borrow of the head beside it leaves it valid;
    /// `UnsafeCell<MaybeUninit<F>>` has the layout of `F`), dropped by `drop`. Not a
    /// method of `Gen`: a debug build compiles this once, not once per generator.
    ///
    /// # Safety
    /// `ptr` is not null, and `drop` drops the type at `ptr` (`Place`'s invariant).
    #[cfg_attr(not(debug_assertions), inline(always))]
    unsafe fn at(ptr: *mut (), drop: unsafe fn(NonNull<()>)) -> Place {
        Place {
            // SAFETY: the caller's promise.
            ptr: unsafe { NonNull::new_unchecked(ptr) },
            drop,
        }
    }
}

impl<R> Body<R> {
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(super) fn place(&self) -> Place {
        self.place
    }
}

/// The body's `poll`, the one call of it in the program: the step calls it through
/// `Body::poll`. Called through a pointer, it is not inlined into the step before the
/// optimizer has inlined the body into it (its only caller); once the pointer is seen to be
/// constant, it is inlined (always) into each step with the body. Called directly, as
/// before, the body had a call in every step that drives the generator, and past one it
/// stayed out of line (W3 static 155 -> 86 instructions per item, W7 162 -> 113,
/// PROFILING.md "The step of the head"). The price is a second simplification of each
/// function that drives a generator in an optimized build (+19% release compile time of
/// BENCHMARKS.md's 200-generator crate). `F::poll` itself, transmuted to the erased
/// signature, would be one function less per generator in a debug build, and so would
/// `drop_in_place::<F>` for `drop_body_of`: ABI-compatible, but a call through a pointer of
/// another type traps under control-flow integrity (`-Zsanitizer=kcfi`, `cfi`), so each
/// pointer keeps the exact type of the function it points to.
///
/// # Safety
/// `body` is the address of a pinned, initialized `F`.
#[cfg_attr(not(debug_assertions), inline(always))]
unsafe fn poll_body_of<F: Future>(body: NonNull<()>, cx: &mut Context<'_>) -> Poll<F::Output> {
    // `as` casts, not `NonNull::cast`: a debug build would compile a copy of each such
    // helper per generator.
    // SAFETY: the caller's promise; pinned, so only re-pinned here, never moved.
    unsafe { Pin::new_unchecked(&mut *(body.as_ptr() as *mut F)) }.poll(cx)
}

/// # Safety
/// `body` is the address of a pinned, initialized `F`, never used again as one.
#[cfg_attr(not(debug_assertions), inline(always))]
unsafe fn drop_body_of<F>(body: NonNull<()>) {
    // SAFETY: the caller's promise; dropping in place is what pinning allows.
    unsafe { ptr::drop_in_place(body.as_ptr() as *mut F) }
}

// SAFETY: the head's `parked` points into the generator's own (pinned) body, which moves
// to another thread with it; everything else is `F` or phantom.
unsafe impl<F: Send, Y, S, const D: bool> Send for Gen<F, Y, S, D> {}
// SAFETY: a shared `&Gen` only reads the head's status; the body is only reached through
// `Pin<&mut Gen>`. (`UnsafeCell` would otherwise make every generator `!Sync`.)
unsafe impl<F, Y, S, const D: bool> Sync for Gen<F, Y, S, D> {}

impl<F, Y, S, const D: bool> Gen<F, Y, S, D> {
    /// A new generator, its body made from a fresh identity's capability.
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(super) fn make<B>(make_body: impl FnOnce(Co<Y, S, B>) -> F) -> Self {
        let (head, co) = Head::fresh();
        Gen {
            head,
            body: UnsafeCell::new(MaybeUninit::new(make_body(co))),
            _types: PhantomData,
        }
    }

    /// Drop the body in place (if it is still there) and mark the generator closed.
    pub(super) fn drop_body(&mut self) {
        // SAFETY: the address of a field is not null; `drop_body_of::<F>` drops an `F`,
        // which `body` holds (`UnsafeCell<MaybeUninit<F>>` has the layout of `F`).
        let place = unsafe { Place::at(&raw mut self.body as *mut (), drop_body_of::<F>) };
        // SAFETY: the place of this generator's body, with its head.
        unsafe { self.head.drop_body::<D>(place) }
    }
}

impl<F: Future, Y, S, const D: bool> Gen<F, Y, S, D> {
    /// The head and the body as the step sees it (see [`Head`]).
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(super) fn split(&mut self) -> (&mut Head<Y, S>, Body<F::Output>) {
        let body = Body {
            // SAFETY: as in `drop_body`.
            place: unsafe { Place::at(&raw mut self.body as *mut (), drop_body_of::<F>) },
            size: const { size_of::<F>() },
            poll: poll_body_of::<F>,
        };
        (&mut self.head, body)
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
///
/// # Safety
/// `parked` is the value of `slot`, the `parked` of a generator the caller holds (so its
/// body, which that trampoline lives in, cannot run or be dropped meanwhile).
#[cfg_attr(not(debug_assertions), inline(always))]
pub(super) unsafe fn run_parked<Y, S>(
    slot: &mut Option<NonNull<Trampoline<Y, S>>>,
    parked: NonNull<Trampoline<Y, S>>,
    io: &mut Io<Y, S>,
    waker: &Waker,
) -> Poll<()> {
    // SAFETY: `parked` (the caller's promise: the generator's own) is only set while the
    // body is suspended in the `yield_from!` whose (pinned) trampoline it points to, and
    // cleared before the body is polled or dropped; the body cannot run meanwhile: the
    // caller holds its generator.
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
pub(super) struct CloseOnUnwind<Y, S, const D: bool> {
    head: *mut Head<Y, S>,
    place: Place,
}

impl<Y, S, const D: bool> CloseOnUnwind<Y, S, D> {
    /// # Safety
    /// `head` is the head of the generator whose body `place` is, made from the `&mut`
    /// the caller derives its own access from; the guard is dropped only when that access
    /// is over (unwinding out of the caller), or forgotten.
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(super) unsafe fn new(head: *mut Head<Y, S>, place: Place) -> Self {
        CloseOnUnwind { head, place }
    }
}

impl<Y, S, const D: bool> Drop for CloseOnUnwind<Y, S, D> {
    fn drop(&mut self) {
        // SAFETY: `new`'s contract: `head` is `place`'s generator's, and this runs only
        // when the access it was made from is over.
        unsafe { (*self.head).drop_body::<D>(self.place) }
    }
}

impl<Y, S> Head<Y, S> {
    /// The head of a new generator, with a fresh identity, and its body's capability.
    #[cfg_attr(not(debug_assertions), inline(always))]
    fn fresh<B>() -> (Self, Co<Y, S, B>) {
        let owner = Owner::fresh();
        let head = Head {
            state: State::new(owner),
            parked: None,
        };
        (head, Co::new(owner))
    }

    /// Drop the body in place (if it is still there) and mark the generator closed.
    ///
    /// # Safety
    /// `place` is the body of this head's generator (see [`Place`]). (Dropping in place
    /// needs no pin: the body is dropped where it is.)
    pub(super) unsafe fn drop_body<const D: bool>(&mut self, place: Place) {
        if !self.state.is_closed() {
            // Closed first: if a destructor panics, the body counts as dropped (drop glue
            // still drops the rest) and is never dropped again.
            self.state.set(Status::Closed);
            unpark::<Y, S, D>(&mut self.parked);
            // SAFETY: the status was not `Closed`, so the body is initialized; `place` is
            // its (the caller's promise), and it is never used again: the status says so.
            unsafe { (place.drop)(place.ptr) }
        }
    }

    /// Poll the body once with `io` as the exchange area: the only place that polls it.
    /// A suspension sets the status; waiting in an `.await` leaves it to the caller (an
    /// error for a generator, a step in progress for an async generator). The caller holds
    /// a `CloseOnUnwind` guard.
    ///
    /// # Safety
    /// `body` is the body of this head's generator (see [`Body`]), which is pinned and not
    /// closed.
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(super) unsafe fn poll_body<R, const D: bool>(
        &mut self,
        body: &Body<R>,
        io: &mut Io<Y, S>,
        waker: &Waker,
    ) -> Outcome<R> {
        debug_assert!(!self.state.is_closed());
        // The body is about to move on from wherever its trampoline was parked.
        unpark::<Y, S, D>(&mut self.parked);
        // Only a delegating body has delegations to check; taking the body's extent in any
        // other keeps its state out of registers (W1 2.5x). Without it, every delegation
        // fails the check: a body built with `DELEGATES = false` cannot delegate at all.
        let extent = if D {
            Extent::at(body.place.ptr.as_ptr(), body.size)
        } else {
            Extent::NONE
        };
        let bridge = Bridge::new(io, waker, self.state.owner(), extent);
        // SAFETY: initialized (the status is not `Closed`) and pinned: `body` is this
        // generator's (the caller's promise).
        let poll = unsafe { (body.poll)(body.place.ptr, &mut bridge.waker().context()) };
        if io.sent.is_some() {
            // The body was resumed with a value and did not take it: the yield point it was
            // for was dropped after it yielded (see `exchange::stale_yield`). Close it and
            // say so, rather than drop the value unseen.
            // SAFETY: the body's place, with its head.
            unsafe { self.close_in::<D>(body.place, io) };
            super::exchange::stale_yield();
        }
        match poll {
            Poll::Ready(value) => {
                // SAFETY: as above.
                unsafe { self.drop_body::<D>(body.place) };
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
    /// body.
    ///
    /// # Safety
    /// `place` is the body of this head's generator.
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(super) unsafe fn close_in<const D: bool>(&mut self, place: Place, io: &mut Io<Y, S>) {
        abandon(io);
        // SAFETY: the caller's promise.
        unsafe { self.drop_body::<D>(place) };
    }

    /// Poll the body on behalf of a delegating generator, with its exchange area: the one
    /// step `__cogen_poll` makes, for generators and async generators alike.
    ///
    /// # Safety
    /// `body` is the body of this head's generator, which is pinned.
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(super) unsafe fn poll_as_delegate<R, const D: bool>(
        &mut self,
        body: &Body<R>,
        io: &mut Io<Y, S>,
        waker: &Waker,
    ) -> Outcome<R> {
        check_delegate_poll(self.state, io);
        let raw = ptr::from_mut(self);
        // SAFETY: `raw` is this head, `body` its generator's (the caller's promise); the
        // guard is forgotten unless the poll unwinds.
        let guard = unsafe { CloseOnUnwind::<Y, S, D>::new(raw, body.place) };
        // SAFETY: derived from `raw`, which the guard only uses on unwinding; `body` is
        // this generator's (the caller's promise).
        let outcome = unsafe { (*raw).poll_body::<R, D>(body, io, waker) };
        core::mem::forget(guard);
        outcome
    }

    /// One step driven from outside (`start`, `resume`, iteration): the only entry that
    /// uses and records a parked trampoline.
    ///
    /// # Safety
    /// `body` is the body of this head's generator, which is pinned and not closed (the
    /// callers check the status first).
    #[cfg_attr(not(debug_assertions), inline(always))]
    unsafe fn step<R, const D: bool>(
        &mut self,
        body: &Body<R>,
        sent: Option<S>,
    ) -> GeneratorState<Y, R> {
        let mut io = Io::new(sent);
        let raw = ptr::from_mut(self);
        // SAFETY: `raw` is this head, `body` its generator's (the caller's promise); the
        // guard is forgotten unless the step unwinds.
        let guard = unsafe { CloseOnUnwind::<Y, S, D>::new(raw, body.place) };
        // SAFETY: derived from `raw`, which the guard only uses when this access is over.
        let this = unsafe { &mut *raw };
        if D && let Some(parked) = this.parked
            // SAFETY: `parked` is this generator's, which the caller holds.
            && unsafe { run_parked(&mut this.parked, parked, &mut io, Waker::noop()) }.is_pending()
        {
            core::mem::forget(guard);
            // SAFETY: forgotten right after.
            let yielded = unsafe { end_with_yield(&mut io) };
            core::mem::forget(io);
            return GeneratorState::Yielded(yielded);
        }
        // The outcome matched here, not converted to a `Poll` first: the conversion cost
        // W5 seven instructions per task switch.
        // SAFETY: `body` is this generator's (the caller's promise).
        let outcome = unsafe { this.poll_body::<R, D>(body, &mut io, Waker::noop()) };
        if let Outcome::Awaiting = outcome {
            // SAFETY: as above.
            unsafe { this.close_in::<D>(body.place, &mut io) };
            awaited_in_sync_body()
        }
        core::mem::forget(guard);
        // SAFETY: forgotten right after.
        let state = unsafe { end_step::<Y, S, R, D>(&mut this.parked, &mut io, outcome) };
        core::mem::forget(io);
        state
    }

    /// `start` (`sent` is `None`), `resume` and `__cogen_step` of a generator: `step`,
    /// once `sent` is checked against the status.
    ///
    /// # Safety
    /// `body` is the body of this head's generator, which is pinned.
    #[cfg_attr(not(debug_assertions), inline(always))]
    #[track_caller]
    unsafe fn checked_step<R, const D: bool>(
        &mut self,
        body: &Body<R>,
        sent: Option<S>,
    ) -> GeneratorState<Y, R> {
        // One compare: the low bits are 0 (created) for a start and 1 (suspended) for a
        // resume. `RUNNING` (3) never reaches here: only `AsyncGen` sets it, and it never
        // steps its inner `Gen` through `Generator`. The status match this replaces cost
        // the `into_iter()` loop 85 of its 183 instructions per item (PROFILING.md W7).
        if self.state.low_bits() != u64::from(sent.is_some()) {
            misuse_step(self.state.status(), sent.is_some());
        }
        // SAFETY: the caller's promise.
        unsafe { self.step::<R, D>(body, sent) }
    }

    /// `__cogen_next` of a generator: one step of iteration.
    ///
    /// # Safety
    /// `body` is the body of this head's generator, which is pinned.
    #[cfg_attr(not(debug_assertions), inline(always))]
    unsafe fn next<R, const D: bool>(
        &mut self,
        body: &Body<R>,
        sent: S,
        returned: &mut Option<R>,
    ) -> Option<Y> {
        // The status bits tested directly, closed first, as in `AsyncGen::poll_next`: a
        // match on `status()` cost the `into_iter()` pipeline (W7) 20 instructions an item.
        // A `Gen` stepped through `Generator` is never running (3): only `AsyncGen` sets it.
        let low = self.state.low_bits();
        if low == CLOSED {
            return None;
        }
        debug_assert!(low != RUNNING);
        let sent = (low != 0).then_some(sent);
        // SAFETY: the caller's promise.
        match unsafe { self.step::<R, D>(body, sent) } {
            GeneratorState::Yielded(value) => Some(value),
            GeneratorState::Complete(value) => {
                *returned = Some(value);
                None
            }
        }
    }

    /// `__cogen_poll` of a generator: one poll of its body for a delegating generator.
    ///
    /// # Safety
    /// `body` is the body of this head's generator, which is pinned.
    #[cfg_attr(not(debug_assertions), inline(always))]
    unsafe fn poll_delegate<R, const D: bool>(
        &mut self,
        body: &Body<R>,
        io: &mut Io<Y, S>,
        waker: &Waker,
    ) -> Poll<R> {
        // SAFETY: the caller's promise.
        match unsafe { self.poll_as_delegate::<R, D>(body, io, waker) } {
            Outcome::Complete(value) => Poll::Ready(value),
            Outcome::Suspended => Poll::Pending,
            Outcome::Awaiting => {
                // SAFETY: the caller's promise.
                unsafe { self.close_in::<D>(body.place, io) };
                awaited_in_sync_body()
            }
        }
    }
}

impl<F: Future, Y, S, const D: bool> Generator<S> for Gen<F, Y, S, D> {
    type Yield = Y;
    type Return = F::Output;

    #[inline]
    #[track_caller]
    fn start(self: Pin<&mut Self>) -> GeneratorState<Y, F::Output> {
        // SAFETY: nothing is moved out of the generator: the body is only polled pinned
        // and dropped in place.
        let (head, body) = unsafe { self.get_unchecked_mut() }.split();
        // SAFETY: `split` gives the body with its head; `self` is pinned.
        unsafe { head.checked_step::<_, D>(&body, None) }
    }

    #[inline]
    #[track_caller]
    fn resume(self: Pin<&mut Self>, arg: S) -> GeneratorState<Y, F::Output> {
        // SAFETY: as in `start`.
        let (head, body) = unsafe { self.get_unchecked_mut() }.split();
        // SAFETY: `split` gives the body with its head; `self` is pinned.
        unsafe { head.checked_step::<_, D>(&body, Some(arg)) }
    }

    fn close(self: Pin<&mut Self>) {
        // SAFETY: dropping in place does not move the body.
        unsafe { self.get_unchecked_mut() }.drop_body();
    }

    #[inline]
    fn status(&self) -> Status {
        self.head.state.status()
    }

    #[cfg_attr(not(debug_assertions), inline(always))]
    fn __cogen_poll(
        self: Pin<&mut Self>,
        io: &mut Io<Y, S>,
        waker: &Waker,
        _: Sealed,
    ) -> Poll<F::Output> {
        // SAFETY: nothing is moved out of the generator (see `start`).
        let (head, body) = unsafe { self.get_unchecked_mut() }.split();
        // SAFETY: `split` gives the body with its head; `self` is pinned.
        unsafe { head.poll_delegate::<_, D>(&body, io, waker) }
    }

    #[cfg_attr(not(debug_assertions), inline(always))]
    fn __cogen_step(
        self: Pin<&mut Self>,
        sent: Option<S>,
        _: Sealed,
    ) -> GeneratorState<Y, F::Output> {
        // SAFETY: nothing is moved out of the generator (see `start`).
        let (head, body) = unsafe { self.get_unchecked_mut() }.split();
        // SAFETY: `split` gives the body with its head; `self` is pinned.
        unsafe { head.checked_step::<_, D>(&body, sent) }
    }

    #[cfg_attr(not(debug_assertions), inline(always))]
    fn __cogen_next(
        self: Pin<&mut Self>,
        sent: S,
        returned: &mut Option<F::Output>,
        _: Sealed,
    ) -> Option<Y> {
        // SAFETY: nothing is moved out of the generator (see `start`).
        let (head, body) = unsafe { self.get_unchecked_mut() }.split();
        // SAFETY: `split` gives the body with its head; `self` is pinned.
        unsafe { head.next::<_, D>(&body, sent, returned) }
    }
}

impl<F, Y, S, const D: bool> Drop for Gen<F, Y, S, D> {
    fn drop(&mut self) {
        // `drop_body`'s two lines, not a call of it: one function less per generator in a
        // debug build.
        // SAFETY: as in `drop_body`.
        let place = unsafe { Place::at(&raw mut self.body as *mut (), drop_body_of::<F>) };
        // SAFETY: as in `drop_body`.
        unsafe { self.head.drop_body::<D>(place) }
    }
}

impl<F, Y, S, const D: bool> fmt::Debug for Gen<F, Y, S, D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Generator")
            .field("status", &self.head.state.status())
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
